"""What goes wrong with input, said with the file, line and column a person must look at."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Problem:
    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InputError(Exception):
    """Input that cannot be used (a file that does not parse, a query that is not SPARQL): exit status 2."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class BuildFailed(Exception):
    """The sources parse but do not make a valid build (SHACL violations, reasoner errors)."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


def display_path(path, root=None) -> str:
    """A path as a person in the current directory (or in `root`) would type it."""
    from pathlib import Path

    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path(root).resolve() if root else Path.cwd()))
    except ValueError:
        return str(resolved)
