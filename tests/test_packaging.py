"""`pip install .` (not editable) carries the ontology, data, shapes and queries inside the wheel, so that
`koryo-kg` works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("koryo_kg-*.whl"))


def test_wheel_carries_the_sources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data/triples", "shapes", "queries"):
        expected = {f"koryo_kg/resources/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).glob("*.*")
                    if p.is_file()}
        assert expected and expected <= names, folder


def test_installed_command_works_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
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
    resources = subprocess.run([str(python), "-c", "import koryo_kg.resources as r; print(r.project_root())"],
                               cwd=elsewhere, capture_output=True, text=True, check=True)
    assert "site-packages" in resources.stdout
