"""Where each resource is written in the source files, so that a finding can name a file and a line.

rdflib forgets positions when it parses, so this module reads the text again: in Turtle, TriG, N-Triples and
N-Quads it finds the start and end of every statement and the subject written there; in other formats it
falls back to the first line that spells the resource's IRI.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from koryo_kg.problems import Location

_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_INERT = re.compile(r"[^\n#\"'<\[\](){}.]*")  # what changes no state of statements() inside a statement
_STRING_BODY = {'"': re.compile(r'[^"\\\n]*'), "'": re.compile(r"[^'\\\n]*")}
_IRI_BODY = re.compile(r"[^>\n]*")
_AFTER_NAME = r"(?![\w%:-]|\.[\w%:-])"  # what may not follow a name for it to end there
# what statements() skips as a whole, as it reads them: long and short strings (a backslash escapes the next
# character), IRIs (up to '>' or the end of the line) and comments
_OPAQUE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)' r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
                     r'|"(?:[^"\\]|\\.)*(?:"|\Z)' r"|'(?:[^'\\]|\\.)*(?:'|\Z)" r"|<[^>\n]*>?|#[^\n]*", re.S)
_TERMINATOR = re.compile(r"\.(?=\s|#|\Z)")  # outside what _OPAQUE matches, the end of a statement
_BASE = re.compile(r"(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_SCHEMELESS = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)")  # at the start of a relative IRI
_RELATIVE = "<" + _SCHEMELESS.pattern + r"[^>\n]*>"  # an IRI without a scheme


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


def _expand(token: str, prefixes: dict[str, str], base: str | None = None) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        return urljoin(base, token[1:-1]) if base else token[1:-1]
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


def _written(iri: str, prefixes: dict[str, str], relative: bool) -> list[re.Pattern]:
    """Every spelling of `iri`, each a pattern with a boundary after it: in full; as a prefixed name, whose
    local part may escape any character (ex:a\\.b); with `relative`, any IRI without a scheme (it is resolved
    and compared afterwards). One pattern each: searched for apart, each is a fast scan for its first
    characters, which an alternation of them is not."""
    forms = [re.escape(f"<{iri}>")] + ([_RELATIVE] if relative else [])
    forms += [re.escape(p) + ":" + "".join("\\\\?" + re.escape(c) for c in iri[len(ns):])
              for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)]
    return [re.compile(form + _AFTER_NAME) for form in forms]


class _Text:
    """One file's text, and what statements() skips in it as a whole (strings, IRIs, comments), found by one
    regular expression: enough to tell whether a place is inside one of them, and where statements end."""

    def __init__(self, text: str, base: str | None) -> None:
        self.text, self.base = text, base
        self._spans: tuple[list[int], list[int]] | None = None
        self._bases: list[tuple[int, str]] | None = None

    def _spans_of(self) -> tuple[list[int], list[int]]:
        if self._spans is None:
            starts, ends = [], []
            for match in _OPAQUE.finditer(self.text):
                starts.append(match.start())
                ends.append(match.end())
            self._spans = (starts, ends)
        return self._spans

    def inside(self, offset: int) -> int | None:
        """Where the string, IRI or comment that `offset` is inside of (and not its first character) starts."""
        starts, ends = self._spans_of()
        k = bisect_right(starts, offset) - 1
        return starts[k] if k >= 0 and starts[k] < offset < ends[k] else None

    def base_at(self, offset: int) -> str | None:
        """The base IRI in force at `offset`: the file's, or that of the last @base or BASE before it."""
        if self._bases is None:
            self._bases, base = [], self.base
            for match in _BASE.finditer(self.text):
                if self.inside(match.start()) is None:
                    base = urljoin(base, match.group(1)) if base else match.group(1)
                    self._bases.append((match.start(), base))
        k = bisect_right(self._bases, (offset, "\uffff")) - 1
        return self._bases[k][1] if k >= 0 else self.base

    def statement_start(self, offset: int) -> int | None:
        """Where to start reading for statements() to read a subject at `offset`: after the terminating '.',
        '{' or '}' before it, with only blanks and comments between, or at the start of the text; None for
        a term anywhere else (an object, a predicate)."""
        text, i, blank = self.text, offset - 1, False
        while i >= 0:
            if text[i].isspace():
                i, blank = i - 1, True
                continue
            start = self.inside(i)
            if start is not None and text[start] == "#":
                i, blank = start - 1, True
                continue
            break
        if i < 0:
            return 0
        if text[i] in "{}" or (text[i] == "." and blank and self.inside(i) is None):
            return i + 1
        return None

    def statement_end(self, offset: int) -> int:
        """Just past the first terminating '.' after `offset`, or the end of the text."""
        for match in _TERMINATOR.finditer(self.text, offset):
            if self.inside(match.start()) is None:
                return match.end()
        return len(self.text)


