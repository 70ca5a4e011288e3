"""The query engine the web layer talks to: a pool of executor processes (see executor.py) with a deadline
per query. A query past its deadline has its process ended and replaced; the caller gets QueryTimeout and
the other executors go on serving.

This is the one interface between the endpoint and the store, so that a remote SPARQL store could take its
place when a deployment outgrows one machine.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from typing import Iterator

from .executor import Request, serve


class QueryError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class QueryTimeout(QueryError):
    def __init__(self, seconds: float):
        super().__init__(503, f"the query ran longer than the server's limit of {seconds:g} s and was stopped")


class Busy(QueryError):
    def __init__(self, seconds: float):
        super().__init__(503, f"every query executor stayed busy for {seconds:g} s; try again later")


@dataclass
class Answer:
    kind: str  # boolean | solutions | graph
    truncated: bool
    body: Iterator[bytes]


class _Executor:
    def __init__(self, context, store_path: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, store_path), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Engine:
    def __init__(self, store_path: str, size: int, timeout: float):
        self.store_path, self.size, self.timeout = store_path, size, timeout
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["koryo_kg.executor"])
        self._idle: queue.LifoQueue[_Executor] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(_Executor(self._context, store_path))

    def query(self, request: Request) -> Answer:
        """Evaluate; raises QueryError (400 for a bad query), QueryTimeout or Busy (503)."""
        deadline = time.monotonic() + self.timeout
        try:
            executor = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise Busy(self.timeout) from None
        try:
            executor.conn.send(request)
            message = self._receive(executor, deadline)
        except BaseException:
            self._replace(executor)
            raise
        if message[0] == "error":
            self._idle.put(executor)
            raise QueryError(message[1], message[2])
        info = message[1]
        return Answer(info["kind"], info["truncated"], self._stream(executor, deadline))

    def _receive(self, executor: _Executor, deadline: float):
        if not executor.conn.poll(max(0.0, deadline - time.monotonic())):
            raise QueryTimeout(self.timeout)
        try:
            return executor.conn.recv()
        except (EOFError, OSError):
            raise QueryError(500, "the query executor stopped unexpectedly") from None

    def _stream(self, executor: _Executor, deadline: float) -> Iterator[bytes]:
        finished = False
        try:
            while True:
                message = self._receive(executor, deadline)
                if message[0] == "chunk":
                    yield message[1]
                elif message[0] == "end":
                    finished = True
                    return
                else:  # an error after the response started: nothing better to do than to stop
                    return
        except QueryError:
            return  # the deadline passed mid-stream: the response ends short
        finally:
            if finished:
                self._idle.put(executor)
            else:  # the client went away, the deadline passed, or the executor failed
                self._replace(executor)

    def _replace(self, executor: _Executor) -> None:
        executor.stop()
        with self._lock:
            if not self._closed:
                self._idle.put(_Executor(self._context, self.store_path))

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return
