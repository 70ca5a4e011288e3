"""The warmed values of a build as published (dataset_state.py: no update applied), kept in files beside the
build (build/cache.py WARMED) for every server process of the machine. The first process that needs one
computes it and writes it; the others (the other workers, a worker that replaces a runaway's, the next start)
read it: at 172,000 persons the search index and the subject list cost 4-5 s of CPU each to compute, 0.1 s to read.

Processes asking at once wait for the one computing (a lock file each value, which the system releases
when its process ends, however it ends), rather than each computing its own. A file is written whole under
another name and renamed: a reader finds it complete or not at all, and needs no lock.

The files are JSON: loading one cannot run code, whoever wrote it, and reads the 172,000 persons' search index
in 0.12 s (marshal: 0.05 s, but it promises nothing about damaged data; pickle: 0.6 s, and runs what the file
names). They are kept under a digest of koryo-kg's own code, which made them: a build is reused by later code,
and a changed program (a new way to normalize names, say) never reads what an older one wrote.

A folder this process cannot write (a read-only home) gives what it holds already; the rest is computed by
each process for itself, as without the folder."""

from __future__ import annotations

import base64
import fcntl
import functools
import hashlib
import json
import logging
import os
import tempfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import koryo_kg

_log = logging.getLogger("_granian")  # the server's log


@dataclass(frozen=True)
class Kept:
    """How a value is written as JSON and read back: as it is, for the lists, dicts and strings JSON holds."""
    as_json: Callable[[Any], Any] = lambda value: value
    from_json: Callable[[Any], Any] = lambda data: data


AS_IS = Kept()


def array_text(numbers: array) -> str:
    """An array of numbers as JSON holds it best: its bytes, in base64 (five times faster to read than a list
    of numbers). The file stays on the machine that wrote it, so the bytes' order is the reader's."""
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def text_array(text: str, typecode: str = "i") -> array:
    numbers = array(typecode)
    numbers.frombytes(base64.b64decode(text, validate=True))
    return numbers


class Busy(Exception):
    """Another process is computing the value, and the caller chose not to wait (DatasetState.warm)."""


class KeptValues:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder) / _code_digest()
        self._warned = False

    def get(self, name: str, compute: Callable[[], Any], kept: Kept, unchanged: Callable[[], bool],
            wait: bool = True) -> tuple[Any, bool]:
        """The value called `name` read from its file, or computed, and written for the others when `unchanged()`
        (the data computed from was the build's still); whether it was read. Without `wait`, raises Busy rather
        than waiting for another process computing it."""
        path = self.folder / (name.replace(" ", "-") + ".json")
        found = self._read(path, kept)
        if found is not None:
            return found[0], True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(path.with_suffix(".lock"), "a")  # held while computing
        except OSError as problem:
            self._cannot_write(problem)
            return compute(), False
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise Busy(name) from None
            found = self._read(path, kept)  # the process that held the lock wrote it
            if found is not None:
                return found[0], True
            value = compute()
            if unchanged():
                self._write(path, kept.as_json(value))
            return value, False

    def _read(self, path: Path, kept: Kept) -> tuple[Any] | None:
        try:
            text = path.read_bytes()
        except OSError:  # not written yet (or not ours to read): computed
            return None
        try:
            return (kept.from_json(json.loads(text)),)
        except (ValueError, TypeError, KeyError, IndexError) as problem:  # damaged: computed and written again
            _log.warning("%s is not a value koryo-kg wrote (%s): computing it", path, problem)
            return None

    def _write(self, path: Path, data: Any) -> None:
        handle, temporary = None, None
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{path.stem}-", suffix=".json")
            with os.fdopen(handle, "wb") as out:
                out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            os.replace(temporary, path)
        except (OSError, ValueError) as problem:  # a full disk, say: the next process computes it again
            self._cannot_write(problem)
            if temporary:
                Path(temporary).unlink(missing_ok=True)

    def _cannot_write(self, problem: Exception) -> None:
        if not self._warned:  # once a process: a read-only home is a choice, not an error
            self._warned = True
            _log.info("cannot keep the warmed values in %s (%s): process %s computes its own", self.folder,
                      problem, os.getpid())


@functools.cache
def _code_digest() -> str:
    """A digest of koryo-kg's Python code (some milliseconds, once a process)."""
    package = Path(koryo_kg.__file__).parent
    digest = hashlib.sha256(koryo_kg.__version__.encode())
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
