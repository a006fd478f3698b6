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
            written = ctx.meta.get("wordspace.written")
            if written:  # the work is done and its file whole: not a failure
                click.echo(f"wordspace: interrupted after {written} was written", err=True)
                sys.exit(0)
            click.echo("wordspace: interrupted", err=True)
            sys.exit(130)


class _interrupts_deferred:
    """Hold Ctrl-C back while a result is written: the file is finished, then we stop."""

    def __enter__(self):
        import signal
        import threading

        self._caught = False
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            def remember(signum, frame):
                self._caught = True

            self._previous = signal.signal(signal.SIGINT, remember)
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._previous is not None:
            import signal

            signal.signal(signal.SIGINT, self._previous)
        if self._caught and exc_type is None:
            raise KeyboardInterrupt
        return False


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


def _check_encoding(ctx, param, value):
    import codecs

    if value not in (None, "auto"):
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value or "auto"


_encoding_option = click.option(
    "--encoding", default="auto", show_default=True, callback=_check_encoding,
    help="Text encoding of CORPUS: auto (byte-order mark, else UTF-8, else Latin-1 with a "
         "warning), or any Python codec: utf-8, latin-1, utf-16, cp1252 ...")


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
@_encoding_option
def vocab(corpus, min_count, max_size, stopwords, top, as_json, encoding):
    """Count the tokens of CORPUS: vocabulary size, top tokens, coverage."""
    from .corpus import Corpus
    from .vocab import Vocabulary

    start = time.perf_counter()
    vocabulary = Vocabulary.build(Corpus(corpus, encoding=encoding), min_count=min_count,
                                  max_size=max_size, stopwords=stopwords)
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
                 "stride", "seed", "n_iter", "stemmer")
        return LSA(**{k: given[k] for k in names if k in given})
    if method == "autoencoder":
        from .models.autoencoder import LinearAutoencoder

        names = ("n_components", "weighting", "stopwords", "min_count", "granularity", "window",
                 "stride", "seed", "epochs", "learning_rate", "batch_size", "optimizer", "tied",
                 "center", "stemmer", "checkpoint", "checkpoint_every")
        if str(given.get("checkpoint_every") or "").isdigit():
            given["checkpoint_every"] = int(given["checkpoint_every"])
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
                "weighting", "stopwords", "stemmer"}
_TRAIN_OPTIONS = {  # CLI options each method takes (the others are refused, not ignored)
    "lsa": _BOW_OPTIONS,
    "autoencoder": _BOW_OPTIONS | {"epochs", "learning_rate", "tied", "checkpoint",
                                   "checkpoint_every"},
    "word2vec": {"n_components", "min_count", "seed", "epochs", "architecture", "loss",
                 "context", "negative", "sample", "learning_rate", "workers", "tied", "masks",
                 "checkpoint", "checkpoint_every"},
    "classifier": {"n_components", "min_count", "seed", "epochs", "context", "negative",
                   "sample", "learning_rate", "workers", "labels", "pretrained", "freeze",
                   "proxy_weight", "unlabeled", "ngrams"},
}


@cli.command(epilog=_example(
    "wordspace train brown --method word2vec --dim 100 -o brown.ws",
    "wordspace train big.txt --checkpoint run.ckpt --checkpoint-every 10m -o w2v.ws",
    "wordspace train big.txt --resume run.ckpt -o w2v.ws",
    "wordspace train big.txt.gz --method lsa --dim 300 --granularity paragraph -o lsa.ws",
    "wordspace train news.tsv --method classifier --pretrained w2v.ws -o clf.ws"))
