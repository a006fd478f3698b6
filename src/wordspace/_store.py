"""The wordspace model file: a plain zip of ``.npy`` arrays and one JSON header.

A model file is an uncompressed zip archive (``np.load`` can read its arrays) holding

* ``header.json`` -- ``{"format": "wordspace", "format_version": 1, "kind": ..., ...}``, and
* one ``NAME.npy`` member per array.

Members are stored, not deflated, so each array can be memory-mapped straight out of the file:
``load(path, mmap=True)`` returns read-only ``np.memmap`` views, and many processes can share one
model in the page cache.  Nothing is pickled, so files outlive library versions.

Writes are atomic: the archive is written to a temporary file in the destination folder, flushed
to disk, then renamed over the destination, so a model file is whole or absent, never half.  The
new file gets the mode the umask allows (``0666 & ~umask``, as ``open`` would give).  A temporary
file is named ``.NAME.HOST.PID.RANDOM.tmp``; when a process is killed in the middle of a write
(``kill -9``, a power cut) its temporary file stays, and the next write to the same folder removes
the temporaries of this host's processes that no longer exist.

Loading checks every array member against the CRC-32 the zip stores for it (about 0.7 GB/s on one
core, as fast as a cold disk reads), so flipped bytes give :class:`ModelFormatError`, never
garbage vectors; the arrays are still memory-mapped.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import ModelFormatError, ParameterError

__all__ = ["FORMAT_VERSION", "save", "load", "is_model_file", "looks_like_zip", "atomic_write",
           "remove_stale_temporaries", "check_writable"]

FORMAT_VERSION = 1
_HEADER = "header.json"


#: this host's name as it appears in temporary file names (no dots, so names parse back)
_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname() or "host")[:64]
_TEMPORARY = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9_-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")
#: bytes checksummed per read when verifying a member
_CRC_CHUNK = 1 << 24


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # pragma: no cover -- not Linux
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def remove_stale_temporaries(folder) -> list[str]:
    """Delete the temporary files that killed writers of this host left in ``folder``.

    Only files named like :class:`atomic_write`'s temporaries, written on this host by a
    process that no longer exists, are removed; returns their names.  Never raises.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        match = _TEMPORARY.match(entry.name)
        if match is None or match["host"] != _HOST or _alive(int(match["pid"])):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            pass
    return removed


def check_writable(path) -> None:
    """Raise :class:`ParameterError` now if ``path`` cannot be written, before hours of work.

    Checks that ``path`` names a file in an existing folder, that a file can be created there
    (a read-only folder or file system fails here) and that the device has free space left.

    >>> check_writable("/no/such/folder/model.ws")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wordspace.errors.ParameterError: cannot write ...: folder /no/such/folder does not exist
    """
    path = Path(path)
    if not str(path) or str(path) == "." or path.is_dir():
        raise ParameterError(f"cannot write {str(path)!r}: not a file name (it is a folder or "
                             "empty)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ParameterError(f"cannot write {path}: folder {folder} does not exist")
    if path.exists() and not path.is_file():
        return  # a device or a pipe: written to as it is
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.{_HOST}.{os.getpid()}.",
                                     suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise ParameterError(f"cannot write {path}: {error.strerror}") from None
    try:
        space = os.statvfs(folder)
    except (OSError, AttributeError):  # pragma: no cover -- not POSIX
        return
    if space.f_blocks and space.f_bavail == 0:
        raise ParameterError(f"cannot write {path}: no space left on the device of {folder}")


class atomic_write:
    """Context manager yielding a binary file that replaces ``path`` only on success.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_write(os.path.join(folder, "a.bin")) as f:
    ...     _ = f.write(b"whole")
    >>> open(os.path.join(folder, "a.bin"), "rb").read()
    b'whole'
    """

    def __init__(self, path, mode: str = "wb", **kwargs):
        self._given = path
        self.path = Path(path)
        self.mode = mode
        self.kwargs = kwargs

    def __enter__(self):
        self._tmp = None
        if not str(self._given) or self.path.is_dir():
            raise ModelFormatError(f"cannot write {str(self._given)!r}: not a file name "
                                   "(it is a folder or empty)")
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            raise ModelFormatError(f"cannot write {self.path}: folder {folder} does not exist")
        if self.path.exists() and not self.path.is_file():
            # a device or a pipe (/dev/stdout, /dev/null): write to it; never replace it
            self._file = open(self.path, self.mode, **self.kwargs)
            return self._file
        remove_stale_temporaries(folder)
        try:
            fd, self._tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.{_HOST}.{os.getpid()}.", suffix=".tmp", dir=folder)
        except OSError as error:
            raise ModelFormatError(f"cannot write {self.path}: {error.strerror}") from None
        try:
            os.fchmod(fd, 0o666 & ~_umask())
        except OSError:  # pragma: no cover -- a file system without modes
            pass
        self._file = os.fdopen(fd, self.mode, **self.kwargs)
        return self._file

    def __exit__(self, exc_type, exc, tb):
        try:
            self._finish(exc_type is None)
        except OSError as error:  # disk full, I/O error: name the file we were writing
            if error.errno is not None and error.filename is None:
                error.filename = str(self.path)
            raise
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = str(self.path)
        return False

    def _finish(self, success: bool) -> None:
        if self._tmp is None:
            self._file.close()
            return
        try:
            if success:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if success:
                os.replace(self._tmp, self.path)
        finally:
            self._file.close()
            if os.path.exists(self._tmp):
                os.unlink(self._tmp)


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in a model header")


def save(path, kind: str, arrays: dict[str, np.ndarray], **header) -> None:
    """Write ``arrays`` and a JSON header describing a model of ``kind`` to ``path``, atomically."""
    meta = {"format": "wordspace", "format_version": FORMAT_VERSION, "kind": kind, **header}
    meta["arrays"] = sorted(arrays)
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED,
                                                  allowZip64=True) as archive:
        archive.writestr(_HEADER, json.dumps(meta, default=_json_default, indent=1))
        for name, array in arrays.items():
            array = np.asarray(array)
            if array.dtype == object:
                raise TypeError(f"array {name!r} has dtype object; store it in the header")
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)


