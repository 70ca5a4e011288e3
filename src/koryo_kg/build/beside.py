"""Work that runs beside the build's main thread: the SHACL engine and RocksDB's bulk load are Rust that
releases the GIL, so each takes the machine's other core while the main thread goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


def beside(function: Callable[..., Any], *args: Any) -> Future:
    """Start `function(*args)` in a thread; the future holds its result or its error. The thread is a daemon,
    unlike a ThreadPoolExecutor's: Ctrl-C ends a build at once, not after half a minute of validation."""
    future: Future = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(function(*args))
        except BaseException as error:  # handed to whoever waits for the result
            future.set_exception(error)

    threading.Thread(target=run, name=getattr(function, "__name__", "beside"), daemon=True).start()
    return future