@click.argument("corpus")
@click.option("-o", "--output", required=True, help="Model file to write.")
@click.option("--method", type=click.Choice(["word2vec", "lsa", "autoencoder", "classifier"]),
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
@click.option("--stemmer", help="LSA/autoencoder: a Snowball stemmer, e.g. 'english'; topics and "
              "vectors show each stem's most frequent word.")
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
@click.option("--labels", metavar="FILE",
              help="classifier: one label per line of CORPUS (else CORPUS is a label<TAB>text "
                   "file).")
@click.option("--pretrained", metavar="MODEL",
              help="classifier: initial first layer (wordspace model or word2vec file).")
@click.option("--freeze", is_flag=True, default=None,
              help="classifier: keep the pre-trained first layer fixed.")
@click.option("--proxy-weight", type=click.FloatRange(min=0),
              help="classifier: lambda of the joint loss true + lambda * CBOW.")
@click.option("--unlabeled", metavar="CORPUS",
              help="classifier: more texts for the proxy task, one a line.")
@click.option("--ngrams", type=click.IntRange(min=1),
              help="classifier: longest word n-gram feature (2: bigrams).")
@click.option("--checkpoint", metavar="FILE",
              help="word2vec, autoencoder: keep a resumable checkpoint of the training in FILE.")
@click.option("--checkpoint-every", metavar="N|DURATION",
              help="word2vec: checkpoint every N corpus tokens, autoencoder: every N epochs; or "
                   "every 90s, 10m, 1h (10m).")
@click.option("--resume", metavar="FILE",
              help="Continue the word2vec or autoencoder training recorded in checkpoint FILE "
                   "on CORPUS.")
@_encoding_option
def train(corpus, output, method, resume, encoding, **options):
    """Train a model on CORPUS and write it to a model file.

    With --method classifier, CORPUS holds one text a line and --labels one label a line, or
    CORPUS is a labelled TSV file (label<TAB>text lines).
    """
    from . import _store
    from .corpus import Corpus

    options["freeze"] = options["freeze"] or None

    allowed = _TRAIN_OPTIONS[method] if resume is None else {"n_components"}
    misplaced = [name for name, value in options.items()
                 if value is not None and name not in allowed]
    if resume is not None and misplaced:
        method = "word2vec --resume (the checkpoint holds the settings)"
    elif resume is not None and method not in ("word2vec", "autoencoder"):
        raise click.UsageError("--resume continues a word2vec or autoencoder training only")
    if misplaced:
        flags = {param.name: param.opts[-1] for param in click.get_current_context().command.params}
        verb = "does" if len(misplaced) == 1 else "do"
        raise click.UsageError(f"{', '.join(flags[name] for name in misplaced)} {verb} not apply "
                               f"to --method {method}")
    _store.check_writable(output)  # fail now, not after hours of training
    if options.get("stopwords") == "none":
        options["stopwords"] = False
    if method == "classifier":
        _train_classifier(corpus, output, options)
        return
    source = Corpus(corpus, encoding=encoding)
    start = time.perf_counter()
    if resume is not None:
        if _store.load(resume)[0].get("kind") == "autoencoder-checkpoint":
            from .models.autoencoder import LinearAutoencoder

            model = LinearAutoencoder.resume(resume, source)
            method, options["n_components"] = "autoencoder", model.n_components
        else:
            from .models.word2vec import Word2Vec

            model = Word2Vec.resume(resume, source)
            options["n_components"] = model.vector_size
    else:
        model = _build_model(method, options)
        model.fit(source)
    seconds = time.perf_counter() - start
    with _interrupts_deferred():  # Ctrl-C during the save: the file is finished, then we stop
        model.save(output)
        click.get_current_context().meta["wordspace.written"] = output
    size = len(model.vocabulary_) if hasattr(model, "vocabulary_") else "?"
    click.echo(f"trained {method} on {corpus}: {size} tokens x {options['n_components']} "
               f"dimensions in {seconds:.1f} s -> {output}")


def _train_classifier(corpus, output, options):
    """``wordspace train CORPUS --method classifier``: texts and labels in, a model file out."""
    from .models.classifier import TextClassifier, read_labelled

    given = {k: v for k, v in options.items() if v is not None}
    if given.get("labels"):
        from .models.classifier import _as_texts

        texts, labels = _as_texts(corpus, "texts"), _as_texts(given["labels"], "labels")
        labels = [label.strip() for label in labels]
    elif str(corpus).lower().endswith((".tsv", ".tsv.gz", ".tsv.bz2", ".tsv.xz")):
        texts, labels = read_labelled(corpus)
    else:
        raise click.UsageError("--method classifier needs --labels FILE (one label a line), "
                               "unless CORPUS is a labelled .tsv file (label<TAB>text)")
    renamed = dict(given, vector_size=given.get("n_components"), window=given.get("context"),
                   alpha=given.get("learning_rate"))
    names = ("vector_size", "window", "negative", "sample", "min_count", "epochs", "alpha",
             "workers", "seed", "pretrained", "freeze", "proxy_weight", "ngrams")
    model = TextClassifier(**{k: renamed[k] for k in names if renamed.get(k) is not None})
    start = time.perf_counter()
    model.fit(texts, labels, unlabeled=given.get("unlabeled"))
    seconds = time.perf_counter() - start
    model.save(output)
    click.echo(f"trained classifier on {corpus}: {len(texts)} texts, {len(model.classes_)} "
               f"classes, {len(model.vocabulary_)} tokens x {model.input_vectors_.shape[1]} "
               f"dimensions, training accuracy {model.accuracy_history_[-1]:.3f} in "
               f"{seconds:.1f} s -> {output}")


def _load_classifier(path):
    from . import _store
    from .errors import ModelFormatError
    from .models import load as load_model
    from .models.classifier import TextClassifier

    if not _store.is_model_file(path) and not _store.looks_like_zip(path):
        import os

        if not os.path.exists(path):
            raise ModelFormatError(f"model file {path} does not exist")
        raise ModelFormatError(f"{path} is not a wordspace model file, so not a classifier")
    model = load_model(path)
    if not isinstance(model, TextClassifier):
        raise ModelFormatError(f"{path} holds a {type(model).__name__} model, not a classifier "
                               "(train one with --method classifier)")
    return model


@cli.command(epilog=_example("wordspace predict clf.ws texts.txt",
                             "wordspace predict clf.ws texts.txt --proba"))
@click.argument("model")
@click.argument("texts")
@click.option("--proba", is_flag=True, help="Print each class's probability (a header row, "
                                             "then one row per text).")
def predict(model, texts, proba):
    """Label each line of TEXTS (or each text of a label<TAB>text file) with MODEL."""
    from .errors import CorpusError
    from .models.classifier import _as_texts, read_labelled

    classifier = _load_classifier(model)
    if str(texts).lower().endswith((".tsv", ".tsv.gz", ".tsv.bz2", ".tsv.xz")):
        documents, _ = read_labelled(texts)
    else:
        documents = _as_texts(texts, "texts")
    empty = [i for i, text in enumerate(documents) if not text.strip()]
    if empty:
        raise CorpusError(f"{texts}: line {empty[0] + 1} is empty; give one text a line")
    if proba:
        click.echo("\t".join(str(c) for c in classifier.classes_))
        for row in classifier.predict_proba(documents):
            click.echo("\t".join(f"{p:.4f}" for p in row))
        return
    for label in classifier.predict(documents):
        click.echo(str(label))


def _evaluate_documents(model, documents, as_json, confusion_path):
    """``wordspace evaluate MODEL --documents TSV``: accuracy, macro-F1, confusion matrix."""
    import numpy as np
    from sklearn.metrics import confusion_matrix, f1_score

    from .models.classifier import read_labelled

    classifier = _load_classifier(model)
    texts, labels = read_labelled(documents)
    truth = np.array([str(label) for label in labels])
    predicted = np.array([str(label) for label in classifier.predict(texts)])
    names = sorted(set(truth) | set(predicted))
    matrix = confusion_matrix(truth, predicted, labels=names)
    accuracy = float(np.mean(truth == predicted))
    macro_f1 = float(f1_score(truth, predicted, labels=names, average="macro", zero_division=0))
    if confusion_path:
        from . import plot as plotting

        plotting.confusion_matrix(matrix, names, path=confusion_path,
                                  title=f"{model} on {documents}")
    if as_json:
        click.echo(json.dumps({"documents": len(texts), "accuracy": accuracy,
                               "macro_f1": macro_f1, "labels": names,
                               "confusion": matrix.tolist()}))
        return
    click.echo(f"documents {len(texts)}")
    click.echo(f"accuracy  {accuracy:.4f}")
    click.echo(f"macro-F1  {macro_f1:.4f}")
    width = max(6, *(len(n) for n in names))
    click.echo("confusion (rows: true label, columns: predicted)")
    click.echo(" " * width + " " + " ".join(f"{i:>5d}" for i in range(len(names))))
    for i, name in enumerate(names):
        click.echo(f"{name:<{width}} " + " ".join(f"{c:>5d}" for c in matrix[i])
                   + f"   ({i})")


# ------------------------------------------------------------------------------- queries ----
@cli.command(epilog=_example("wordspace neighbors brown.ws money --topn 5",
                             "wordspace neighbors brown.ws president week church",
                             "wordspace neighbors brown.ws king woman --negative man --sum"))
@click.argument("model")
@click.argument("words", nargs=-1, required=True)
@click.option("--topn", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--metric", type=click.Choice(["cosine", "dot"]), default="cosine",
              show_default=True)
@click.option("--negative", multiple=True, help="Subtract this word's vector (repeatable).")
@click.option("--sum", "summed", is_flag=True,
              help="One list for the sum of the WORDS' vectors instead of one list per word.")
def neighbors(model, words, topn, metric, negative, summed):
    """Nearest neighbours of each of WORDS in MODEL (one headed list per word), or of their
    sum with --sum."""
    embeddings = _load_embeddings(model)
    queries = [list(words)] if summed else [[word] for word in words]
    # every query first, so that an unknown word fails before anything is printed
    results = [embeddings.most_similar(positive=query, negative=list(negative), topn=topn,
                                       metric=metric) for query in queries]
    for number, (query, found) in enumerate(zip(queries, results, strict=True)):
        if len(queries) > 1:
            click.echo(("\n" if number else "") + query[0] + ":")
        for token, score in found:
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
             epilog=_example("wordspace evaluate brown.ws",
                             "wordspace evaluate vectors.bin --pairs simlex999.tsv --json",
                             "wordspace evaluate clf.ws --documents test.tsv"))
