"""The built dataset on disk: one pyoxigraph store per input hash, and a pointer to the last good build.

A build is written to a temporary folder and renamed into place only when complete, then `current` is
switched atomically: a failed or interrupted build never replaces the last good store, and readers never see
half a store.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph

from koryo_kg.build.beside import beside
from koryo_kg.build.checksums import write as write_checksums
from koryo_kg.settings import default_home

KEEP = 3  # stores kept, the current one included, besides any that a server holds
SERVING = "SERVING"  # the lock file of a build that a server reads
STALE = 24 * 3600  # seconds after which a staging folder is removed even if its process id is alive again
VALIDATION = "validation.json"  # the build's SHACL report (reports.as_json), served at /validation
WARMED = "warmed"  # the folder of the values a server derives from the build (http/kept_values.py)


# The downloads made with every build: the dataset with its named graphs, and the union of its graphs.
DUMPS = {
    "koryo-kg.nq": ("dataset", pyoxigraph.RdfFormat.N_QUADS),
    "koryo-kg.trig": ("dataset", pyoxigraph.RdfFormat.TRIG),
    "koryo-kg.ttl": ("union", pyoxigraph.RdfFormat.TURTLE),
    "koryo-kg.nt": ("union", pyoxigraph.RdfFormat.N_TRIPLES),
}
LOADED_FROM = "koryo-kg.nq"  # the dump the on-disk store is bulk-loaded from


def write_dump(store: pyoxigraph.Store, folder: Path, name: str) -> dict[str, str]:
    """One dump, plain and gzip-compressed; each file's SHA-256."""
    write_plain(store, folder, name)
    return compress(folder, name)


def write_plain(store: pyoxigraph.Store, folder: Path, name: str) -> None:
    """A dump as pyoxigraph writes it from memory: at 172,000 persons hundreds of megabytes. The union is each
    graph's triples in turn, one document after the other: valid N-Triples and Turtle (no prefixes are
    declared), and a blank node in two graphs keeps one label, as it is one node of the union. That is 2-3x
    faster than a CONSTRUCT over all graphs, and all in Rust, so that the other dumps and the store load
    meanwhile."""
    scope, rdf_format = DUMPS[name]
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "wb") as plain:
        if scope == "dataset":
            store.dump(plain, format=rdf_format)
        else:
            for graph in sorted(store.named_graphs(), key=lambda g: g.value):
                store.dump(plain, format=rdf_format, from_graph=graph)


def compress(folder: Path, name: str) -> dict[str, str]:
    """The dump `name` gzip-compressed beside it (deterministic: no name or time in the header); the SHA-256 of
    both, taken as they are read and written (a server would read 1.6 GB to take them). Level 1: half of
    level 6's time, for files a third larger (13 MB instead of 10 at 172,000 persons)."""
    import gzip
    import hashlib

    digests = {name: hashlib.sha256(), name + ".gz": hashlib.sha256()}
    with open(folder / name, "rb") as plain, open(folder / (name + ".gz"), "wb") as packed, \
            gzip.GzipFile(filename="", mode="wb", fileobj=_Hashing(packed, digests[name + ".gz"]), compresslevel=1,
                          mtime=0) as out:
        for block in iter(lambda: plain.read(1 << 20), b""):
            digests[name].update(block)
            out.write(block)
    return {file: digest.hexdigest() for file, digest in digests.items()}


class _Hashing:
    """A file that is written to, and whose bytes are hashed on the way."""

    def __init__(self, file, digest):
        self.file, self.digest = file, digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


