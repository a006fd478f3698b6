"""The ``wordspace`` command line, git style: ``wordspace train``, ``wordspace neighbors``, ...

Exit codes: 0 on success, 1 with one line ``wordspace: error: ...`` on a user error (missing file,
empty corpus, unknown word, corrupt model, bad parameter), 2 on bad usage (click's own errors).
Long jobs show a progress bar on stderr; results go to stdout.
"""

from __future__ import annotations

import json
import logging
import sys
import time

import click

from . import _progress
from .errors import WordspaceError

__all__ = ["main", "cli"]

FORMATS = ("word2vec", "word2vec-binary", "npz")


class _Group(click.Group):
    """A click group that turns user errors into one line and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except WordspaceError as error:
            _fail(str(error))
        except OSError as error:  # missing file, no permission, disk full, ...
            reason = error.strerror or str(error)
            _fail(f"{reason}: {error.filename}" if error.filename else reason)
        except MemoryError:
            _fail("out of memory; try a smaller --dim, --max-size or a larger --min-count")
        except KeyboardInterrupt:
            click.echo("wordspace: interrupted", err=True)
            sys.exit(130)


def _fail(message: str):
    click.echo(f"wordspace: error: {message}", err=True)
    sys.exit(1)


def _example(*lines: str) -> str:
    return "\b\nExample:\n" + "\n".join("  " + line for line in lines)


def _load_embeddings(path):
    """Embeddings from any model file: a wordspace model or a word2vec text/binary file."""
    from .vectors import load

    return load(path)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=_example("wordspace train brown -o brown.ws",
                             "wordspace neighbors brown.ws money"))
@click.option("-v", "--verbose", count=True, help="Log what happens (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.version_option(package_name="wordspace")
def cli(verbose: int, quiet: bool):
    """Learn and query vector-space embeddings of words and documents.

    CORPUS arguments take a text file (plain, .gz, .bz2, .xz; one document per line), a folder of
    text files, or `brown` for the Brown corpus embedded in the package.  MODEL arguments take a
    wordspace model file or any word2vec text/binary vectors file.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    _progress.enable(not quiet and sys.stderr.isatty())


# --------------------------------------------------------------------------------- vocab ----
@cli.command(epilog=_example("wordspace vocab brown --min-count 5 --top 20"))
@click.argument("corpus")
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(min=1),
              help="Drop tokens seen fewer times.")