@click.argument("model")
@click.option("--pairs", multiple=True, metavar="FILE",
              help="Word-pair similarity file (word1 word2 score per line); repeatable.")
@click.option("--analogies", "analogy_files", multiple=True, metavar="FILE",
              help="Analogy questions file (': section' lines, then 'a b c d'); repeatable.")
@click.option("--data", "data_dir", metavar="DIR",
              help="Folder with the standard sets (default: $WORDSPACE_DATA, else the Google "
                   "analogies, WordSim-353 and SimLex-999 shipped in the package); used when no "
                   "--pairs/--analogies is given.")
@click.option("--restrict-vocab", type=click.IntRange(min=1), default=30000, show_default=True,
              help="Analogies: search and accept only the N most frequent tokens.")
@click.option("--method", type=click.Choice(["3cosadd", "3cosmul"]), default="3cosadd",
              show_default=True, help="Analogy solver.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--documents", metavar="TSV",
              help="A classifier MODEL on labelled texts (label<TAB>text): accuracy, macro-F1, "
                   "confusion matrix.")
@click.option("--confusion", metavar="IMAGE",
              help="With --documents: draw the confusion matrix (.png, .svg, .pdf).")
def evaluate_command(model, pairs, analogy_files, data_dir, restrict_vocab, method, as_json,
                     documents, confusion):
    """Score MODEL on word-similarity and analogy sets: one row per set, with coverage.

    With --documents, score a classifier MODEL on labelled texts instead.
    """
    from . import evaluate as evaluation

    if documents:
        _evaluate_documents(model, documents, as_json, confusion)
        return

    embeddings = _load_embeddings(model)
    if pairs or analogy_files:
        rows = [evaluation.evaluate_file(embeddings, path, "pairs") for path in pairs]
        rows += [evaluation.evaluate_file(embeddings, path, "analogies",
                                          restrict_vocab=restrict_vocab, method=method)
                 for path in analogy_files]
    else:
        rows = evaluation.evaluate_all(embeddings, data_dir, restrict_vocab=restrict_vocab,
                                       method=method)
    for row in rows:
        if row.skipped_lines:
            click.echo(f"wordspace: warning: {row.set}: {row.skipped_lines} malformed lines "
                       "skipped", err=True)
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
                drawn = f"{len([w for w in dict.fromkeys(chosen_words) if w in embeddings])} words"
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

