"""Temporary memory-mapped arrays whose pages leave the resident set once used.

A page of a memory-mapped file counts in a process's resident set (RSS) from the moment it is
touched until it is unmapped or released.  :func:`release` drops the pages of a slice of a
mapped array with ``madvise(MADV_DONTNEED)``: they stay in the page cache (and on disk), and a
later read maps them again, so it is always safe.  :class:`RowBlocks` walks the rows of a CSR
matrix in blocks of about a fixed number of nonzeros and releases each block's pages after it,
so a pass over a mapped matrix keeps only one block resident however large the matrix.

The files are created in ``cache_dir`` (default: the system's temporary folder) and removed at
once: the mapping keeps the data alive, and nothing is left behind after an error or a crash.
"""

from __future__ import annotations

import mmap
import os
import tempfile

import numpy as np

__all__ = ["MEMMAP_FRACTION", "available_memory", "temporary_array", "mapped_file", "is_mapped",
           "release", "release_library", "RowBlocks", "trim_heap"]

#: a matrix (or a dense array of one row per unit) goes to a temporary memory-mapped file when
#: it would take more than this share of the available memory (always when a cache folder is
#: given)
MEMMAP_FRACTION = 0.125
#: nonzeros of one block of rows (:class:`RowBlocks`): 32 MB of indices and values
BLOCK_NNZ = 1 << 22


def available_memory() -> int:
    """Bytes of memory available to new allocations (``MemAvailable``, else free pages)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover -- not Linux
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 1 << 34


_malloc_trim = None


def trim_heap() -> None:
    """Give the free pages of the C heap back to the system (glibc's ``malloc_trim``).

    glibc raises its threshold for serving a request by ``mmap`` each time a mapped block is
    freed, so after a few chunks of a few MB (text, its lowercased and encoded copies, id
    arrays) the next ones come from the heap, and the holes they leave stay resident: on
    20 Newsgroups about 80 MB more than is in use after counting.  A no-op where there is no
    glibc.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # pragma: no cover -- not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


def mapped_file(path: str, dtype, length: int) -> np.ndarray:
    """The first ``length`` items of the file ``path`` as a writeable mapped array."""
    if length == 0:
        return np.zeros(0, dtype)
    return np.memmap(path, dtype=dtype, mode="r+", shape=(length,))


def temporary_array(shape, dtype, cache_dir=None) -> np.ndarray:
    """A zero-filled writeable array in a temporary file that is already removed."""
    count = int(np.prod(shape))
    if count == 0:
        return np.zeros(shape, dtype)
    handle, path = tempfile.mkstemp(prefix="wordspace-", suffix=".bin", dir=cache_dir)
    try:
        os.ftruncate(handle, count * np.dtype(dtype).itemsize)
        array = np.memmap(path, dtype=dtype, mode="r+", shape=tuple(shape))
    finally:
        os.close(handle)
        os.unlink(path)
    return array


def _mapping(array: np.ndarray):
    """``(mmap object, byte offset of array[0] in it)``, or None for an array in memory."""
    owner = array
    while owner is not None and not isinstance(owner, mmap.mmap):
        if isinstance(owner, np.memmap) and isinstance(owner.base, mmap.mmap):
            # numpy maps from the offset rounded down to the allocation granularity
            head = getattr(owner, "offset", 0) % mmap.ALLOCATIONGRANULARITY
            return owner.base, array.ctypes.data - owner.ctypes.data + head
        owner = getattr(owner, "base", None)
    return None


def is_mapped(array) -> bool:
    """Whether ``array`` lies in a memory-mapped file."""
    return isinstance(array, np.ndarray) and _mapping(array) is not None


def release(array: np.ndarray, start: int = 0, stop: int | None = None) -> None:
    """Drop the pages that lie wholly inside items ``[start, stop)`` of a mapped 1-d array (or
    rows of a C-contiguous 2-d one) from the resident set; nothing for an array in memory."""
    found = _mapping(array)
    if found is None:
        return
    mapping, offset = found
    row = array.itemsize * (int(np.prod(array.shape[1:])) if array.ndim > 1 else 1)
    stop = len(array) if stop is None else stop
    first = -(-(offset + start * row) // mmap.PAGESIZE) * mmap.PAGESIZE
    last = (offset + stop * row) // mmap.PAGESIZE * mmap.PAGESIZE
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


def _library_mappings(name: str, smaps: str = "/proc/self/smaps") -> list[tuple[int, int]]:
    """``(start, end)`` of the mappings of the shared library whose file name contains ``name``
    that are read-only and hold no anonymous (copied-on-write) page: only pages of the file."""
    found = []
    try:
        with open(smaps) as lines:
            current = None
            for line in lines:
                field = line.split()
                if not field:
                    continue
                if "-" in field[0] and not field[0].endswith(":"):   # a mapping's first line
                    start, end = (int(x, 16) for x in field[0].split("-"))
                    path = field[5] if len(field) > 5 else ""
                    current = None
                    if name in os.path.basename(path) and "w" not in field[1]:
                        current = [start, end]
                elif field[0] == "Anonymous:" and current is not None:
                    if int(field[1]) == 0:
                        found.append(tuple(current))
                    current = None
    except OSError:  # pragma: no cover -- not Linux
        return []
    return found


def release_library(name: str) -> int:
    """Drop the pages of a shared library no longer in use from the resident set.

    Only its read-only mappings without a copied page are released: they hold nothing but
    pages of the file, which stay in the page cache and are mapped again if the library runs
    again (as the kernel does under memory pressure), so this is always safe.  Returns the
    bytes of address space released (0 where there is no ``/proc/self/smaps``).

    Numba's LLVM (``libllvmlite.so``, 179 MB) is needed to load or compile kernels, not to run
    them; importing Numba and loading a word2vec kernel left 68-71 MB of it resident.
    """
    mappings = _library_mappings(name)
    if not mappings:
        return 0
    import ctypes

    madvise = ctypes.CDLL(None, use_errno=True).madvise
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    released = 0
    for start, end in mappings:
        if madvise(start, end - start, mmap.MADV_DONTNEED) == 0:
            released += end - start
    return released


class RowBlocks:
    """Row ranges ``(r0, r1)`` of a CSR matrix of about :data:`BLOCK_NNZ` nonzeros each.

    Iterating releases each block's indices and values (when they are memory-mapped) after the
    block has been used, so a pass over a mapped matrix keeps one block resident.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                 block_nnz: int = BLOCK_NNZ):
        self.indptr, self.indices, self.data = indptr, indices, data
        n = len(indptr) - 1
        nnz = int(indptr[-1]) if n >= 0 else 0
        cuts = np.searchsorted(indptr, np.arange(block_nnz, nnz, block_nnz), side="right")
        self.bounds = np.unique(np.concatenate([[0], cuts, [max(n, 0)]])).tolist()
        self.mapped = is_mapped(indices) or is_mapped(data) or is_mapped(indptr)

    def __len__(self) -> int:
        return max(len(self.bounds) - 1, 0)

    def __iter__(self):
        for r0, r1 in zip(self.bounds[:-1], self.bounds[1:], strict=True):
            yield r0, r1
            if self.mapped:
                a, b = int(self.indptr[r0]), int(self.indptr[r1])
                release(self.indices, a, b)
                release(self.data, a, b)
                release(self.indptr, r0, r1)
