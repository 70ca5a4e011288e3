"""Where the source files are: inside the installed wheel, or in the repository checkout; which files are RDF."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from koryo_kg import formats
from koryo_kg.problems import InputError, Problem

RDF_EXTENSIONS = formats.by_extension(*formats.RDF_KINDS)  # '.ttl' -> its format: the files read as RDF
_PACKAGED = Path(__file__).resolve().parents[1] / "resources"  # koryo_kg/resources, filled by the wheel build (pyproject.toml)
_CHECKOUT = Path(__file__).resolve().parents[3]  # src/koryo_kg/sources/ -> repository root


def project_root() -> Path:
    """The folder that holds ontology/, data/, shapes/ and queries/."""
    if (_PACKAGED / "ontology").is_dir():
        return _PACKAGED
    return _CHECKOUT


@dataclass(frozen=True)
class Sources:
    """The input files of a build, by role."""

    ontology: tuple[Path, ...]
    imports: tuple[Path, ...]
    data: tuple[Path, ...]
    shapes: tuple[Path, ...]
    gazetteer: tuple[Path, ...] = ()  # matches to a gazetteer, not the article's: a graph of their own
    includes: tuple[tuple[str, tuple[Path, ...]], ...] = ()  # further folders (registers): (graph IRI, files)

    def all_files(self) -> tuple[Path, ...]:
        return (self.ontology + self.imports + self.data + self.shapes + self.gazetteer
                + tuple(path for _, files in self.includes for path in files))

    def including(self, folders: tuple[Path, ...]) -> Sources:
        """These sources and the RDF files of each folder (recursively), each folder in a named graph of its
        own, `…/graph/include/{folder name}`. Raises InputError for a file of unknown format, or for two
        folders of one name."""
        from koryo_kg.vocab import Graphs  # rdflib's terms: loaded only for --include

        names = [folder.resolve().name for folder in folders]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError([Problem(None, f"--include: two folders are called {n}: each needs its own graph name")
                              for n in twice])
        return replace(self, includes=self.includes + tuple(
            (Graphs.included(name), tuple(rdf_files([folder]))) for name, folder in zip(names, folders)))

    @classmethod
    def from_root(cls, root: Path) -> Sources:
        return cls(
            ontology=tuple(sorted((root / "ontology").glob("*.ttl"))),
            imports=tuple(sorted((root / "ontology" / "external").glob("*.ttl"))),
            data=tuple(sorted((root / "data" / "triples").glob("*.ttl"))),
            shapes=tuple(sorted((root / "shapes").glob("*.ttl"))),
            gazetteer=tuple(sorted((root / "data" / "gazetteer").glob("*.ttl"))),
        )


def rdf_files(paths: list[Path]) -> list[Path]:
    """The RDF files named, directories searched recursively; an unknown file is an input error."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in RDF_EXTENSIONS and p.is_file())
        elif not path.exists():
            problems.append(Problem(None, f"{path}: no such file or directory"))
        elif path.suffix.lower() not in RDF_EXTENSIONS:
            known = ", ".join(sorted(RDF_EXTENSIONS))
            problems.append(Problem(None, f"{path}: unknown RDF format (known extensions: {known})"))
        else:
            files.append(path)
    if problems:
        raise InputError(problems)
    return files


def default_sources() -> Sources:
    return Sources.from_root(project_root())


def queries_dir() -> Path:
    return project_root() / "queries"