class BuildCache:
    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home else default_home()  # --home or $KORYO_KG_HOME, read by the command line
        self.stores = self.home / "stores"

    def path(self, key: str) -> Path:
        return self.stores / key

    def has(self, key: str) -> bool:
        return (self.path(key) / "COMPLETE").exists()

    def current_key(self) -> str | None:
        try:
            key = (self.home / "current").read_text().strip()
        except OSError:
            return None
        return key if key and self.has(key) else None

    def set_current(self, key: str) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.home, prefix=".current-")
        with os.fdopen(handle, "w") as out:
            out.write(key + "\n")
        os.replace(temporary, self.home / "current")

    def install(self, key: str, dataset: pyoxigraph.Store, files: dict[str, bytes] | None = None) -> Path:
        """Copy the named graphs of `dataset` (an in-memory store) into a new store for `key`, beside its dumps
        and `files` (name -> content), and make it current. The dumps are written from `dataset`: the same
        quads, read from memory several times faster than from the on-disk store."""
        self.stores.mkdir(parents=True, exist_ok=True)
        self.remove_stale_staging()
        staging = Path(tempfile.mkdtemp(dir=self.stores, prefix=f".{key[:12]}-{os.getpid()}-"))
        try:
            dumps = staging / "dumps"
            write_plain(dataset, dumps, LOADED_FROM)
            # The store loads (RocksDB's bulk loader, in threads of its own) while the dumps are compressed and
            # the others written: each half of the work of a large build, and neither holds the GIL.
            loading = beside(_load, staging / "store", dumps / LOADED_FROM)
            checksums = compress(dumps, LOADED_FROM)
            for name in DUMPS:
                if name != LOADED_FROM:
                    checksums |= write_dump(dataset, dumps, name)
            write_checksums(dumps, checksums)
            loading.result()
            for name, content in (files or {}).items():
                (staging / name).write_bytes(content)
            (staging / "COMPLETE").write_text(key + "\n")
            if self.has(key):  # another process built the same inputs meanwhile
                shutil.rmtree(staging, ignore_errors=True)
            else:
                shutil.rmtree(self.path(key), ignore_errors=True)
                os.replace(staging, self.path(key))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.set_current(key)
        self._prune(keep=key)
        return self.path(key)

    def remove_stale_staging(self) -> list[Path]:
        """Remove the staging folders of builds whose process is gone (killed mid-build): they would stay
        forever otherwise. A folder whose process still runs is another build in progress, and is left."""
        removed = []
        for staging in self.stores.glob(".*-*") if self.stores.is_dir() else ():
            pid = staging.name.split("-")[1]  # .{key}-{pid}-{random}; older releases wrote no pid
            old = time.time() - staging.stat().st_mtime > STALE
            if staging.is_dir() and (old or not pid.isdigit() or not _alive(int(pid))):
                shutil.rmtree(staging, ignore_errors=True)
                removed.append(staging)
        return removed

    def open(self, key: str) -> pyoxigraph.Store:
        """The store of a build, read-only (many server workers may open it at once)."""
        return pyoxigraph.Store.read_only(str(self.path(key) / "store"))

    def serving(self, key: str):
        """Keep the build `key` while the returned file is open: a server whose processes read its store on
        disk holds it (they inherit it through fork) with a shared lock, and _prune passes such a build by."""
        held = (self.path(key) / SERVING).open("a")
        fcntl.flock(held, fcntl.LOCK_SH)
        return held

    def _prune(self, keep: str) -> None:
        builds = sorted((p for p in self.stores.iterdir() if p.is_dir() and not p.name.startswith(".")),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [b for b in builds if b.name != keep][KEEP - 1:]:
            if not _served(old):
                shutil.rmtree(old, ignore_errors=True)


def _load(store_path: Path, dump: Path) -> None:
    """A new on-disk store of the N-Quads `dump`; lenient: its IRIs were checked when the sources were parsed."""
    store = pyoxigraph.Store(str(store_path))
    store.bulk_load(path=dump, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
    store.flush()


def _served(build: Path) -> bool:
    """Whether a server holds the build (see BuildCache.serving)."""
    try:
        with (build / SERVING).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # no such build any more, or not ours to lock: nothing to keep it for
        return False
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
