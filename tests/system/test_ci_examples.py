"""The CI integrations the README offers, run exactly as written there: the GitHub Actions step, the GitLab
job's script and the pre-commit hook's entry."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, koryo_kg

BROKEN = """@prefix kg: <https://w3id.org/koryo-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/koryo-kg/id/place/new-village> a kg:Place ;
    rdfs:label "A new village"@en .
"""


def readme_commands(marker: str) -> list[str]:
    """The `koryo-kg` commands in the README's YAML blocks that contain `marker`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if marker in b]
    assert blocks, marker
    return [line.split("- run: ", 1)[-1].split("- ", 1)[-1].strip()
            for line in blocks[0].splitlines() if "koryo-kg validate" in line]


@pytest.fixture
def contribution(tmp_path) -> Path:
    (tmp_path / "contributions").mkdir()
    (tmp_path / "contributions" / "village.ttl").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def run(command: str, home, cwd):
    words = shlex.split(command.split(" > ")[0])
    assert words[:2] == ["koryo-kg", "validate"]
    return koryo_kg(*words[1:], home=home, cwd=cwd)


def test_github_actions_step(home, contribution):
    [command] = readme_commands("actions/checkout")
    result = run(command, home, contribution)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=contributions/village.ttl,line=4,")


def test_gitlab_job(home, contribution):
    [command] = readme_commands("reports:")
    result = run(command, home, contribution)
    assert result.returncode == 1
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert int(suite.get("failures")) >= 1


def test_pre_commit_hook(home, contribution):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert re.search(hook["files"], "contributions/village.ttl")
    result = run(hook["entry"] + " contributions/village.ttl", home, contribution)
    assert result.returncode == 1 and "contributions/village.ttl:4" in result.stdout