@click.option("--max-size", type=click.IntRange(min=1), help="Keep the most frequent N tokens.")
@click.option("--stopwords", default=None, help="'english', or a file with one word a line.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0),
              help="Show the N most frequent tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def vocab(corpus, min_count, max_size, stopwords, top, as_json):
    """Count the tokens of CORPUS: vocabulary size, top tokens, coverage."""
    from .corpus import Corpus
    from .vocab import Vocabulary

    start = time.perf_counter()
    vocabulary = Vocabulary.build(Corpus(corpus), min_count=min_count, max_size=max_size,
                                  stopwords=stopwords)
    seconds = time.perf_counter() - start
    summary = {
        "corpus": corpus,
        "documents": vocabulary.n_documents,
        "tokens": vocabulary.n_raw_tokens,
        "vocabulary": len(vocabulary),
        "coverage": round(vocabulary.coverage(), 6),
        "seconds": round(seconds, 3),
        "top": [[t, int(c)] for t, c in zip(vocabulary.tokens[:top], vocabulary.counts[:top],
                                            strict=True)],
    }
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(f"corpus      {corpus}")
    click.echo(f"documents   {vocabulary.n_documents:,}")
    click.echo(f"tokens      {vocabulary.n_raw_tokens:,}")
    click.echo(f"vocabulary  {len(vocabulary):,} (min count {min_count})")
    click.echo(f"coverage    {vocabulary.coverage():.2%} of tokens are in the vocabulary")
    click.echo(f"time        {seconds:.2f} s")
    if top:
        click.echo("top tokens  " + ", ".join(f"{t} ({c:,})" for t, c in summary["top"]))


# --------------------------------------------------------------------------------- train ----
def _build_model(method: str, options: dict):
    """The estimator for ``method`` with the options the user gave (None = model default)."""
    given = {k: v for k, v in options.items() if v is not None}
    if method == "lsa":
        from .models.lsa import LSA

        names = ("n_components", "weighting", "stopwords", "min_count", "granularity", "window",
                 "stride", "seed", "n_iter")
        return LSA(**{k: given[k] for k in names if k in given})
    if method == "autoencoder":
        from .models.autoencoder import LinearAutoencoder

        names = ("n_components", "weighting", "stopwords", "min_count", "granularity", "window",
                 "stride", "seed", "epochs", "learning_rate", "batch_size", "optimizer", "tied",
                 "center")
        return LinearAutoencoder(**{k: given[k] for k in names if k in given})
    from .models.word2vec import Word2Vec

    renamed = dict(given, vector_size=given.get("n_components"), window=given.get("context"),
                   alpha=given.get("learning_rate"))
    names = ("vector_size", "window", "architecture", "loss", "negative", "sample", "min_count",
             "epochs", "alpha", "workers", "seed", "tied", "masks", "checkpoint",
             "checkpoint_every")
    if str(renamed.get("checkpoint_every") or "").isdigit():
        renamed["checkpoint_every"] = int(renamed["checkpoint_every"])
    return Word2Vec(**{k: renamed[k] for k in names if renamed.get(k) is not None})


_BOW_OPTIONS = {"n_components", "min_count", "seed", "granularity", "window", "stride",
                "weighting", "stopwords"}
_TRAIN_OPTIONS = {  # CLI options each method takes (the others are refused, not ignored)
    "lsa": _BOW_OPTIONS,
    "autoencoder": _BOW_OPTIONS | {"epochs", "learning_rate", "tied"},
    "word2vec": {"n_components", "min_count", "seed", "epochs", "architecture", "loss",
                 "context", "negative", "sample", "learning_rate", "workers", "tied", "masks",
                 "checkpoint", "checkpoint_every"},
}


@cli.command(epilog=_example(
    "wordspace train brown --method word2vec --dim 100 -o brown.ws",
    "wordspace train big.txt --checkpoint run.ckpt --checkpoint-every 10m -o w2v.ws",
    "wordspace train big.txt --resume run.ckpt -o w2v.ws",
    "wordspace train big.txt.gz --method lsa --dim 300 --granularity paragraph -o lsa.ws"))
@click.argument("corpus")
@click.option("-o", "--output", required=True, help="Model file to write.")
@click.option("--method", type=click.Choice(["word2vec", "lsa", "autoencoder"]),
              default="word2vec", show_default=True)
@click.option("--dim", "n_components", type=click.IntRange(min=1), default=100, show_default=True,
              help="Embedding dimension k.")
@click.option("--min-count", type=click.IntRange(min=1), help="Drop rarer tokens.")
@click.option("--epochs", type=click.IntRange(min=1), help="Passes over the corpus (SGD models).")
@click.option("--seed", type=int, help="Random seed.")
@click.option("--granularity", type=click.Choice(["document", "paragraph", "window"]),
              help="LSA/autoencoder: unit that becomes one bag of words.")
@click.option("--window-tokens", "window", type=click.IntRange(min=1),
              help="LSA/autoencoder with --granularity window: tokens per window.")
@click.option("--stride", type=click.IntRange(min=1), help="Step between windows.")
@click.option("--weighting", help="LSA/autoencoder: tfidf, count, binary, tf, log, logidf ...")
@click.option("--stopwords", help="LSA/autoencoder: 'english' (default), 'none' or a file.")
@click.option("--architecture", type=click.Choice(["cbow", "skipgram"]), help="word2vec.")
@click.option("--loss", type=click.Choice(["negative", "hierarchical", "softmax"]),
              help="word2vec output layer.")
@click.option("--window", "context", type=click.IntRange(min=1), help="word2vec context size k.")
@click.option("--negative", type=click.IntRange(min=1), help="word2vec negative samples.")
@click.option("--sample", type=click.FloatRange(min=0), help="word2vec subsampling threshold.")
@click.option("--alpha", "learning_rate", type=click.FloatRange(min=0, min_open=True),
              help="Initial learning rate.")
@click.option("--workers", type=click.IntRange(min=1), help="Threads.")
@click.option("--tied/--untied", default=None, help="One shared matrix, or input and output ones.")
@click.option("--masks", type=click.IntRange(min=1), help="word2vec: masked tokens per window.")
@click.option("--checkpoint", metavar="FILE",
              help="word2vec: keep a resumable checkpoint of the training in FILE.")
@click.option("--checkpoint-every", metavar="N|DURATION",
              help="word2vec: checkpoint every N corpus tokens or every 90s, 10m, 1h (10m).")
@click.option("--resume", metavar="FILE",
              help="Continue the word2vec training recorded in checkpoint FILE on CORPUS.")
def train(corpus, output, method, resume, **options):
    """Train a model on CORPUS and write it to a model file."""
    import os

    from .corpus import Corpus
    from .errors import ParameterError

    allowed = _TRAIN_OPTIONS[method] if resume is None else {"n_components"}
    misplaced = [name for name, value in options.items()
                 if value is not None and name not in allowed]
    if resume is not None and misplaced:
        method = "word2vec --resume (the checkpoint holds the settings)"
    elif resume is not None and method != "word2vec":
        raise click.UsageError("--resume continues a word2vec training only")
    if misplaced:
        flags = {param.name: param.opts[-1] for param in click.get_current_context().command.params}
        verb = "does" if len(misplaced) == 1 else "do"
        raise click.UsageError(f"{', '.join(flags[name] for name in misplaced)} {verb} not apply "
                               f"to --method {method}")
    # fail now, not after hours of training
    folder = os.path.dirname(os.path.abspath(output))
    if not output or os.path.isdir(output):
        raise ParameterError(f"cannot write {output!r}: not a file name (it is a folder or empty)")
    if not os.path.isdir(folder):
        raise ParameterError(f"cannot write {output}: folder {folder} does not exist")
    if options.get("stopwords") == "none":
        options["stopwords"] = False
    source = Corpus(corpus)
    start = time.perf_counter()
    if resume is not None:
        from .models.word2vec import Word2Vec

        model = Word2Vec.resume(resume, source)
        options["n_components"] = model.vector_size
    else:
        model = _build_model(method, options)
        model.fit(source)
    seconds = time.perf_counter() - start
    model.save(output)
    size = len(model.vocabulary_) if hasattr(model, "vocabulary_") else "?"
    click.echo(f"trained {method} on {corpus}: {size} tokens x {options['n_components']} "
               f"dimensions in {seconds:.1f} s -> {output}")


# ------------------------------------------------------------------------------- queries ----
@cli.command(epilog=_example("wordspace neighbors brown.ws money --topn 5"))
@click.argument("model")
@click.argument("words", nargs=-1, required=True)
@click.option("--topn", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--metric", type=click.Choice(["cosine", "dot"]), default="cosine",
              show_default=True)
@click.option("--negative", multiple=True, help="Subtract this word's vector (repeatable).")
def neighbors(model, words, topn, metric, negative):
    """Nearest neighbours of WORDS (their vectors summed) in MODEL."""
    embeddings = _load_embeddings(model)
    results = embeddings.most_similar(positive=list(words), negative=list(negative), topn=topn,
                                      metric=metric)
    for token, score in results:
        click.echo(f"{score:8.4f}  {token}")


@cli.command(epilog=_example("wordspace analogy vectors.bin man king woman"))
@click.argument("model")
@click.argument("a")
@click.argument("b")
@click.argument("c")
@click.option("--topn", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--method", type=click.Choice(["3cosadd", "3cosmul"]), default="3cosadd",
              show_default=True)
def analogy(model, a, b, c, topn, method):
    """A is to B as C is to ?  (e.g. man king woman -> queen)."""
    embeddings = _load_embeddings(model)
    for token, score in embeddings.analogy(a, b, c, method=method, topn=topn):
        click.echo(f"{score:8.4f}  {token}")


@cli.command(epilog=_example("wordspace info brown.ws"))
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(model, as_json):
    """What MODEL holds: kind, vocabulary size, dimension, parameters."""
    from . import _store

    details: dict = {"file": model}
    if _store.is_model_file(model):
        header, arrays = _store.load(model, mmap=True)
        details["kind"] = header.get("kind")
        details["format_version"] = header.get("format_version")
        if "params" in header:
            details["params"] = header["params"]
        details["arrays"] = {name: list(array.shape) for name, array in arrays.items()}
    else:
        details["kind"] = "word2vec-format vectors"
    embeddings = _load_embeddings(model)
    details["vocabulary"] = len(embeddings)
    details["dimension"] = int(embeddings.vectors.shape[1])
    details["first tokens"] = list(embeddings.tokens[:10])
    if as_json:
        click.echo(json.dumps(details))
        return
    for key, value in details.items():
        click.echo(f"{key:<15} {value}")


@cli.command(epilog=_example("wordspace convert brown.ws brown.bin --format word2vec-binary"))
@click.argument("model")
@click.argument("out")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="word2vec text, word2vec binary, or wordspace's own npz-based file.")
def convert(model, out, fmt):
    """Write MODEL's word vectors to OUT in another format."""
    embeddings = _load_embeddings(model)
    if fmt == "npz":
        embeddings.save(out)
    else:
        embeddings.save_word2vec_format(out, binary=fmt == "word2vec-binary")
    click.echo(f"wrote {len(embeddings)} vectors to {out} ({fmt})")