# ------------------------------------------------------------------------------- explore ----
@cli.command(epilog=_example(
    "wordspace explore brown.ws",
    "wordspace explore epoch1.ws epoch5.ws          # side by side, aligned",
    "wordspace explore lsa.ws --documents brown     # the 500 Brown texts by genre"))
@click.argument("model")
@click.argument("model2", required=False)
@click.option("--documents", metavar="CORPUS",
              help="Show documents instead of words (needs an LSA/autoencoder MODEL): a corpus "
                   "with --labels, 'brown', or a labelled FILE.tsv[.gz].")
@click.option("--labels", metavar="FILE", help="With --documents: one label a line.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (anything but 127.0.0.1 exposes the model).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of t-SNE and UMAP.")
def explore(model, model2, documents, labels, host, port, no_browser, seed):
    """Explore MODEL in the browser: a 2-D/3-D map with search, neighbours, analogies, t-SNE,
    UMAP and custom axes; with MODEL2, both side by side, aligned by orthogonal Procrustes."""
    import os

    from .explore import check_port, free_port
    from .explore import explore as serve
    from .vectors import Embeddings

    if labels and not documents:
        raise click.UsageError("--labels goes with --documents")
    if documents and model2:
        raise click.UsageError("--documents shows one model; leave out MODEL2")
    names = [os.path.basename(model), os.path.basename(model2 or "")]
    if documents:
        vectors, doc_labels = _plot_documents(model, documents, labels, "text", "label", None,
                                              seed)
        points = Embeddings([f"{label}/{i + 1}" for i, label in enumerate(doc_labels)], vectors)
        app_args = dict(model=points, labels=doc_labels, kind="documents")
    else:
        app_args = dict(model=_load_embeddings(model),
                        second=_load_embeddings(model2) if model2 else None)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"wordspace: warning: listening on {host}: anyone who can reach it can query "
                   "the model", err=True)
    port = port or free_port(host)
    check_port(host, port)
    url_host = f"[{host}]" if ":" in host else host
    click.echo(f"wordspace explorer on http://{url_host}:{port}/ (Ctrl-C to stop)", err=True)
    serve(**app_args, names=names, host=host, port=port, open_browser=not no_browser, seed=seed)


