"""word2vec: wordspace against gensim 4.4, side by side, same corpus and settings.

For each mode (CBOW-negative, skip-gram-negative, CBOW-hierarchical) both trainers run in their
own subprocess (so peak RSS is each one's own), on the same token lists: the corpus (first
``--max-lines`` lines) is written once, uncompressed, one document per line, and gensim reads it
through ``corpus_file=`` (its fastest path, one reader per worker), wordspace through ``fit(path)``.

``--trainers gensim-lines`` adds gensim reading an iterable of lines (one producer thread, jobs in
corpus order, alpha decayed by global progress): slower, but its schedule and the order in which
threads see the text are those of ``corpus_file=`` only with 1 worker.

Reported per trainer: training words/sec (raw corpus tokens x epochs / training wall time, without
vocabulary building), end-to-end wall time (vocabulary + encoding + training), peak RSS, Google
analogy accuracy (restrict_vocab=30000), WordSim-353 and SimLex-999 Spearman, and ours/gensim.

Slice mode (``--seeds``, or several ``--workers``): quality on a small corpus, where one run says
little.  For each mode and worker count, both tools train once per seed (alternating), and the
script prints every run, then each tool's mean and ours minus gensim's.  ``--ours-options`` adds
settings for wordspace only (experiments; the comparison is then no longer at equal settings);
``{"negative_group": 8, "negative_spacing": 16}`` sets the centres per draw of
``cbow-neg-shared`` and how far apart they are;
``{"corpus_file_schedule": 2}`` gives wordspace the learning rate that gensim's ``corpus_file=``
really uses with 2 workers (each reader decays alpha by its own half of the lines only).

Usage::

    python bench/word2vec.py --max-lines 30000             # quick (about 2.7M tokens)
    python bench/word2vec.py > bench/results/word2vec.txt  # the full corpus (many minutes)
    python bench/word2vec.py --lines 60000 --epochs 3 --seeds 1,2,3 --workers 1,2 --modes cbow-neg
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
MODES = {
    "cbow-neg": dict(architecture="cbow", loss="negative"),
    "sg-neg": dict(architecture="skipgram", loss="negative"),
    "cbow-hs": dict(architecture="cbow", loss="hierarchical"),
    "sg-hs": dict(architecture="skipgram", loss="hierarchical"),
    # wordspace's exact skip-gram (a draw of negatives per pair, as gensim); gensim runs sg-neg
    "sg-neg-exact": dict(architecture="skipgram", loss="negative", shared_negatives=False),
    # wordspace's CBOW with centres spaced apart sharing negatives; gensim runs cbow-neg
    "cbow-neg-shared": dict(architecture="cbow", loss="negative", shared_negatives=True),
}
# alpha explicit: our default depends on the architecture, gensim's is 0.025 for both
SETTINGS = dict(vector_size=100, window=5, negative=5, sample=1e-3, min_count=5, epochs=5,
                alpha=0.025)


def evaluate(keyed_vectors) -> dict:
    """Analogy accuracy and word-pair Spearman with gensim's evaluators."""
    import logging

    logging.getLogger("gensim").setLevel(logging.ERROR)
    analogy, _ = keyed_vectors.evaluate_word_analogies(
        str(DATA / "eval" / "questions-words.txt"), restrict_vocab=30000)
    scores = {"analogy": float(analogy)}
    for name, file in (("ws353", "ws353_all.tsv"), ("simlex", "simlex999.tsv")):
        _, spearman, _ = keyed_vectors.evaluate_word_pairs(str(DATA / "eval" / file),
                                                           restrict_vocab=300000)
        scores[name] = float(spearman[0])
    return scores


def to_keyed_vectors(tokens, vectors):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(list(tokens), vectors)
    return kv