@cli.command(name="evaluate",
             epilog=_example("wordspace evaluate brown.ws --data ../shared/data/eval",
                             "wordspace evaluate vectors.bin --pairs simlex999.tsv --json"))
@click.argument("model")
@click.option("--pairs", multiple=True, metavar="FILE",
              help="Word-pair similarity file (word1 word2 score per line); repeatable.")
@click.option("--analogies", "analogy_files", multiple=True, metavar="FILE",
              help="Analogy questions file (': section' lines, then 'a b c d'); repeatable.")
@click.option("--data", "data_dir", metavar="DIR",
              help="Folder with the standard sets (default: $WORDSPACE_DATA); used when no "
                   "--pairs/--analogies is given.")
@click.option("--restrict-vocab", type=click.IntRange(min=1), default=30000, show_default=True,
              help="Analogies: search and accept only the N most frequent tokens.")
@click.option("--method", type=click.Choice(["3cosadd", "3cosmul"]), default="3cosadd",
              show_default=True, help="Analogy solver.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def evaluate_command(model, pairs, analogy_files, data_dir, restrict_vocab, method, as_json):
    """Score MODEL on word-similarity and analogy sets: one row per set, with coverage."""
    from . import evaluate as evaluation

    embeddings = _load_embeddings(model)
    if pairs or analogy_files:
        rows = [evaluation.evaluate_file(embeddings, path, "pairs") for path in pairs]
        rows += [evaluation.evaluate_file(embeddings, path, "analogies",
                                          restrict_vocab=restrict_vocab, method=method)
                 for path in analogy_files]
    else:
        rows = evaluation.evaluate_all(embeddings, data_dir, restrict_vocab=restrict_vocab,
                                       method=method)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows]))
    else:
        click.echo(evaluation.format_table(rows))


