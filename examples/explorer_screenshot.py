"""The README's picture of the explorer: word2vec on the Brown corpus, t-SNE of the most frequent
words, a word searched and its neighbours listed -- taken in headless Chromium.

Run from the repository root (a few minutes on two cores; needs /usr/bin/chromium)::

    python examples/explorer_screenshot.py              # -> docs/explorer.png
    python examples/explorer_screenshot.py --reuse      # the model saved last time
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from wordspace import Corpus
from wordspace.explore import explore
from wordspace.models.word2vec import Word2Vec
from wordspace.vectors import Embeddings

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=Path("docs/explorer.png"), type=Path)
    parser.add_argument("--model", default=Path("examples/out/explorer_w2v.ws"), type=Path)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--word", default="monday")
    parser.add_argument("--points", type=int, default=3000)
    args = parser.parse_args()
    if args.reuse and args.model.exists():
        embeddings = Embeddings.load(args.model)
    else:
        started = time.perf_counter()
        model = Word2Vec(vector_size=100, architecture="skipgram", epochs=10, min_count=5,
                         seed=0).fit(Corpus("brown"))
        print(f"trained word2vec in {time.perf_counter() - started:.0f} s")
        args.model.parent.mkdir(parents=True, exist_ok=True)
        model.wv.save(args.model)
        embeddings = model.wv
    from playwright.sync_api import sync_playwright

    server = explore(embeddings, open_browser=False, block=False, port=0,
                     names=["word2vec, Brown corpus"])
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 680})
            page.goto(f"{server.url}#method=tsne&limit={args.points}&q={args.word}")
            page.wait_for_function(f"window.__explorer.selected === {args.word!r}",
                                   timeout=600_000)
            page.wait_for_timeout(500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
