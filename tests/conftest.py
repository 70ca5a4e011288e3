"""Shared fixtures: one real build of the project, made by the `koryo-kg` command in a temporary home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from koryo_kg.store import BuildCache

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def koryo_kg(*args: str, home: Path, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed command line, as a user would."""
    env = {**os.environ, "KORYO_KG_HOME": str(home)}
    env.pop("KORYO_KG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "koryo_kg.cli", *args], env=env, cwd=cwd or ROOT,
                          capture_output=True, text=True, input=input, timeout=600)


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    """A build home with the project's store built once by `koryo-kg build`."""
    home = tmp_path_factory.mktemp("home")
    result = koryo_kg("build", home=home)
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture(scope="session")
def store(home):
    cache = BuildCache(home)
    return cache.open(cache.current_key())