# ---------------------------------------------------------------------------------- plot ----
def _known_case(embeddings, word: str) -> str:
    """``word`` as the vocabulary spells it: as given, else lowercased (models lowercase)."""
    if word in embeddings or word.lower() not in embeddings:
        return word
    return word.lower()


def _plot_documents(model, documents, labels_file, text_column, label_column, max_documents,
                    seed):
    """Document vectors and labels for ``wordspace plot --documents``."""
    import numpy as np

    from . import _store, datasets
    from .corpus import Corpus
    from .errors import ParameterError
    from .models import load as load_model
    from .plot import read_labels

    if not _store.is_model_file(model):
        raise ParameterError(f"--documents needs an LSA or autoencoder model file; {model} holds "
                             f"word vectors only")
    estimator = load_model(model)
    if not hasattr(estimator, "transform"):
        raise ParameterError(f"--documents needs an LSA or autoencoder model; {model} is a "
                             f"{type(estimator).__name__} model, which has no document vectors")
    name = str(documents).lower()
    if name.endswith((".tsv", ".tsv.gz")) or (documents == "brown" and not labels_file):
        collection = (datasets.brown() if documents == "brown" else
                      datasets.read_tsv(documents, text=tuple(text_column.split(",")),
                                        label=label_column))
        texts, labels = collection.texts, collection.labels
    else:
        if not labels_file:
            raise click.UsageError("--documents CORPUS needs --labels FILE (one label a line), "
                                   "unless CORPUS is 'brown' or a labelled .tsv[.gz] file")
        texts = [" ".join(tokens) for tokens in Corpus(documents)]
        labels = None
    if labels_file:
        labels = read_labels(labels_file)
    if len(labels) != len(texts):
        raise ParameterError(f"{len(texts)} documents but {len(labels)} labels; need one label "
                             f"per document")
    if max_documents and max_documents < len(texts):
        keep = np.sort(np.random.default_rng(seed).choice(len(texts), max_documents,
                                                          replace=False))
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    # one line per document, so that a model trained on paragraphs gives one row per document
    texts = [" ".join(text.split()) for text in texts]
    vectors = np.asarray(estimator.transform(texts))
    if vectors.shape[0] != len(texts):
        # a model of token windows codes each window: a document is the mean of its windows
        vectors = np.vstack([np.asarray(estimator.transform([text])).mean(axis=0)
                             for text in texts])
    return vectors, labels


