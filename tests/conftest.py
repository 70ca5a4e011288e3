"""Shared fixtures of both tiers: one build of the project in a temporary home; the in-process application
over it (tests/unit, through Flask's test client); real `koryo-kg serve` processes on it (tests/system)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from koryo_kg.build.cache import BuildCache

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
# A blank node's name in a report, new at every parse: pyoxigraph writes 128 random bits in hex without the
# leading zeros (so 31 digits one time in sixteen), rdflib may put an N before them.
BLANK_NODE = re.compile(r"\bN?[0-9a-f]{24,32}\b")
pytest_plugins = ["stores"]  # the SPARQL stores (Oxigraph server, Virtuoso) the tests start


def synthetic_register(persons: int, out: Path, violations: int | None = None):
    """benchmarks/synthetic_register.py's register of `persons` in `out`, with its seeded violations unless
    `violations` says how many; the generator module is returned (its PREFIXES, for more of the same)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic_register", ROOT / "benchmarks" / "synthetic_register.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate(persons, out, **({} if violations is None else {"violations": violations}))
    return generator


def pytest_addoption(parser):
    parser.addoption("--fuzz-requests", type=int, default=300,
                     help="requests of each kind the HTTP fuzz sends (tests/system/test_fuzz.py); the full run is 10000")


def koryo_kg(*args: str, home: Path, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed command line, as a user would."""
    env = {**os.environ, "KORYO_KG_HOME": str(home)}
    env.pop("KORYO_KG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "koryo_kg.cli", *args], env=env, cwd=cwd or ROOT,
                          capture_output=True, text=True, input=input, timeout=600)


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    """A build home with the project's store built once, in this process (`koryo-kg build` runs the same
    pipeline; tests/system/test_cli.py runs the command itself)."""
    from koryo_kg.build.pipeline import build
    from koryo_kg.sources.files import default_sources

    home = tmp_path_factory.mktemp("home")
    build(default_sources(), BuildCache(home))
    return home


@pytest.fixture(scope="session")
def store(home):
    cache = BuildCache(home)
    return cache.open(cache.current_key())


def served(home: Path, workspace: Path, *, additions: tuple[Path, ...] = (), **settings):
    """The application `koryo-kg serve` would run on `home`'s current build (with `--add` of `additions`),
    in this process: what the SPARQL Protocol, negotiation and the pages do without granian."""
    import pyoxigraph

    from koryo_kg.app import create_app
    from koryo_kg.build.additions import graph_counts, with_additions
    from koryo_kg.build.cache import VALIDATION
    from koryo_kg.settings import ServerConfig

    cache = BuildCache(home)
    key = cache.current_key()
    store_path = cache.path(key) / "store"
    if additions:
        store_path = with_additions(store_path, list(additions), workspace)
    config = ServerConfig(store_path=str(store_path), graph_counts=graph_counts(pyoxigraph.Store.read_only(str(store_path))),
                          dumps_dir=str(cache.path(key) / "dumps"), validation_report=str(cache.path(key) / VALIDATION),
                          version=key[:16], **settings)
    app = create_app(config)
    app.testing = True
    return app


@pytest.fixture(scope="session")
def app(home, tmp_path_factory):
    """In process, what the `server` fixture serves: the build with tests/fixtures/added."""
    return served(home, tmp_path_factory.mktemp("serving"), additions=(FIXTURES / "added",))


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real `koryo-kg serve` process on 127.0.0.1."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None):
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        env = {**os.environ, "KORYO_KG_HOME": str(home), **(env or {})}
        # the log goes to a file: a pipe nobody reads would fill up and stall the server
        self.log = tempfile.NamedTemporaryFile("w+", prefix="serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "koryo_kg.cli", "serve", "--port", str(self.port), *args],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)  # its own process group, so that a test can kill all of its processes
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve exited: " + self.stop())
            try:
                with urllib.request.urlopen(self.url, timeout=1) as response:
                    response.read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("serve did not start")

    def read_log(self) -> str:
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.read_log()


@pytest.fixture(scope="session")
def server(home):
    server = Server(home, "--add", str(FIXTURES / "added"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def limited_server(home):
    server = Server(home, "--timeout", "3", "--max-rows", "5", "--max-body", "2000", "--workers", "2",
                    "--no-cors")
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by .ci/run; Playwright never downloads a browser here
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def root(server) -> str:
    """The server's base URL (its SPARQL endpoint without /sparql)."""
    return server.url.rsplit("/sparql", 1)[0]


@contextlib.contextmanager
def opened(browser, tmp_path, name, expected_status=None, **options):
    """A page that records console errors, checked at the end, with a screenshot if anything failed.
    Chromium logs every 4xx a script receives; `expected_status` is one the test provokes on purpose."""
    page = browser.new_page(**options)
    errors = []
    expected = f"status of {expected_status} " if expected_status else None
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" and not (
        expected and expected in message.text) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
        assert errors == []
    except BaseException:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        raise
    finally:
        page.close()