def is_model_file(path) -> bool:
    """Whether ``path`` looks like a wordspace model file (a zip with our header)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _HEADER in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def looks_like_zip(path) -> bool:
    """Whether ``path`` starts like a zip archive (a model file, maybe a damaged one)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _member_data_offset(handle, info: zipfile.ZipInfo) -> int:
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ModelFormatError("bad zip member header")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _verify_crc(handle, start: int, info: zipfile.ZipInfo, what: str) -> None:
    """Raise :class:`ModelFormatError` unless the member's bytes match its stored CRC-32."""
    position = handle.tell()
    handle.seek(start)
    crc, left = 0, info.file_size
    while left > 0:
        chunk = handle.read(min(left, _CRC_CHUNK))
        if not chunk:
            raise ModelFormatError(f"{what} is truncated")
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    if crc != info.CRC:
        raise ModelFormatError(f"{what} is damaged (its CRC-32 does not match): the file was "
                               "corrupted after it was written")
    handle.seek(position)


def load(path, mmap: bool = True) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a model file: its header dict and its arrays (memory-mapped when ``mmap``)."""
    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"model file {path} does not exist")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelFormatError(f"{path} is not a wordspace model file, or it is truncated "
                               f"({error})") from None
    with archive:
        try:
            header = json.loads(archive.read(_HEADER))
        except KeyError:
            raise ModelFormatError(f"{path} has no {_HEADER}; not a wordspace model") from None
        except (json.JSONDecodeError, zipfile.BadZipFile, OSError) as error:
            raise ModelFormatError(f"{path}: corrupt header ({error})") from None
        if header.get("format") != "wordspace":
            raise ModelFormatError(f"{path}: not a wordspace model file")
        if header.get("format_version", 0) > FORMAT_VERSION:
            raise ModelFormatError(
                f"{path} was written by a newer wordspace (format version "
                f"{header['format_version']}; this one reads up to {FORMAT_VERSION})")
        arrays = {}
        with open(path, "rb") as handle:
            for name in header.get("arrays", []):
                try:
                    info = archive.getinfo(name + ".npy")
                except KeyError:
                    raise ModelFormatError(f"{path}: array {name!r} is missing") from None
                try:
                    if mmap and info.compress_type == zipfile.ZIP_STORED:
                        start = _member_data_offset(handle, info)
                        handle.seek(start)
                        version = np.lib.format.read_magic(handle)
                        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                  else np.lib.format.read_array_header_2_0)
                        shape, fortran, dtype = reader(handle)
                        if handle.tell() - start + int(np.prod(shape)) * dtype.itemsize > \
                                info.file_size:
                            raise ModelFormatError(f"{path}: array {name!r} is truncated")
                        _verify_crc(handle, start, info, f"{path}: array {name!r}")
                        if int(np.prod(shape)) == 0:
                            arrays[name] = np.empty(shape, dtype)
                        else:
                            arrays[name] = np.memmap(path, dtype=dtype, mode="r",
                                                     offset=handle.tell(), shape=shape,
                                                     order="F" if fortran else "C")
                    else:
                        data = archive.read(info)
                        arrays[name] = np.lib.format.read_array(io.BytesIO(data),
                                                                allow_pickle=False)
                except ModelFormatError:
                    raise
                except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
                    raise ModelFormatError(f"{path}: array {name!r} is corrupt ({error})") \
                        from None
    return header, arrays
