"""Errors that a user can cause, each with one clear message.

Every exception that signals bad input (a missing file, an empty corpus, an unknown word, a
corrupt model file, a nonsense parameter) derives from :class:`WordspaceError`.  The command line
catches exactly these and prints ``wordspace: error: <message>``; anything else is a bug and is
allowed to show its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "WordspaceError",
    "CorpusError",
    "ModelFormatError",
    "ParameterError",
    "UnknownWordError",
    "NotFittedError",
    "TrainingError",
]


class WordspaceError(Exception):
    """Base class of every error caused by the user's input."""


class CorpusError(WordspaceError):
    """The corpus cannot be read: missing, empty, binary or unreadable."""


class ModelFormatError(WordspaceError):
    """A model or vectors file is corrupt, truncated or of an unknown format."""


class ParameterError(WordspaceError, ValueError):
    """A parameter has a value that makes no sense."""


class NotFittedError(WordspaceError, AttributeError):
    """A model was asked for something that only exists after ``fit``."""


class TrainingError(WordspaceError):
    """Training diverged (the loss or the weights stopped being finite numbers).

    Raised instead of returning a model of NaNs; the message names the learning rate to lower.
    """


class UnknownWordError(WordspaceError, KeyError):
    """A word is not in the vocabulary.

    The message names the word and, when there are any, suggests close vocabulary words.

    Examples
    --------
    >>> str(UnknownWordError("kingg", ["king", "kings", "queen"]))
    "word 'kingg' is not in the vocabulary; did you mean: king, kings?"
    """

    def __init__(self, word: str, vocabulary: Iterable[str] = ()):
        self.word = word
        self.suggestions = difflib.get_close_matches(word, list(vocabulary), n=3, cutoff=0.75)
        super().__init__(word)

    def __str__(self) -> str:
        message = f"word {self.word!r} is not in the vocabulary"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions) + "?"
        return message


def check_positive(name: str, value, *, allow_zero: bool = False, integer: bool = False):
    """Return ``value`` if it is a positive number, else raise :class:`ParameterError`.

    >>> check_positive("window", 5, integer=True)
    5
    >>> check_positive("window", 0, integer=True)
    Traceback (most recent call last):
    ...
    wordspace.errors.ParameterError: window must be a positive integer, got 0
    """
    kind = "integer" if integer else "number"
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type:
        try:
            import numpy as np

            ok_type = isinstance(value, np.integer if integer else np.number)
        except ImportError:  # pragma: no cover
            ok_type = False
    if not ok_type or value != value or value < 0 or (value == 0 and not allow_zero):
        qualifier = "non-negative" if allow_zero else "positive"
        raise ParameterError(f"{name} must be a {qualifier} {kind}, got {value!r}")
    return value


def check_choice(name: str, value, choices: Iterable):
    """Return ``value`` if it is one of ``choices``, else raise :class:`ParameterError`.

    >>> check_choice("metric", "cosine", ("cosine", "dot"))
    'cosine'
    """
    choices = tuple(choices)
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {options}, got {value!r}")
    return value