def child(trainer: str, mode: str, path: str, workers: int, options: dict,
          ours_options: dict | None = None) -> dict:
    settings = {**SETTINGS, **options}
    arch = MODES[mode]
    if trainer == "wordspace":  # compile (or load from numba's cache) the kernels first
        sys.path.insert(0, str(ROOT / "src"))
        from wordspace.models.word2vec import Word2Vec

        Word2Vec(**{**settings, "min_count": 1, "epochs": 1}, **arch, workers=1).fit(
            [list("abcdefghij")] * 10)  # more words than negatives
    start = time.perf_counter()
    if trainer in ("gensim", "gensim-words", "gensim-lines"):
        from gensim.models import Word2Vec as GensimWord2Vec
        from gensim.models.word2vec import LineSentence

        arch = {k: v for k, v in arch.items() if k != "shared_negatives"}
        hs = arch["loss"] == "hierarchical"
        model = GensimWord2Vec(vector_size=settings["vector_size"], window=settings["window"],
                               sg=int(arch["architecture"] == "skipgram"), hs=int(hs),
                               negative=0 if hs else settings["negative"],
                               sample=settings["sample"], min_count=settings["min_count"],
                               workers=workers, seed=settings.get("seed", 1),
                               epochs=settings["epochs"],
                               **{k: settings[k] for k in ("alpha", "min_alpha", "cbow_mean")
                                  if k in settings})
        # corpus_file: one reader per worker, each on its own contiguous part of the file (and
        # each decaying alpha by its own progress only); gensim-lines: the iterable path, one
        # producer thread handing out jobs in corpus order.  gensim-words: corpus_file= told the
        # number of words only, so that alpha decays by words (as in wordspace and the C tool);
        # told the number of lines too (gensim's documented call) it decays by lines, and on a
        # corpus whose lines are not all alike that is another learning rate (README: "Small
        # corpora")
        source = dict(corpus_iterable=LineSentence(path)) if trainer == "gensim-lines" else \
            dict(corpus_file=path)
        model.build_vocab(**source)
        tick = time.perf_counter()
        examples = {} if trainer == "gensim-words" else dict(total_examples=model.corpus_count)
        model.train(**source, **examples, total_words=model.corpus_total_words,
                    epochs=settings["epochs"])
        train_seconds = time.perf_counter() - tick
        kv = model.wv
    else:
        ours_options = dict(ours_options or {})
        # {"corpus_file_schedule": N}: the learning rate of gensim's corpus_file= with N workers,
        # whose threads each decay alpha by their own share of the lines: every epoch starts
        # where it should and falls for 1/N of an epoch only (epoch by epoch with ``train``)
        readers = int(ours_options.pop("corpus_file_schedule", 0))
        # {"negative_group": G, "negative_spacing": S}: CBOW with shared negatives, G centres
        # S apart per draw
        from wordspace.models import word2vec as module

        for name in ("negative_group", "negative_spacing"):
            if name in ours_options:
                setattr(module, name.upper(), int(ours_options.pop(name)))
        params = {"seed": 1, **settings, **arch, **ours_options}
        if readers:
            epochs = params["epochs"]
            top, bottom = params["alpha"], params.get("min_alpha", 0.0001)

            def rate(progress):
                return top - (top - bottom) * progress / epochs

            model = Word2Vec(**{**params, "epochs": 1, "alpha": rate(0),
                                "min_alpha": rate(1 / readers)}, workers=workers).fit(path)
            train_seconds = model.training_seconds_
            for epoch in range(1, epochs):
                model.set_params(alpha=rate(epoch), min_alpha=rate(epoch + 1 / readers))
                train_seconds += model.train(epochs=1).training_seconds_
        else:
            model = Word2Vec(**params, workers=workers).fit(path)
            train_seconds = model.training_seconds_
        kv = to_keyed_vectors(model.vocabulary_.tokens, model.input_vectors_)
    wall = time.perf_counter() - start
    result = {"train_seconds": train_seconds, "wall_seconds": wall, **evaluate(kv)}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def prepare(corpus: Path, max_lines: int | None, folder: str) -> tuple[str, int]:
    """Write the first ``max_lines`` non-empty lines, uncompressed; count their tokens."""
    path = os.path.join(folder, "corpus.txt")
    n_tokens = n_lines = 0
    opener = gzip.open if str(corpus).endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
        for line in src:
            tokens = line.split()
            if not tokens:
                continue
            dst.write(" ".join(tokens) + "\n")
            n_tokens += len(tokens)
            n_lines += 1
            if max_lines and n_lines >= max_lines:
                break
    return path, n_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--modes", default="cbow-neg,sg-neg,cbow-hs",
                        help="comma-separated, of: " + ", ".join(MODES))
    parser.add_argument("--max-lines", "--lines", dest="max_lines", type=int, default=None)
    parser.add_argument("--workers", default="2",
                        help="threads; several (e.g. 1,2) run the slice mode")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"passes (default {SETTINGS['epochs']}; same as --options epochs)")
    parser.add_argument("--seeds", default=None,
                        help="comma-separated seeds: the slice mode, one run per seed and tool")
    parser.add_argument("--ours-options", default="{}",
                        help="JSON of settings for wordspace only (experiments)")
    parser.add_argument("--trainers", default="gensim,wordspace",
                        help="of: gensim (corpus_file=), gensim-words (corpus_file=, alpha "
                             "decayed by words), gensim-lines (an iterable), wordspace")
    parser.add_argument("--options", default="{}",
                        help="JSON of extra wordspace/gensim settings, e.g. '{\"epochs\": 1}'")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per trainer, alternating; best speed and median quality")
    parser.add_argument("--child", nargs=2, metavar=("TRAINER", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    options = json.loads(args.options)
    if args.epochs is not None:
        options["epochs"] = args.epochs
        args.options = json.dumps(options)
    if args.child:
        print(json.dumps(child(*args.child, args.path, int(args.workers), options,
                               json.loads(args.ours_options))))
        return
    workers = [int(w) for w in args.workers.split(",")]
    if args.seeds or len(workers) > 1:
        seeds = [int(s) for s in (args.seeds or "1").split(",")]
        with tempfile.TemporaryDirectory() as folder:
            path, n_tokens = prepare(args.corpus, args.max_lines, folder)
            slice_report(args, path, n_tokens, workers, seeds, options)
        return
    args.workers = workers[0]

    with tempfile.TemporaryDirectory() as folder:
        path, n_tokens = prepare(args.corpus, args.max_lines, folder)
        epochs = options.get("epochs", SETTINGS["epochs"])
        print(f"corpus {args.corpus} ({args.max_lines or 'all'} lines): {n_tokens:,} tokens; "
              f"{args.workers} workers; settings {json.dumps({**SETTINGS, **options})}; "
              f"gensim reads corpus_file=; load at start {os.getloadavg()[0]:.2f}", flush=True)
        header = (f"{'mode':9} {'trainer':12} {'words/s':>10} {'train s':>8} {'wall s':>7} "
                  f"{'RSS MB':>7} {'analogy':>7} {'WS353':>6} {'SimLex':>6}")
        print(header)
        print("-" * len(header), flush=True)
        gensim_runs = {}  # gensim's results by its own settings: exact-sg reuses sg-neg's
        for mode in args.modes.split(","):
            results = {}
            gensim_key = (MODES[mode]["architecture"], MODES[mode]["loss"])
            runs: dict[str, list[dict]] = {t: [] for t in args.trainers.split(",")}
            for repeat in range(args.repeat):  # alternate the trainers: same machine state
                for trainer in runs:
                    if trainer.startswith("gensim") and (trainer, gensim_key) in gensim_runs:
                        continue
                    command = [sys.executable, __file__, "--child", trainer, mode, "--path",
                               path, "--workers", str(args.workers), "--options", args.options,
                               "--ours-options", args.ours_options]
                    output = subprocess.run(command, capture_output=True, text=True)
                    if output.returncode:
                        print(f"{mode} {trainer} failed:\n{output.stderr[-3000:]}", flush=True)
                        continue
                    r = json.loads(output.stdout.strip().splitlines()[-1])
                    r["words_per_second"] = n_tokens * epochs / r["train_seconds"]
                    runs[trainer].append(r)
                    if args.repeat > 1:
                        print(f"  run {repeat + 1}: {trainer} {r['words_per_second']:,.0f} "
                              f"words/s, analogy {r['analogy']:.3f}, WS353 {r['ws353']:.3f}, "
                              f"SimLex {r['simlex']:.3f}", flush=True)
            for trainer, trainer_runs in runs.items():
                if trainer.startswith("gensim") and (trainer, gensim_key) in gensim_runs:
                    results[trainer] = gensim_runs[(trainer, gensim_key)]
                    print(f"{mode:9} {trainer:12} (as above)", flush=True)
                    continue
                if not trainer_runs:
                    continue
                # speed: the best run (least disturbed by the machine); quality: the median
                r = dict(max(trainer_runs, key=lambda run: run["words_per_second"]))
                for key in ("analogy", "ws353", "simlex"):
                    r[key] = float(np.median([run[key] for run in trainer_runs]))
                results[trainer] = r
                if trainer.startswith("gensim"):
                    gensim_runs[(trainer, gensim_key)] = r
                print(f"{mode:9} {trainer:12} {r['words_per_second']:>10,.0f} "
                      f"{r['train_seconds']:>8.1f} {r['wall_seconds']:>7.1f} "
                      f"{r['peak_rss_mb']:>7.0f} {r['analogy']:>7.3f} {r['ws353']:>6.3f} "
                      f"{r['simlex']:>6.3f}", flush=True)
            for peer in ("gensim", "gensim-words", "gensim-lines"):
                if "wordspace" not in results or peer not in results:
                    continue
                ours, theirs = results["wordspace"], results[peer]
                print(f"{mode:9} {'/' + peer:12} "
                      f"{ours['words_per_second'] / theirs['words_per_second']:>9.2f}x "
                      f"{'':>8} {ours['wall_seconds'] / theirs['wall_seconds']:>6.2f}x "
                      f"{ours['peak_rss_mb'] / theirs['peak_rss_mb']:>6.2f}x "
                      f"{ours['analogy'] - theirs['analogy']:>+7.3f} "
                      f"{ours['ws353'] - theirs['ws353']:>+6.3f} "
                      f"{ours['simlex'] - theirs['simlex']:>+6.3f}", flush=True)
        print(f"load at end {os.getloadavg()[0]:.2f} (ratio row: speed ours/gensim; quality: "
              "ours - gensim)")


def run_child(trainer: str, mode: str, path: str, workers: int, options: str,
              ours_options: str = "{}") -> dict | None:
    """One training run in its own process; None (and the error shown) when it failed."""
    command = [sys.executable, __file__, "--child", trainer, mode, "--path", path, "--workers",
               str(workers), "--options", options, "--ours-options", ours_options]
    output = subprocess.run(command, capture_output=True, text=True)
    if output.returncode:
        print(f"{mode} {trainer} failed:\n{output.stderr[-3000:]}", flush=True)
        return None
    return json.loads(output.stdout.strip().splitlines()[-1])


def slice_report(args, path: str, n_tokens: int, workers_list: list[int], seeds: list[int],
                 options: dict) -> None:
    """Both tools, every seed and worker count: each run, the means, and ours - gensim."""
    epochs = options.get("epochs", SETTINGS["epochs"])
    ours_options = json.loads(args.ours_options)
    trainers = args.trainers.split(",")
    print(f"corpus {args.corpus} ({args.max_lines or 'all'} lines): {n_tokens:,} tokens; "
          f"workers {workers_list}; seeds {seeds}; settings {json.dumps({**SETTINGS, **options})}"
          f"{'; wordspace only ' + json.dumps(ours_options) if ours_options else ''}; "
          f"gensim reads corpus_file=; load at start {os.getloadavg()[0]:.2f}", flush=True)
    header = (f"{'mode':9} {'workers':>7} {'trainer':10} {'seed':>5} {'words/s':>10} "
              f"{'train s':>8} {'analogy':>7} {'WS353':>6} {'SimLex':>6}")
    keys = ("words_per_second", "train_seconds", "analogy", "ws353", "simlex")
    summary = []
    for mode in args.modes.split(","):
        for workers in workers_list:
            print(header)
            print("-" * len(header), flush=True)
            runs: dict[str, list[dict]] = {t: [] for t in trainers}
            for seed in seeds:
                for trainer in trainers:
                    seeded = json.dumps({**options, "seed": seed})
                    r = run_child(trainer, mode, path, workers, seeded, args.ours_options)
                    if r is None:
                        continue
                    r["words_per_second"] = n_tokens * epochs / r["train_seconds"]
                    runs[trainer].append(r)
                    print(f"{mode:9} {workers:>7} {trainer:10} {seed:>5} "
                          f"{r['words_per_second']:>10,.0f} {r['train_seconds']:>8.1f} "
                          f"{r['analogy']:>7.3f} {r['ws353']:>6.3f} {r['simlex']:>6.3f}",
                          flush=True)
            means = {t: {k: float(np.mean([r[k] for r in rs])) for k in keys}
                     for t, rs in runs.items() if rs}
            for trainer, m in means.items():
                line = (f"{mode:9} {workers:>7} {trainer:10} {'mean':>5} "
                        f"{m['words_per_second']:>10,.0f} {m['train_seconds']:>8.1f} "
                        f"{m['analogy']:>7.3f} {m['ws353']:>6.3f} {m['simlex']:>6.3f}")
                print(line, flush=True)
                summary.append(line)
            for peer in ("gensim", "gensim-words", "gensim-lines"):
                if "wordspace" not in means or peer not in means:
                    continue
                ours, theirs = means["wordspace"], means[peer]
                label = "ours-" + {"gensim": "gensim", "gensim-words": "words",
                                   "gensim-lines": "lines"}[peer]
                line = (f"{mode:9} {workers:>7} {label:10} {'':>5} "
                        f"{ours['words_per_second'] / theirs['words_per_second']:>9.2f}x "
                        f"{'':>8} {ours['analogy'] - theirs['analogy']:>+7.3f} "
                        f"{ours['ws353'] - theirs['ws353']:>+6.3f} "
                        f"{ours['simlex'] - theirs['simlex']:>+6.3f}")
                print(line, flush=True)
                summary.append(line)
    print("\nsummary (means over seeds " + ",".join(map(str, seeds)) + ")")
    print("\n".join(summary))
    print(f"load at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