@cli.command(epilog=_example(
    "wordspace plot brown.ws --words king,queen,man,woman --arrows -o arrows.png",
    "wordspace plot brown.ws --topn 80 --method tsne -o words.svg",
    "wordspace plot vectors.bin --analogies questions-words.txt "
    "--section capital-common-countries -o capitals.png",
    "wordspace plot lsa.ws --documents brown -o genres.pdf",
    "wordspace plot lsa.ws --documents news.txt --labels topics.txt -o news.png"))
@click.argument("model")
@click.option("-o", "--output", required=True, help="Image to write: .png, .svg or .pdf.")
@click.option("--words", help="Comma-separated words to draw (default: the --topn most frequent).")
@click.option("--topn", default=60, show_default=True, type=click.IntRange(min=2),
              help="Without --words: draw the N most frequent words that are not stopwords.")
@click.option("--arrows", "as_arrows", is_flag=True,
              help="With --words: arrows from the origin instead of points.")
@click.option("--analogies", metavar="FILE",
              help="Word pairs to join by lines: 'a b' lines, or 'a b c d' analogy lines.")
@click.option("--section", help="With --analogies: only this ': section' of the file.")
@click.option("--max-pairs", default=30, show_default=True, type=click.IntRange(min=2),
              help="With --analogies: draw at most N pairs.")
@click.option("--documents", metavar="CORPUS",
              help="Map these documents (needs an LSA/autoencoder MODEL): a corpus with "
                   "--labels, 'brown', or a labelled FILE.tsv[.gz].")
@click.option("--labels", metavar="FILE", help="With --documents: one label a line.")
@click.option("--label-column", default="label", show_default=True,
              help="With a .tsv collection: the column of labels.")
@click.option("--text-column", default="text", show_default=True,
              help="With a .tsv collection: the text column(s), comma-separated (e.g. "
                   "subject,body).")
@click.option("--max-documents", type=click.IntRange(min=2),
              help="With --documents: a random sample of N documents.")
@click.option("--method", type=click.Choice(["pca", "tsne"]), default="pca", show_default=True,
              help="Projection to 2-D.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of t-SNE and of --max-documents.")
@click.option("--skip-unknown", is_flag=True, help="Leave out unknown words instead of failing.")
@click.option("--title", help="Title of the picture.")
@click.option("--size", default=None, metavar="WxH", help="Size in inches, e.g. 10x8.")
@click.option("--dpi", default=100, show_default=True, type=click.IntRange(min=10),
              help="Resolution of PNG files.")
