"""Progress bars for long jobs, shown only where someone is watching.

The library never prints on its own: bars are off until :func:`enable` is called (the command
line does it) or the environment variable ``WORDSPACE_PROGRESS=1`` is set.  Library code wraps
its long loops in :func:`progress` and logs results with :mod:`logging`.
"""

from __future__ import annotations

import os
import sys

from tqdm.auto import tqdm

__all__ = ["enable", "enabled", "progress"]

_enabled = os.environ.get("WORDSPACE_PROGRESS", "") not in ("", "0")


def enable(on: bool = True) -> None:
    """Turn progress bars on (or off) for this process."""
    global _enabled
    _enabled = bool(on)


def enabled() -> bool:
    """Whether progress bars are shown."""
    return _enabled


def progress(iterable=None, *, total=None, desc: str = "", unit: str = "it", **kwargs):
    """A tqdm bar on stderr that is silent unless progress bars are enabled."""
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        disable=not _enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=False,
        **kwargs,
    )
