"""`pip install .` (not editable) carries the ontology, data, shapes and queries inside the wheel, so that
`koryo-kg` works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr  # say why (hatchling missing, say), not just "exit 1"
    return next(out.glob("koryo_kg-*.whl"))


def _venv_seeing_this_environment(venv: Path) -> Path:
    """A new virtual environment that finds this environment's packages (rdflib, pyoxigraph, ...) behind its own.

    `venv --system-site-packages` is no good here: inside a virtual environment it shows the *base* Python's
    site-packages, which on a fresh machine hold none of our dependencies. A .pth file naming this environment's
    site-packages does it: the new environment's own site-packages (where the wheel goes) still come first, and
    a path line adds no .pth hooks, so the editable install of this checkout stays out of sight.
    """
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(own) / "outer-environment.pth").write_text("".join(f"{path}\n" for path in ours), encoding="utf-8")
    return python


def test_wheel_carries_the_sources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data/triples", "shapes", "queries"):
        expected = {f"koryo_kg/resources/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).glob("*.*")
                    if p.is_file()}
        assert expected and expected <= names, folder


def test_installed_command_works_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    python = _venv_seeing_this_environment(venv)
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "KORYO_KG_HOME": str(tmp_path / "home")}
    # Run the venv's own console script, from a directory that holds none of the sources.
    result = subprocess.run([str(venv / "bin" / "koryo-kg"), "query", "--format", "csv",
                             "SELECT ?n WHERE { ?f <https://w3id.org/koryo-kg/ontology#footnoteNumber> ?n } ORDER BY ?n LIMIT 3"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "1", "2", "3"]
    resources = subprocess.run([str(python), "-c", "import koryo_kg.sources.files as r; print(r.project_root())"],
                               cwd=elsewhere, capture_output=True, text=True, check=True)
    assert "site-packages" in resources.stdout