# ------------------------------------------------------------------------------- lecture ----
@cli.command(name="lecture", epilog=_example(
    "wordspace lecture -o lecture/",
    "wordspace lecture -o lecture-big/ --corpus ../shared/data/corpus/big.txt.gz"))
@click.option("-o", "--output", required=True, help="Folder for the PNGs, lecture.json and "
              "lecture.pdf (made if missing).")
@click.option("--corpus", default="brown", show_default=True,
              help="Corpus of the word figures (1, 2, 8, 10): a text file such as big.txt, or "
                   "'brown'; a missing file falls back to the embedded Brown corpus.")
@click.option("--quick", is_flag=True, help="Smaller models and fewer epochs (a fast check).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--dpi", default=100, show_default=True, type=click.IntRange(20, 600),
              help="Resolution of the PNGs.")
@click.option("--only", help="Comma-separated figure names to make (default: all).")
def lecture_command(output, corpus, quick, seed, dpi, only):
    """Reproduce the lecture: one figure per idea, from real runs of wordspace's models."""
    import warnings

    from .lecture import lecture

    names = [name.strip() for name in only.split(",") if name.strip()] if only else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        warnings.filterwarnings("ignore", module="matplotlib")
        report = lecture(output, corpus=corpus, quick=quick, seed=seed, dpi=dpi, only=names)
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            click.echo(f"wordspace: warning: {warning.message}", err=True)
    for figure in report["figures"]:
        if figure["status"] == "made":
            click.echo(f"{figure['number']:2d}. {figure['png']}  ({figure['seconds']:.1f} s)")
        else:
            click.echo(f"{figure['number']:2d}. {figure['name']}: skipped -- {figure['reason']}")
    click.echo(f"lecture.json and lecture.pdf in {output} ({report['seconds']:.1f} s, corpus "
               f"{report['corpus']})")


def main(argv=None):
    """Entry point of the ``wordspace`` script."""
    cli.main(args=argv, prog_name="wordspace")


if __name__ == "__main__":  # pragma: no cover
    main()