class LocationIndex:
    """Maps resources (and their property values) to the file and line where they are written.

    Nothing is read when a file is added: a resource to locate is searched for in the text, in each of its
    spellings, and statements() reads only the statements that may start with it, from the end of the one
    before (a register of 172,000 persons has 33 MB of Turtle, and a validation locates a handful of
    findings: reading all of it took 13-18 % of `koryo-kg validate`)."""

    def __init__(self) -> None:
        self._subjects: dict[str, list[tuple[int, Statement, str]]] = {}  # IRI -> (file order, statement, file)
        self._texts: dict[str, _Text] = {}
        self._lines: dict[str, list[str]] = {}
        self._prefixes: dict[str, dict[str, str]] = {}

    def add_file(self, path: Path | str, text: str, base: str | None = None) -> None:
        """Index `text`, the content of `path`, whose relative IRIs resolve against `base`."""
        self._texts[str(path)] = _Text(text, base)

    def _prefixes_of(self, name: str) -> dict[str, str]:
        if name not in self._prefixes:
            source = self._texts[name]
            # a relative namespace resolves against the base; looking for @base in the text costs a pass over it
            self._prefixes[name] = {prefix: urljoin(source.base_at(0), ns) if source.base and _SCHEMELESS.match(ns)
                                    else ns for prefix, ns in _prefixes(source.text).items()}
        return self._prefixes[name]

    def _lines_of(self, name: str) -> list[str]:
        if name not in self._lines:
            self._lines[name] = self._texts[name].text.splitlines()
        return self._lines[name]

    def _statements_of(self, iri: str) -> list[tuple[int, Statement, str]]:
        if iri not in self._subjects:
            self._subjects[iri] = [(order, statement, name) for order, name in enumerate(self._texts)
                                   for statement in self._written_as_subject(name, iri)]
        return self._subjects[iri]

    def _written_as_subject(self, name: str, iri: str) -> list[Statement]:
        """The statements of file `name` whose subject is `iri`, as statements() over the whole text finds
        them: it reads each that may start with a spelling of `iri`, from the end of the one before."""
        source, prefixes = self._texts[name], self._prefixes_of(name)
        text, found, line, counted = source.text, [], 1, 0
        for offset in sorted({match.start() for pattern in _written(iri, prefixes, source.base is not None)
                              for match in pattern.finditer(text)}):
            if source.inside(offset) is not None or (begin := source.statement_start(offset)) is None:
                continue
            line_start = text.rfind("\n", 0, begin) + 1
            line, counted = line + text.count("\n", counted, line_start), line_start
            at = (line + text.count("\n", line_start, offset), offset - text.rfind("\n", 0, offset))
            # blanks up to `begin` keep the columns of its line; the lines before it are added to the numbers
            for statement in statements(" " * (begin - line_start) + text[begin:source.statement_end(offset)]):
                if (statement.start + line - 1, statement.col) == at:
                    base = source.base_at(offset) if statement.subject.startswith("<") else None
                    if _expand(statement.subject, prefixes, base) == iri:
                        found.append(Statement(statement.subject, at[0], statement.end + line - 1, at[1]))
                    break
        return found

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
        hits = self._statements_of(str(node))
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
        for name, source in self._texts.items():
            text = source.text
            offset = text.find(iri)
            if offset >= 0:
                line_start = text.rfind("\n", 0, offset) + 1
                return Location(name, text.count("\n", 0, offset) + 1, offset - line_start + 1)
        return None
