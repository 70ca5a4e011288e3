"""The ontology lint: clean on the project, and each checkable criterion caught, located, in a broken one."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from koryo_kg.sources.files import Sources, default_sources
from koryo_kg.validation.lint import lint

RULES = "https://w3id.org/koryo-kg/lint#"


def test_project_ontology_is_clean():
    assert lint(default_sources()).findings == []  # the command: tests/unit/test_cli.py


@pytest.fixture(scope="module")
def broken():
    return lint(Sources.from_root(FIXTURES / "lint"))


@pytest.mark.parametrize("rule, line, focus", [
    ("ontology-metadata", 8, "https://w3id.org/koryo-kg/ontology"),
    ("label", 10, "https://w3id.org/koryo-kg/ontology#Thing"),
    ("definition", 10, "https://w3id.org/koryo-kg/ontology#Thing"),
    ("defined-by", 10, "https://w3id.org/koryo-kg/ontology#Thing"),
    ("undefined-term", 14, "https://w3id.org/koryo-kg/ontology#Placeholder"),  # org:Organisation
    ("naming", 16, "https://w3id.org/koryo-kg/ontology#Signed_By"),
    ("one-domain-range", 16, "https://w3id.org/koryo-kg/ontology#Signed_By"),
    ("external-axiom", 21, "http://www.cidoc-crm.org/cidoc-crm/E21_Person"),
])
def test_broken_ontology(broken, rule, line, focus):
    matching = [f for f in broken.findings if f.shape == RULES + rule and f.focus == focus]
    assert matching, [(f.shape, f.focus) for f in broken.findings]
    assert line in {f.location.line for f in matching}
    assert all(f.location.path.endswith("broken.ttl") for f in matching)


def test_crm_dot_properties_are_undefined(broken):
    messages = [f.message for f in broken.findings if f.shape == RULES + "undefined-term"]
    assert any("P14.1_in_the_role_of" in m for m in messages)
    assert any("Organisation" in m for m in messages)
