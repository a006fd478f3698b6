"""Reading text lazily: files, folders, compressed files, in-memory documents; granularity.

A :class:`Corpus` is a restartable, lazy iterable.  Each pass opens its files again and yields one
list of tokens per *unit*; nothing is held in memory beyond the current document.

Layout of a text file
---------------------
``separator="line"`` (the default): every non-empty line is a document.
``separator="blank"``: documents are separated by one or more blank lines.
In both cases a *paragraph* is one non-empty line of a document (so with one document per line,
paragraphs and documents coincide).

Granularity -- the unit that becomes one bag of words
-----------------------------------------------------
``"document"``: a whole document; ``"paragraph"``: one line of a document; ``"window"``: runs of
``window`` consecutive tokens of a document, starting every ``stride`` tokens (``stride`` defaults
to ``window``, so windows tile the document; the last, shorter window is kept, so no token is
lost).
Windows never cross a document boundary.

Encodings and odd input
-----------------------
``encoding="auto"`` (the default) decides per file: a byte-order mark says UTF-8, UTF-16 or UTF-32;
without one, a file whose first 64 KiB are valid UTF-8 is read as UTF-8, and any other file as
Windows-1252 (Latin-1 with the printable extras; every byte decodes, so "café" stays "café"),
with a warning naming the file.  Any other ``encoding=`` is used as given.  Bytes that are still
invalid (say, one bad byte deep inside a UTF-8 file) become U+FFFD with ``errors="replace"``,
which the tokeniser drops; the count of lines that had one is logged as a warning after each pass
and kept in :attr:`Corpus.n_decode_errors`.  Pass ``errors="strict"`` to fail instead, naming the
file and line.  A file whose first 8 KiB contain a NUL byte is taken for a binary file and refused
(in a folder, it is skipped with a warning), unless it is UTF-16 or UTF-32 (by its byte-order mark
or by ``encoding=``).  A line longer than ``max_chars`` (16 Mi
characters by default) is cut, at whitespace, into several documents of at most ``max_chars``.

Examples
--------
>>> corpus = Corpus(["The cat sat.", "A dog's life -- well-known!"])
>>> list(corpus)
[['the', 'cat', 'sat'], ['a', "dog's", 'life', 'well-known']]
>>> list(Corpus(["a b c d e"], granularity="window", window=2))
[['a', 'b'], ['c', 'd'], ['e']]
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import logging
import lzma
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import CorpusError, ParameterError, check_choice, check_positive

__all__ = ["Corpus", "tokenize", "make_tokenizer", "make_stemmer", "as_corpus", "open_text"]

logger = logging.getLogger(__name__)

GRANULARITIES = ("document", "paragraph", "window")
SEPARATORS = ("line", "blank")
_SNIFF_BYTES = 8192
#: bytes read to decide between UTF-8 and the Windows-1252 fallback
_ENCODING_SNIFF_BYTES = 1 << 16
#: byte-order marks, longest first (UTF-32-LE's starts like UTF-16-LE's)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
#: what ``encoding="auto"`` reads a file as when it is not UTF-8
FALLBACK_ENCODING = "cp1252"
_DEFAULT_MAX_CHARS = 1 << 24


def _token_pattern(inner: str) -> re.Pattern:
    word = r"[^\W_]+"
    if not inner:
        return re.compile(word)
    return re.compile(word + "(?:[" + re.escape(inner) + "]" + word + ")*")


class _StemCache(dict):
    """surface token -> stem, filled on first sight (so each distinct token is stemmed once)."""

    _LIMIT = 1 << 21

    def __init__(self, language: str):
        super().__init__()
        import Stemmer

        self.language = language
        self._stem = Stemmer.Stemmer(language).stemWord

    def __missing__(self, token: str) -> str:
        if len(self) >= self._LIMIT:          # bound the memory on endless vocabularies
            self.clear()
        stem = self[token] = self._stem(token)
        return stem

    def __call__(self, tokens: list[str]) -> list[str]:
        return list(map(self.__getitem__, tokens))

    def __reduce__(self):
        return (_StemCache, (self.language,))


def make_stemmer(language: str | None) -> Callable[[list[str]], list[str]] | None:
    """A function stemming a list of tokens with the Snowball stemmer of ``language``.

    ``None`` (or ``False``) gives ``None``: no stemming.  The stemmers are PyStemmer's (the
    Snowball project's C code): ``"english"`` (Porter2), ``"porter"`` (the original Porter
    algorithm), ``"german"``, ``"french"``...  Each distinct token is stemmed once and
    remembered, so a corpus costs one dictionary lookup per token.

    >>> make_stemmer("english")(["running", "runs", "ponies", "caresses"])
    ['run', 'run', 'poni', 'caress']
    """
    if language is None or language is False:
        return None
    import Stemmer

    if not isinstance(language, str) or language not in Stemmer.algorithms():
        raise ParameterError(f"stemmer must be one of {', '.join(Stemmer.algorithms())} or "
                             f"None, got {language!r}")
    return _StemCache(language)


def make_tokenizer(lowercase: bool = True, inner: str = "'\u2019-", stemmer: str | None = None
                   ) -> Callable[[str], list[str]]:
    """A tokeniser: unicode words of letters and digits, optionally lowercased.

    Parameters
    ----------
    lowercase : bool
        Lowercase the text first.
    inner : str
        Characters kept *inside* a word (between two letters or digits): by default the
        apostrophes and the hyphen, so ``"don't"`` and ``"well-known"`` stay whole.  Pass ``""``
        to split on them.
    stemmer : str, optional
        Stem every token with this Snowball stemmer (see :func:`make_stemmer`).

    Examples
    --------
    >>> make_tokenizer(inner="")("Well-known, isn't it? 3D_printing")
    ['well', 'known', 'isn', 't', 'it', '3d', 'printing']
    >>> make_tokenizer(stemmer="english")("The runner was running")
    ['the', 'runner', 'was', 'run']
    """
    findall = _token_pattern(inner).findall
    stem = make_stemmer(stemmer)
    if stem is not None:
        if lowercase:
            return lambda text: stem(findall(text.lower()))
        return lambda text: stem(findall(text))
    if lowercase:
        return lambda text: findall(text.lower())
    return findall


_default_tokenizer = make_tokenizer()


def tokenize(text: str, lowercase: bool = True, inner: str = "'\u2019-") -> list[str]:
    """Split ``text`` into lowercase unicode words (see :func:`make_tokenizer`).

    >>> tokenize("Héllo, World! It's 2026 -- state-of-the-art.")
    ['héllo', 'world', "it's", '2026', 'state-of-the-art']
    """
    if lowercase and inner == "'\u2019-":
        return _default_tokenizer(text)
    return make_tokenizer(lowercase, inner)(text)


def open_text(path, encoding: str = "utf-8", errors: str = "replace"):
    """Open a plain, ``.gz``, ``.bz2`` or ``.xz`` file for reading text."""
    path = str(path)
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, errors=errors)
    if lower.endswith(".bz2"):
        return bz2.open(path, "rt", encoding=encoding, errors=errors)
    if lower.endswith((".xz", ".lzma")):
        return lzma.open(path, "rt", encoding=encoding, errors=errors)
    return open(path, encoding=encoding, errors=errors)


def _open_binary(path):
    lower = str(path).lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb")
    if lower.endswith(".bz2"):
        return bz2.open(path, "rb")
    if lower.endswith((".xz", ".lzma")):
        return lzma.open(path, "rb")
    return open(path, "rb")


def _head(path, size: int = _SNIFF_BYTES) -> bytes:
    try:
        with _open_binary(path) as handle:
            return handle.read(size)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
        raise CorpusError(f"cannot read {path}: {error}") from None


def _wide(encoding: str) -> bool:
    """Whether text in ``encoding`` has NUL bytes (UTF-16 and UTF-32 do)."""
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def detect_encoding(head: bytes, requested: str = "auto", complete: bool = True) -> str:
    """The encoding to read a file in, from its first bytes (see the module docstring).

    ``complete`` says that ``head`` is the whole file (else a character cut at its end is fine).

    >>> detect_encoding("café".encode("utf-8")), detect_encoding("café".encode("latin-1"))
    ('utf-8', 'cp1252')
    >>> detect_encoding("café".encode("utf-16")), detect_encoding(b"abc", "latin-1")
    ('utf-16', 'latin-1')
    """
    if requested != "auto":
        return requested
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return FALLBACK_ENCODING
    return "utf-8"


def _looks_binary(path, encoding: str = "auto") -> bool:
    head = _head(path)
    if b"\x00" not in head:
        return False
    return not _wide(detect_encoding(head, encoding, complete=len(head) < _SNIFF_BYTES))


def _resolve_files(source, encoding: str = "auto") -> list[Path]:
    """Files behind a path (file or folder) or a list of paths; errors name the culprit."""
    paths = [source] if isinstance(source, str | os.PathLike) else list(source)
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            text_files, skipped = [], []
            for candidate in found:
                (skipped if _looks_binary(candidate, encoding) else text_files).append(candidate)
            if not text_files:
                plural = "s" if len(skipped) > 1 else ""
                raise CorpusError(f"folder {path} contains no text files" + (
                    f" ({len(skipped)} binary file{plural} skipped)" if skipped else ""))
            for candidate in skipped:
                logger.warning("skipping %s: it looks like a binary file", candidate)
            files.extend(text_files)
        elif path.is_file():
            if _looks_binary(path, encoding):
                raise CorpusError(f"{path} looks like a binary file, not text")
            files.append(path)
        elif path.exists():
            raise CorpusError(f"{path} is not a regular file or folder")
        else:
            raise CorpusError(f"corpus file {path} does not exist")
    if not files:
        raise CorpusError("no corpus files given")
    return files


def _split_long(text: str, max_chars: int) -> Iterator[str]:
    while len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        if cut <= 0:
            cut = max_chars
        yield text[:cut]
        text = text[cut:]
    yield text


class Corpus:
    """A lazy, restartable stream of tokenised units (documents, paragraphs or windows).

    Parameters
    ----------
    source : path, list of paths, iterable of str, or iterable of token lists
        A file (plain, ``.gz``, ``.bz2``, ``.xz``), a folder (all non-hidden text files in it,
        recursively, in sorted order), a list of such paths, in-memory documents (strings), or
        documents already tokenised (lists of strings, used as they are).  The name ``"brown"``,
        when no such file exists, is the Brown corpus embedded in the package.  A one-shot
        iterator (a generator) can be read once; a second pass raises :class:`CorpusError`.
    tokenizer : callable, optional
        ``str -> list[str]``; by default :func:`make_tokenizer` with ``lowercase`` and ``inner``.
    lowercase, inner
        Options of the default tokeniser.
    stemmer : str, optional
        Stem every token (after ``tokenizer``) with this Snowball stemmer, e.g. ``"english"``
        (see :func:`make_stemmer`).  Models that count bags of words (LSA, the autoencoder) stem
        the distinct tokens instead, and show each stem as its most frequent surface form.
    granularity : {"document", "paragraph", "window"}
        The unit yielded by iteration (see the module docstring).
    window, stride : int
        Window length and step in tokens, for ``granularity="window"``.
    separator : {"line", "blank"}
        How documents are separated in files.
    encoding : str
        ``"auto"`` (default: byte-order mark, else UTF-8, else Windows-1252 with a warning; see
        the module docstring) or any encoding Python knows (``"latin-1"``, ``"utf-16"``...).
    errors : {"replace", "strict"}
        What an undecodable byte does: become U+FFFD (counted, warned) or raise.
    max_chars : int
        Lines longer than this are cut into several documents.
    """

    def __init__(self, source, *, tokenizer: Callable[[str], list[str]] | None = None,
                 lowercase: bool = True, inner: str = "'\u2019-", granularity: str = "document",
                 window: int | None = None, stride: int | None = None, separator: str = "line",
                 encoding: str = "auto", errors: str = "replace",
                 max_chars: int = _DEFAULT_MAX_CHARS, stemmer: str | None = None):
        check_choice("granularity", granularity, GRANULARITIES)
        check_choice("separator", separator, SEPARATORS)
        check_choice("errors", errors, ("replace", "strict"))
        check_positive("max_chars", max_chars, integer=True)
        if encoding != "auto":
            try:
                codecs.lookup(encoding)
            except (LookupError, TypeError):
                raise ParameterError(f"unknown encoding {encoding!r}") from None
        if granularity == "window":
            if window is None:
                raise ParameterError("granularity='window' needs window=<number of tokens>")
            check_positive("window", window, integer=True)
            stride = window if stride is None else check_positive("stride", stride, integer=True)
        elif window is not None and granularity != "window":
            raise ParameterError("window= is only meaningful with granularity='window'")
        self.stemmer = stemmer or None
        self.surface_tokenizer = tokenizer or make_tokenizer(lowercase, inner)
        self._stem = stem = make_stemmer(self.stemmer)
        if stem is None:
            self.tokenizer = self.surface_tokenizer
        elif tokenizer is None:
            self.tokenizer = make_tokenizer(lowercase, inner, self.stemmer)
        else:
            self.tokenizer = lambda text: stem(tokenizer(text))
        self.granularity = granularity
        self.window = window
        self.stride = stride
        self.separator = separator
        self.encoding = encoding
        self.errors = errors
        self.max_chars = max_chars
        self.n_decode_errors = 0
        self._files: list[Path] | None = None
        self._documents = None
        self._pretokenized = False
        self._one_shot_used = False
        self._source_options = dict(tokenizer=tokenizer, lowercase=lowercase, inner=inner,
                                    separator=separator, encoding=encoding, errors=errors,
                                    max_chars=max_chars, stemmer=self.stemmer)
        self._bind(source)

    # -- construction -------------------------------------------------------------------------
    def _bind(self, source) -> None:
        if isinstance(source, Corpus):
            self._files, self._documents = source._files, source._documents
            self._pretokenized, self.name = source._pretokenized, source.name
            return
        if isinstance(source, str | os.PathLike):
            if str(source) == "brown" and not os.path.exists("brown"):
                from .datasets import brown

                self._documents = brown().texts
                self.name = "brown (embedded sample)"
                return
            self._files = _resolve_files(source, self.encoding)
            self.name = str(source)
            return
        if isinstance(source, bytes):
            raise CorpusError("a corpus must be text, a path or documents, not bytes")
        if not isinstance(source, Iterable):
            raise CorpusError(f"cannot read a corpus from a {type(source).__name__}")
        if isinstance(source, list | tuple) and source and all(
                isinstance(item, os.PathLike) or (isinstance(item, str) and "\n" not in item
                                                  and os.path.isfile(item)) for item in source):
            self._files = _resolve_files(source, self.encoding)
            self.name = f"{len(self._files)} files"
            return
        self._documents = source
        self.name = f"<{type(source).__name__} of documents>"

    def with_granularity(self, granularity: str, window: int | None = None,
                         stride: int | None = None) -> Corpus:
        """The same source read at another granularity."""
        return Corpus(self, granularity=granularity, window=window, stride=stride,
                      **self._source_options)

    def without_stemming(self) -> Corpus:
        """The same source and granularity with the surface tokens (no stemmer)."""
        if self.stemmer is None:
            return self
        return Corpus(self, granularity=self.granularity, window=self.window,
                      stride=self.stride, **{**self._source_options, "stemmer": None})

    def __repr__(self) -> str:
        unit = self.granularity if self.granularity != "window" else \
            f"window={self.window}, stride={self.stride}"
        return f"Corpus({self.name!r}, {unit})"

    # -- reading ------------------------------------------------------------------------------
    def _file_documents(self) -> Iterator[str]:
        self.n_decode_errors = 0
        used = set()
        for path in self._files:
            head = _head(path, _ENCODING_SNIFF_BYTES)
            encoding = detect_encoding(head, self.encoding,
                                       complete=len(head) < _ENCODING_SNIFF_BYTES)
            used.add(encoding)
            if encoding == FALLBACK_ENCODING and self.encoding == "auto":
                logger.warning("%s is not UTF-8 text: reading it as %s (Latin-1); pass "
                               "encoding= (--encoding) to choose", path, FALLBACK_ENCODING)
            try:
                with open_text(path, encoding, self.errors) as handle:
                    yield from self._split_documents(handle, path)
            except UnicodeDecodeError as error:
                raise CorpusError(f"{path}: invalid {encoding} ({error.reason}); pass another "
                                  "encoding=, or errors='replace' to read it anyway") from None
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
                raise CorpusError(f"cannot read {path}: {error}") from None
        if self.n_decode_errors:
            logger.warning("%s: %d lines had invalid %s bytes (replaced)", self.name,
                           self.n_decode_errors, "/".join(sorted(used)))

    def _split_documents(self, handle, path) -> Iterator[str]:
        max_chars = self.max_chars
        blank = self.separator == "blank"
        block: list[str] = []
        while True:
            line = handle.readline(max_chars)
            if not line:
                break
            if "\ufffd" in line:
                self.n_decode_errors += 1
            if len(line) >= max_chars and not line.endswith("\n"):
                # one physical line longer than max_chars: cut at the last space
                cut = line.rfind(" ")
                if cut > 0:
                    rest = line[cut:]
                    line = line[:cut]
                else:
                    rest = ""
                if blank:
                    block.append(line)
                else:
                    yield line
                while rest and not rest.endswith("\n"):
                    more = handle.readline(max_chars)
                    if not more:
                        break
                    rest += more
                    if len(rest) >= max_chars:
                        *pieces, rest = list(_split_long(rest, max_chars))
                        for piece in pieces:
                            block.append(piece) if blank else (yield piece)
                line = rest
                if not line:
                    continue
            if blank:
                if line.strip():
                    block.append(line)
                elif block:
                    yield "".join(block)
                    block = []
            elif not line.isspace():
                yield line
        if block:
            yield "".join(block)

    def texts(self) -> Iterator[str]:
        """The raw text of each document, before tokenising (files and in-memory strings)."""
        if self._files is not None:
            yield from self._file_documents()
            return
        for document in self._iter_source():
            yield document if isinstance(document, str) else " ".join(document)

    def _iter_source(self):
        documents = self._documents
        if iter(documents) is documents:
            if self._one_shot_used:
                raise CorpusError("this corpus was built from a one-shot iterator (a generator) "
                                  "and has been read already; pass a list, a file or a Corpus")
            self._one_shot_used = True
        return iter(documents)

    def documents(self) -> Iterator[list[str]]:
        """One token list per document, whatever the granularity."""
        tokenizer = self.tokenizer
        if self._files is not None:
            for text in self._file_documents():
                yield tokenizer(text)
            return
        for document in self._iter_source():
            if isinstance(document, str):
                yield tokenizer(document)
            elif isinstance(document, list | tuple):
                yield list(document) if self._stem is None else self._stem(list(document))
            else:
                raise CorpusError("each document must be a string or a list of tokens, got "
                                  f"{type(document).__name__}")

    def _paragraphs(self) -> Iterator[list[str]]:
        tokenizer = self.tokenizer
        for text in self.texts():
            for line in text.splitlines():
                tokens = tokenizer(line)
                if tokens:
                    yield tokens

    def __iter__(self) -> Iterator[list[str]]:
        if self.granularity == "document":
            return self.documents()
        if self.granularity == "paragraph":
            return self._paragraphs()
        return self._windows()

    def _windows(self) -> Iterator[list[str]]:
        window, stride = self.window, self.stride
        for tokens in self.documents():
            n = len(tokens)
            start = 0
            while start < n:
                yield tokens[start:start + window]
                if start + window >= n:
                    break
                start += stride


def as_corpus(source, **options) -> Corpus:
    """``source`` as a :class:`Corpus` (a Corpus is returned as is when no options are given)."""
    if isinstance(source, Corpus) and not options:
        return source
    if isinstance(source, Corpus):
        return Corpus(source, **{**source._source_options, "granularity": source.granularity,
                                 "window": source.window, "stride": source.stride, **options})
    return Corpus(source, **options)
