"""What a server process derives from the data it serves (the search index, the subject list, the labels,
the ontology's documentation …), each value computed at most once per dataset version: an update makes a
new version (the engine's `revision`), and the values of the old one are dropped on the next read.

The values that take seconds with a large register (`warmed`) are computed in a thread as soon as the process
starts (`DatasetState.warm`), so that no visitor waits for them; a request that needs one still being
computed waits for that computation, never starts another. Those of the build as published (no update applied)
can be kept in files for every process of the machine (kept_values.py): then one process computes each, once
a build, and the others, a worker replacing one and the next start read it."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, current_app

from koryo_kg.http.kept_values import Busy, Kept, KeptValues
from koryo_kg.query.engine import Engine, QueryError

_WARMED: list[tuple[int, Callable[[], Any]]] = []


def warmed(rank: int) -> Callable:
    """Mark a function that reads its value through DatasetState.get (with the current app, without a request)
    to be run when a process starts, in the order of `rank`: what a first visitor most likely needs first."""
    def mark(compute: Callable[[], Any]) -> Callable[[], Any]:
        _WARMED.append((rank, compute))
        return compute

    return mark


class DatasetState:
    def __init__(self, engine: Engine, kept_in: str | None = None):
        """`kept_in`: the folder where the build's values are kept for every process (None: each computes its own)."""
        self.engine = engine
        self.warm_seconds: dict[str, float] = {}  # each warmed value's time, once computed
        self.read: set[str] = set()  # the values read from the files of kept_in rather than computed
        self.warming: threading.Thread | None = None
        self._kept = KeptValues(kept_in) if kept_in else None
        self._patient = False  # whether the warming thread waits for a value another process computes
        self._revision = engine.revision
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()  # over _revision, _values and _locks

    def get(self, name: str, compute: Callable[[], Any], kept: Kept | None = None) -> Any:
        """The value called `name` for the data served now, computed by `compute()` on first use; one `kept`
        (written as JSON that way) is read from the build's files when the data is the build's."""
        # read before the data, so that a value computed while an update lands is kept under the older
        # revision, and computed again at the next read
        revision = self.engine.revision  # grows with every update
        with self._lock:
            if revision > self._revision:
                self._revision, self._values, self._locks = revision, {}, {}
            elif revision < self._revision:  # this request began before an update another one has seen
                return compute()
            if name in self._values:
                return self._values[name]
            computing = self._locks.setdefault(name, threading.Lock())
        with computing:  # the threads asking at once wait for the one computing it
            with self._lock:
                if name in self._values and self._revision == revision:
                    return self._values[name]
            if kept and self._kept and revision == 0:  # no update applied: the build's data
                value, read = self._kept.get(name, compute, kept, unchanged=lambda: self.engine.revision == 0,
                                             wait=self._patient or threading.current_thread() is not self.warming)
                if read:
                    self.read.add(name)
            else:
                value = compute()
            with self._lock:
                if self._revision == revision:
                    self._values[name] = value
            return value


    def warm(self, app: Flask) -> threading.Thread:
        """Compute the `warmed` values of the data served now, in a thread of their own. A value that another
        process is computing for the build's files is passed by, and read once the others are done: two
        workers starting together compute different values at once, and each reads the other's."""
        def run() -> None:
            started = time.perf_counter()
            with app.app_context():
                later = [compute for _, compute in sorted(_WARMED, key=lambda marked: marked[0])]
                for patient in (False, True):
                    self._patient = patient
                    later = [compute for compute in later if not self._warmed(app, compute)]
            logging.getLogger("_granian").info(
                "process %s: the values derived from the data ready in %.1f s, %d read from files", os.getpid(),
                time.perf_counter() - started, len(self.read))

        self.warming = threading.Thread(target=run, name="warm", daemon=True)
        self.warming.start()
        return self.warming

    def _warmed(self, app: Flask, compute: Callable[[], Any]) -> bool:
        """Whether `compute` gave its value (or failed: the first request needing it says why) rather than
        leaving it to another process."""
        started = time.perf_counter()
        try:
            compute()
        except Busy:
            return False
        except Exception:  # the store unreachable, say
            app.logger.exception("computing %s when starting", compute.__qualname__)
            return True
        self.warm_seconds[f"{compute.__module__}.{compute.__qualname__}"] = time.perf_counter() - started
        return True


def dataset_state() -> DatasetState:
    """The current app's state (made by app.create_app)."""
    return current_app.extensions["koryo_kg.dataset_state"]


def engine() -> Engine:
    """The current app's engine: every read of the data goes through it."""
    return current_app.config["ENGINE"]


def strings(parts: list[str], where: str, part: str | None = None) -> Iterator[str]:
    """For each solution of the group `where`, the values of the SPARQL expressions `parts` joined by spaces:
    for a value read from every thing of the data. The store concatenates them, into one string, or one for
    each value of the variable `part` (a store may limit a string's length; a part that is a term the store
    compares without reading its text, such as a graph, costs nothing), for 200,000 solutions handed over one
    by one as rdflib terms cost seconds more than reading them. No part may hold a line break, and only the
    last a space."""
    record = "CONCAT(" + ', " ", '.join(parts) + ")" if len(parts) > 1 else parts[0]
    try:
        rows = engine().select(f'SELECT (GROUP_CONCAT({record}; separator="\\n") AS ?r) WHERE {{ {where} }}'
                               + (f" GROUP BY {part}" if part else ""))
    except (ValueError, QueryError) as error:
        if isinstance(error, QueryError) and error.status != 400:  # a deadline passed: not the text
            raise
        # a store that refuses the aggregate (or the length of its string) is asked for the solutions' parts
        columns = [f"r{i}" for i in range(len(parts))]
        text = f"SELECT {' '.join(f'({p} AS ?{c})' for p, c in zip(parts, columns))} WHERE {{ {where} }}"
        for row in engine().select(text):
            yield " ".join(str(row[c]) for c in columns)
        return
    for row in rows:
        if row["r"] is not None and str(row["r"]):  # no solutions: one empty string, or none (grouped)
            yield from str(row["r"]).split("\n")
