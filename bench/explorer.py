"""Scale of the explorer: time to first paint in headless Chromium, neighbour-query time on the
server, and how the page responds at a million points.

Synthetic vectors (a mixture of 200 Gaussian clusters, Zipf counts), because only the size
matters here.  For each size the script starts a real uvicorn server, loads the page in headless
Chromium (started and warmed up once before, so its own start is not counted; WebGL on
SwiftShader: the CPU draws, so a real GPU only does better) and reads what the page measures
itself (``window.__explorer``): ``firstPaint`` is ``performance.now()`` -- time
since navigation started -- once the first frame of points is drawn and read back.  The first
load computes the PCA on the server (cold); the second finds it cached (warm).

Neighbour queries: ``GET /api/neighbors?word=W&topn=20`` for random words; ``server`` is the
time of ``Embeddings.most_similar`` inside the server (its ``Server-Timing`` header), ``round
trip`` includes HTTP and JSON on localhost.

Interaction at each size: the hover pick (the nearest point to the cursor, a pass over all points
in JavaScript), a plain and a regex search over all names, and the time of one frame (draw call
plus labels) while zooming.

Run under the benchmark lock::

    flock /tmp/bench.lock python bench/explorer.py --sizes 100000 1000000

There is no side-by-side peer: TensorFlow's Embedding Projector cannot run here (no internet,
no TensorBoard); its documented limit is that it loads at most 100,000 points.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wordspace.explore import explore  # noqa: E402
from wordspace.vectors import Embeddings  # noqa: E402

CHROMIUM = os.environ.get("WORDSPACE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def synthetic(n: int, dim: int, seed: int = 0) -> Embeddings:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((200, dim)).astype(np.float32) * 3
    vectors = centres[rng.integers(0, 200, n)]
    vectors += rng.standard_normal((n, dim), dtype=np.float32)
    tokens = [f"w{i:07d}" for i in range(n)]
    counts = (1e7 / np.arange(1, n + 1)).astype(np.int64) + 1
    return Embeddings(tokens, vectors, counts=counts)


def quantiles(values) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    median = statistics.median(values)
    return f"median {median:7.2f} ms  p95 {p95:7.2f} ms  max {values[-1]:7.2f} ms"


def neighbour_queries(url: str, tokens, count: int = 50):
    import httpx

    rng = np.random.default_rng(1)
    server, round_trip = [], []
    with httpx.Client() as client:
        for word in rng.choice(len(tokens), count):
            started = time.perf_counter()
            response = client.get(url + "api/neighbors", params={"word": tokens[word], "topn": 20})
            round_trip.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            server.append(float(response.headers["server-timing"].split("dur=")[1]))
    return server, round_trip


def page_figures(browser, url: str, n: int):
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    figures = {}
    for label in ("cold", "warm"):
        started = time.perf_counter()
        if label == "cold":
            page.goto(url)
        else:
            page.reload()
        page.wait_for_function("window.__explorer && window.__explorer.firstPaint !== null",
                               timeout=120_000, polling=10)
        figures[f"first paint ({label})"] = page.evaluate("window.__explorer.firstPaint")
        page.wait_for_function("window.__explorer.ready", timeout=120_000)
        figures[f"page ready ({label}), names loaded"] = (time.perf_counter() - started) * 1000
    box = page.query_selector(".plot").bounding_box()
    picks = []
    rng = np.random.default_rng(2)
    for _ in range(30):
        x = box["x"] + rng.uniform(0.1, 0.9) * box["width"]
        y = box["y"] + rng.uniform(0.1, 0.9) * box["height"]
        picks.append(page.evaluate("([x, y]) => { window.__explorer.pickAt(x, y); "
                                   "return window.__explorer.pickMs; }", [x, y]))
    searches = {}
    for name, query, regex in (("plain", "w00123", False), ("regex", r"^w0+12\d5$", True)):
        if regex:
            page.check("#regex")
        page.fill("#search", query)
        page.evaluate("window.__explorer.searchMs = null")
        page.press("#search", "Enter")
        page.wait_for_function("window.__explorer.searchMs !== null")
        searches[name] = page.evaluate("window.__explorer.searchMs")
    frames = page.evaluate("""async () => {
        const times = [];
        const canvas = document.querySelector('canvas.gl');
        for (let i = 0; i < 20; i++) {
          const started = performance.now();
          canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: i % 2 ? 120 : -120,
            clientX: 600, clientY: 400, bubbles: true, cancelable: true}));
          await new Promise(requestAnimationFrame);
          await new Promise(requestAnimationFrame);
          times.push(window.__explorer.drawMs);
        }
        return times; }""")
    page.close()
    return figures, picks, searches, frames


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dim", type=int, default=100)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()}")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        warm_up = browser.new_page()  # the browser's own start (GPU process, SwiftShader)
        warm_up.set_content("<canvas></canvas>")
        warm_up.evaluate("document.querySelector('canvas').getContext('webgl2') !== null")
        warm_up.close()
        for n in args.sizes:
            started = time.perf_counter()
            embeddings = synthetic(n, args.dim)
            made = time.perf_counter() - started
            started = time.perf_counter()
            server = explore(embeddings, open_browser=False, block=False, port=0)
            startup = time.perf_counter() - started
            print(f"\n== {n:,} points x {args.dim} dims (vectors made in {made:.1f} s; server "
                  f"up in {startup:.2f} s, unit vectors included)")
            try:
                server_ms, trip_ms = neighbour_queries(server.url, embeddings.tokens)
                print(f"neighbour query, server:     {quantiles(server_ms)}")
                print(f"neighbour query, round trip: {quantiles(trip_ms)}")
                figures, picks, searches, frames = page_figures(browser, server.url, n)
                for name, value in figures.items():
                    print(f"{name:<34} {value:8.0f} ms")
                print(f"hover pick over all points:  {quantiles(picks)}")
                for name, value in searches.items():
                    print(f"search ({name}) over all names: {value:8.1f} ms")
                print(f"one frame while zooming:     {quantiles(frames)}")
            finally:
                server.stop()
            del embeddings, server
        browser.close()
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
