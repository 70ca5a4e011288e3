"""Where the source files are: inside the installed wheel, or in the repository checkout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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

    def all_files(self) -> tuple[Path, ...]:
        return self.ontology + self.imports + self.data + self.shapes + self.gazetteer

    @classmethod
    def from_root(cls, root: Path) -> Sources:
        return cls(
            ontology=tuple(sorted((root / "ontology").glob("*.ttl"))),
            imports=tuple(sorted((root / "ontology" / "external").glob("*.ttl"))),
            data=tuple(sorted((root / "data" / "triples").glob("*.ttl"))),
            shapes=tuple(sorted((root / "shapes").glob("*.ttl"))),
            gazetteer=tuple(sorted((root / "data" / "gazetteer").glob("*.ttl"))),
        )


def default_sources() -> Sources:
    return Sources.from_root(project_root())


def queries_dir() -> Path:
    return project_root() / "queries"
