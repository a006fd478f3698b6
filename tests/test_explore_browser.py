"""End-to-end tests of the explorer page in headless Chromium (Debian's ``chromium``, driven by
Playwright for Python), against a real uvicorn server on a free 127.0.0.1 port.

The model is an LSA of the embedded Brown corpus (20 dimensions, trained once per session);
model 2 of the side-by-side page is the same vectors plus noise.  WebGL runs on SwiftShader (no
GPU needed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("WORDSPACE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set "
                "WORDSPACE_CHROMIUM): the browser tests need it", allow_module_level=True)

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
SCREENSHOTS = Path(os.environ.get("WORDSPACE_SCREENSHOTS", "")) if os.environ.get(
    "WORDSPACE_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def embeddings():
    from wordspace.corpus import Corpus
    from wordspace.models.lsa import LSA

    return LSA(n_components=20, min_count=5, seed=0).fit(Corpus("brown")).word_vectors


@pytest.fixture(scope="module")
def server(embeddings):
    from wordspace.explore import explore

    running = explore(embeddings, open_browser=False, block=False, port=0, names=["brown-lsa"])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def pair_server(embeddings):
    from wordspace.explore import explore
    from wordspace.vectors import Embeddings

    rng = np.random.default_rng(0)
    noisy = np.asarray(embeddings.vectors) + rng.normal(0, 0.02, embeddings.vectors.shape)
    second = Embeddings(embeddings.tokens, noisy.astype(np.float32), embeddings.counts)
    running = explore(embeddings, second, open_browser=False, block=False, port=0,
                      names=["lsa", "lsa + noise"])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 760}, accept_downloads=True)
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def _open(page, url):
    page.goto(url)
    page.wait_for_function("window.__explorer && window.__explorer.ready", timeout=30_000)
    assert page.evaluate("window.__explorer.firstPaint") is not None


def _listed(page):
    return page.eval_on_selector_all("#neighbors li", "items => items.map(i => i.dataset.word)")


def _shot(page, name):
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_search_a_word_lists_its_neighbours(page, server, embeddings):
    _open(page, server.url)
    page.fill("#search", "money")
    page.press("#search", "Enter")
    page.wait_for_selector("#neighbors li")
    expected = [word for word, _ in embeddings.most_similar("money", topn=20)]
    assert _listed(page) == expected
    assert "1 match" in page.inner_text("#search-info")
    assert "q=money" in page.url and "word=money" in page.url
    # the points are drawn: the canvas is not blank
    pixels = page.evaluate("""() => { const c = document.querySelector('canvas.gl');
        const g = c.getContext('webgl2') || c.getContext('webgl');
        const p = new Uint8Array(c.width * c.height * 4);
        g.readPixels(0, 0, c.width, c.height, g.RGBA, g.UNSIGNED_BYTE, p);
        let n = 0; for (let i = 0; i < p.length; i += 4) if (p[i] < 200 || p[i+2] < 200) n++;
        return n; }""")
    assert pixels > 1000
    _shot(page, "search")


def test_the_url_restores_the_view(page, server, embeddings):
    _open(page, server.url + "#q=church&word=church&topn=5&metric=dot")
    page.wait_for_selector("#neighbors li")
    assert _listed(page) == [w for w, _ in embeddings.most_similar("church", topn=5,
                                                                    metric="dot")]
    assert page.input_value("#search") == "church" and page.input_value("#metric") == "dot"


def test_unknown_word_shows_suggestions(page, server):
    _open(page, server.url + "#word=mony")
    page.wait_for_selector("#neighbors .error")
    assert "not in the vocabulary" in page.inner_text("#neighbors")
    assert "money" in page.inner_text("#neighbors")


def test_click_a_point(page, server, embeddings):
    _open(page, server.url)
    page.fill("#search", "church")
    page.press("#search", "Enter")
    page.wait_for_function("window.__explorer.selected === 'church'")
    target = _listed(page)[0]
    where = page.evaluate(f"window.__explorer.screenOf({target!r})")
    assert where is not None
    x, y = round(where["x"]), round(where["y"])  # mouse events carry whole pixels
    picked = page.evaluate(f"window.__explorer.pickAt({x}, {y})")
    assert picked is not None
    page.mouse.move(x, y)
    page.wait_for_selector(".tooltip:not([hidden])")
    assert picked in page.inner_text(".tooltip")
    page.mouse.click(x, y)
    page.wait_for_function(f"window.__explorer.selected === {picked!r}")
    assert _listed(page) == [w for w, _ in embeddings.most_similar(picked, topn=20)]


def test_switch_projection_and_isolate(page, server):
    _open(page, server.url)
    loads = page.evaluate("window.__explorer.loads")
    page.fill("#limit", "200")
    page.dispatch_event("#limit", "change")
    page.wait_for_function(f"window.__explorer.loads > {loads}")
    loads = page.evaluate("window.__explorer.loads")
    page.select_option("#method", "tsne")
    page.wait_for_function(f"window.__explorer.loads > {loads}", timeout=60_000)
    assert "tsne" in page.inner_text("#summary") and "200 of" in page.inner_text("#summary")
    assert "method=tsne" in page.url
    loads = page.evaluate("window.__explorer.loads")
    page.select_option("#dims", "3")
    page.wait_for_function(f"window.__explorer.loads > {loads}", timeout=60_000)
    assert page.evaluate("window.__explorer.views[0].dims") == 3
    # isolate the search matches: only they stay visible
    page.check("#regex")
    page.fill("#search", "^th")
    page.press("#search", "Enter")
    page.wait_for_function("document.querySelector('#search-info').textContent.includes('match')")
    page.click("#isolate")
    shown = page.evaluate("Array.from(window.__explorer.views[0].hidden).filter(h => !h).length")
    tokens = page.evaluate("window.__explorer.views[0].tokens.slice(0, 200)")
    assert shown == sum(token.lower().startswith("th") for token in tokens) > 0
    page.click("#show-all")
    assert page.evaluate("Array.from(window.__explorer.views[0].hidden).every(h => !h)")
    _shot(page, "tsne3d")


def test_custom_axes_and_analogy(page, server):
    _open(page, server.url + "#method=axes&x=man+-+woman&y=good+-+bad")
    assert "axes" in page.inner_text("#summary")
    page.fill("#an-a", "man")
    page.fill("#an-b", "men")
    page.fill("#an-c", "woman")
    page.click("#analogy-form button")
    page.wait_for_selector("#neighbors li")
    assert "man : men :: woman" in page.inner_text("#results-title")
    assert len(_listed(page)) == 20


def test_export_tsv(page, server, embeddings, tmp_path):
    _open(page, server.url + "#limit=500")
    with page.expect_download() as download_info:
        page.click("#export")
    path = tmp_path / "export.tsv"
    download_info.value.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "word\tx\ty\tgroup"
    assert len(lines) == 501
    rows = [line.split("\t") for line in lines[1:]]
    assert [row[0] for row in rows] == embeddings.tokens[:500]
    coordinates = np.array([[float(row[1]), float(row[2])] for row in rows])
    assert np.isfinite(coordinates).all() and coordinates.std(axis=0).min() > 0
    assert rows[0][3] == "rank 1-100" and rows[-1][3] == "rank 101-1,000"


def test_two_models_side_by_side(page, pair_server):
    _open(page, pair_server.url)
    assert page.locator(".plot").count() == 2
    page.wait_for_selector("#moved li")
    assert page.locator("#moved li").count() == 30
    first = page.eval_on_selector("#moved li", "li => li.dataset.word")
    page.click("#moved li")
    page.wait_for_function("document.querySelectorAll('#neighbors ol').length === 2")
    assert first in page.inner_text("#results-title")
    _shot(page, "pair")
