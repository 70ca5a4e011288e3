"""Validating files a contributor brings, together with the project's data (they may refer to its IRIs) or
alone, against the project's shapes."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from koryo_kg.build.shacl import Report, contradictions, validate
from koryo_kg.problems import InputError
from koryo_kg.sources.files import Sources, rdf_files
from koryo_kg.sources.locations import LocationIndex
from koryo_kg.sources.parsing import load


def check(paths: list[Path], sources: Sources, standalone: bool = False, reason: bool = False,
          root: Path | None = None, base: str | None = None, engine: str = "turbo") -> Report:
    """Validate the RDF files under `paths` (the project's data when empty), naming them relative to `root`
    (their relative IRIs resolve against `base` + that name, by default against their file: IRIs);
    with `reason`, also report the OWL 2 RL reasoner's contradictions; the shapes run in the SHACL `engine`
    (a name of build/shacl.py ENGINES). Raises InputError when any file does not parse, naming every one."""
    index = LocationIndex()
    data = Graph()
    problems = []
    # Contributed files are indexed first, so that a finding points at the contributor's line.
    groups = [(rdf_files(paths), root, base)] if paths else []
    if not paths or not standalone:
        groups.append((list(sources.data) + [path for _, files in sources.includes for path in files], None, None))
    for files, named_from, based_on in groups:
        try:
            load(files, graph=data, index=index, root=named_from, base=based_on)
        except InputError as error:
            problems += error.problems
    vocabulary, shapes = Graph(), Graph()
    for files, graph in ((sources.ontology + sources.imports, vocabulary), (sources.shapes, shapes)):
        try:
            load(list(files), graph=graph, index=index)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    report = validate(data, vocabulary, shapes, index, engine)
    if reason:
        from koryo_kg.build.reasoning import reason as close  # owlrl loads slowly: only when asked

        report.add(contradictions(close(vocabulary, data).errors, data, index))
    return report