def plot(model, output, words, topn, as_arrows, analogies, section, max_pairs, documents,
         labels, label_column, text_column, max_documents, method, seed, skip_unknown, title,
         size, dpi):
    """Draw MODEL: words, arrows, analogy pairs or documents, as a PNG, SVG or PDF picture."""
    import warnings

    from . import plot as plotting
    from .errors import ParameterError

    chosen = [flag for flag, value in (("--words", words), ("--analogies", analogies),
                                       ("--documents", documents)) if value]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined; draw one at a time")
    if as_arrows and not words:
        raise click.UsageError("--arrows needs --words")
    if labels and not documents:
        raise click.UsageError("--labels goes with --documents")
    if section and not analogies:
        raise click.UsageError("--section goes with --analogies")
    figsize = None
    if size:
        try:
            width, height = (float(part) for part in size.lower().split("x"))
        except ValueError:
            raise click.BadParameter(f"expected WIDTHxHEIGHT in inches, got {size!r}",
                                     param_hint="--size") from None
        if not (0 < width <= 100 and 0 < height <= 100):
            raise click.BadParameter("width and height must be between 0 and 100 inches",
                                     param_hint="--size")
        figsize = (width, height)
    if not output.lower().endswith((".png", ".svg", ".pdf")):
        raise click.BadParameter("the picture's file name must end in .png, .svg or .pdf",
                                 param_hint="-o/--output")
    look = dict(path=output, title=title, figsize=figsize, dpi=dpi)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if documents:
            vectors, doc_labels = _plot_documents(model, documents, labels, text_column,
                                                  label_column, max_documents, seed)
            plotting.document_map(vectors, doc_labels, method=method, seed=seed, **look)
            drawn = f"{len(doc_labels)} documents, {len(set(doc_labels))} labels"
        else:
            embeddings = _load_embeddings(model)
            if analogies:
                pairs = plotting.read_pairs(analogies, section)
                pairs = [(_known_case(embeddings, a), _known_case(embeddings, b))
                         for a, b in pairs]
                if skip_unknown:
                    pairs = [(a, b) for a, b in pairs if a in embeddings and b in embeddings]
                    if len(pairs) < 2:
                        raise ParameterError(f"fewer than 2 pairs of {analogies} are in the "
                                             f"vocabulary of {model}")
                pairs = pairs[:max_pairs]
                plotting.analogy_map(embeddings, pairs, method=method, seed=seed,
                                     skip_unknown=skip_unknown, **look)
                drawn = f"{len(pairs)} pairs"
            elif words:
                chosen_words = [_known_case(embeddings, w.strip())
                                for w in words.split(",") if w.strip()]
                if as_arrows:
                    plotting.arrows(embeddings, chosen_words, skip_unknown=skip_unknown, **look)
                else:
                    plotting.word_map(embeddings, chosen_words, method=method, seed=seed,
                                      skip_unknown=skip_unknown, **look)
                drawn = f"{len(chosen_words)} words"
            else:
                plotting.word_map(embeddings, topn=topn, method=method, seed=seed, **look)
                drawn = f"the {min(topn, len(embeddings))} most frequent words"
    for warning in caught:
        click.echo(f"wordspace: warning: {warning.message}", err=True)
    click.echo(f"drew {drawn} -> {output}")


# -------------------------------------------------------------------------------- topics ----
@cli.command(epilog=_example("wordspace train brown --method lsa --dim 50 -o brown-lsa.ws",
                             "wordspace topics brown-lsa.ws --count 5 --topn 8"))
@click.argument("model")
@click.option("--count", "n_topics", default=10, show_default=True, type=click.IntRange(min=1),
              help="Components to show, strongest first.")
@click.option("--topn", default=10, show_default=True, type=click.IntRange(min=1),
              help="Words per component.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def topics(model, n_topics, topn, as_json):
    """The top words of each component of an LSA MODEL (largest |weight|, signed)."""
    from .models.lsa import LSA

    lsa = LSA.load(model)
    shown = lsa.topics(topn=topn)[:n_topics]
    shares = lsa.explained_energy_ratio_
    if as_json:
        click.echo(json.dumps([{"component": i, "energy": round(float(shares[i]), 6),
                                "words": [[w, round(x, 6)] for w, x in words]}
                               for i, words in enumerate(shown)]))
        return
    for i, words in enumerate(shown):
        listed = "  ".join(f"{'-' if x < 0 else '+'}{w}" for w, x in words)
        click.echo(f"{i:3d} ({shares[i]:6.2%})  {listed}")

def main(argv=None):
    """Entry point of the ``wordspace`` script."""
    cli.main(args=argv, prog_name="wordspace")


if __name__ == "__main__":  # pragma: no cover
    main()
