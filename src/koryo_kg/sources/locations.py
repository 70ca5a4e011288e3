"""Where each resource is written in the source files, so that a finding can name a file and a line.

rdflib forgets positions when it parses, so this module reads the text again: in Turtle, TriG, N-Triples and
N-Quads it finds the start and end of every statement and the subject written there; in other formats it
falls back to the first line that spells the resource's IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from koryo_kg.problems import Location

_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_INERT = re.compile(r"[^\n#\"'<\[\](){}.]*")  # what changes no state of statements() inside a statement
_STRING_BODY = {'"': re.compile(r'[^"\\\n]*'), "'": re.compile(r"[^'\\\n]*")}
_IRI_BODY = re.compile(r"[^>\n]*")
_AFTER_NAME = r"(?![\w%:-]|\.[\w%:-])"  # what may not follow a name for it to end there


@dataclass(frozen=True)
class Statement:
    """One Turtle statement: where it starts and ends, and the subject token it starts with."""

    subject: str
    start: int  # 1-based line numbers
    end: int
    col: int


def statements(text: str) -> list[Statement]:
    """Split Turtle-family text into statements, skipping strings, IRIs and comments."""
    found: list[Statement] = []
    i, n, line, line_start = 0, len(text), 1, 0
    depth = 0
    at_start = True
    current: tuple[str, int, int] | None = None  # subject token, line, col
    while i < n:
        if not at_start or depth:  # runs of characters that change nothing here, skipped at C speed
            i = _INERT.match(text, i).end()
            if i >= n:
                break
        c = text[i]
        if c == "\n":
            line, line_start = line + 1, i + 1
            i += 1
            continue
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and text[i : i + len(quote)] != quote:
                i = _STRING_BODY[c].match(text, i).end()
                if i >= n or text[i : i + len(quote)] == quote:
                    break
                if text[i] == "\\":
                    i += 1
                elif text[i] == "\n":
                    line, line_start = line + 1, i + 1
                i += 1
            i += len(quote)
            at_start = False
            continue
        if c == "<" and not at_start:
            i = _IRI_BODY.match(text, i).end() + 1
            continue
        if c.isspace():
            i += 1
            continue
        if at_start and depth == 0:
            if c == "}":
                i += 1
                continue
            token_end = i
            while token_end < n and not text[token_end].isspace() and text[token_end] not in ";,":
                token_end += 1
            token = text[i:token_end]
            at_start = False
            if token.lower() in ("@prefix", "prefix", "@base", "base", "graph"):
                current = None
            elif c not in "[(":
                current = (token, line, i - line_start + 1)
                if c == "<":
                    i = token_end
                    continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth = max(0, depth - 1)
        elif c == "{":
            at_start, current = True, None
        elif c == "}":
            at_start = True
        elif c == "." and depth == 0 and (i + 1 >= n or text[i + 1].isspace() or text[i + 1] == "#"):
            if current:
                found.append(Statement(current[0], current[1], line, current[2]))
            at_start, current = True, None
        i += 1
    return found


def _prefixes(text: str) -> dict[str, str]:
    return {(m.group(1) or ""): m.group(2) for m in _PREFIX.finditer(text)}


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    if ":" in token and not token.startswith("_:"):
        prefix, local = token.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def _spellings(node: Node, prefixes: dict[str, str]) -> list[str]:
    """How a term may be written in the file: full IRI, prefixed names, or a literal's lexical form."""
    if isinstance(node, URIRef):
        iri = str(node)
        forms = [f"<{iri}>"]
        forms += [f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)]
        return forms
    if isinstance(node, Literal):
        return [str(node)] if str(node) else []
    return []


class LocationIndex:
    """Maps resources (and their property values) to the file and line where they are written.

    Files are read lazily: a file's statements are found only when a resource to locate is spelt in it (a
    register of 172,000 persons has 33 MB of Turtle, and a build locates a handful of findings)."""

    def __init__(self) -> None:
        self._subjects: dict[str, list[tuple[int, Statement, str]]] = {}  # IRI -> (file order, statement, file)
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        self._prefixes: dict[str, dict[str, str]] = {}
        self._unindexed: dict[str, int] = {}  # file -> its order among the files added

    def add_file(self, path: Path | str, text: str) -> None:
        name = str(path)
        self._texts[name] = text
        self._unindexed[name] = len(self._texts)

    def _prefixes_of(self, name: str) -> dict[str, str]:
        if name not in self._prefixes:
            self._prefixes[name] = _prefixes(self._texts[name])
        return self._prefixes[name]

    def _lines_of(self, name: str) -> list[str]:
        if name not in self._lines:
            self._lines[name] = self._texts[name].splitlines()
        return self._lines[name]

    def _index(self, iri: str) -> None:
        """Find the statements of every file not read yet that spells `iri` (with a boundary after it, so that
        person-1 does not read every file that has a person-10)."""
        for name, order in list(self._unindexed.items()):
            text = self._texts[name]
            forms = _spellings(URIRef(iri), self._prefixes_of(name))
            if not any(re.search(re.escape(form) + _AFTER_NAME, text) for form in forms):
                continue
            del self._unindexed[name]
            for statement in statements(text):
                subject = _expand(statement.subject, self._prefixes_of(name))
                if subject:
                    self._subjects.setdefault(subject, []).append((order, statement, name))

    def locate(self, node: Node, graph: Graph | None = None, value: Node | None = None,
               parents=None) -> Location | None:
        """Where `node` is written as a subject; with `value`, the line of that value inside the statement. A
        blank node is located by the resource it hangs from: `parents(node)` gives the subjects that point at
        it (default: from `graph`)."""
        if isinstance(node, BNode):
            if parents is None and graph is not None:
                def parents(child):
                    return graph.subjects(None, child)
            return self._locate_blank(node, parents, value)
        self._index(str(node))
        hits = sorted(self._subjects.get(str(node), ()), key=lambda hit: hit[0])
        if hits:
            if value is not None:
                for _, statement, name in hits:
                    line = self._find_in(name, statement.start, statement.end, value)
                    if line:
                        return Location(name, line)
            _, statement, name = hits[0]
            return Location(name, statement.start, statement.col)
        return self._search_text(node)

    def _locate_blank(self, node: BNode, parents, value: Node | None) -> Location | None:
        if parents is None:
            return None
        seen = {node}
        frontier = [node]
        while frontier:
            child = frontier.pop()
            for parent in parents(child):
                if isinstance(parent, BNode):
                    if parent not in seen:
                        seen.add(parent)
                        frontier.append(parent)
                    continue
                return self.locate(parent, value=value)
        return None

    def _find_in(self, name: str, start: int, end: int, value: Node) -> int | None:
        spellings = _spellings(value, self._prefixes_of(name))
        lines = self._lines_of(name)
        for number in range(start, min(end, len(lines)) + 1):
            text = lines[number - 1]
            if any(s in text for s in spellings):
                return number
        return None

    def _search_text(self, node: Node) -> Location | None:
        """For formats other than Turtle: the first line that spells the IRI."""
        if not isinstance(node, URIRef):
            return None
        iri = str(node)
        for name, text in self._texts.items():
            offset = text.find(iri)
            if offset >= 0:
                line_start = text.rfind("\n", 0, offset) + 1
                return Location(name, text.count("\n", 0, offset) + 1, offset - line_start + 1)
        return None
