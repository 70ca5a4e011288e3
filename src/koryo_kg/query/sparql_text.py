"""The SPARQL text the engine executes, lexed once by the grammar's own terminals (SPARQL 1.1 Query, section
19.8): which query form a request is (to negotiate the response format before any work is done), which
SERVICE endpoints it would call and whether it would LOAD a URL (to refuse them), whether it names its own
dataset (FROM, FROM NAMED, USING, WITH), and the canonical text that is handed to pyoxigraph.

The canonical text is the tokens re-emitted one space apart: no comments, no codepoint escapes, strings in
one quoted form. pyoxigraph parses nothing but that text, so every SERVICE or LOAD it could execute is a token
this module saw and `outline` reported: a spelling the lexer reads differently from pyoxigraph can make a
request fail, never make it call an endpoint unseen. Text the terminals do not cover is a syntax error here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F"
         "\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")  # PN_CHARS_BASE
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"  # PN_CHARS
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = "[eE][+-]?[0-9]+"

_TOKENS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in (
    ("WS", r"[ \t\r\n]+"),
    ("COMMENT", r"#[^\r\n]*"),  # a comment ends at CR or LF, as the grammar says
    ("IRI", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("STRING", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"
               f'|"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'
               f"|'(?:[^'\\\\\\n\\r]|{_ECHAR})*'"
               f'|"(?:[^"\\\\\\n\\r]|{_ECHAR})*"'),
    ("VAR", f"[?$]{_VARNAME}"),
    ("BNODE", f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
    ("PNAME", f"(?:{_PREFIX})?:(?:{_LOCAL})?"),
    ("LANGTAG", "@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("NUMBER", f"[+-]?(?:[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\\.[0-9]+|[0-9]+)"),
    ("WORD", "[A-Za-z][A-Za-z0-9_]*"),  # keywords, function names (SHA256, GROUP_CONCAT), true, false, a
    ("PUNCT", r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*/+\-=<>!|^?]"),
    ("OTHER", "."),
)), re.DOTALL)
_CODEPOINT = re.compile(r"\\\\|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRING_ESCAPE = re.compile(_ECHAR)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

QUERY_FORMS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))
UPDATE_KEYWORDS = frozenset(("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"))


class SparqlSyntaxError(ValueError):
    """Text the SPARQL terminals do not cover; the message says where (line:col, from 1)."""


@dataclass(frozen=True)
class Outline:
    form: str | None  # SELECT, ASK, CONSTRUCT or DESCRIBE; "UPDATE" for an update; None when it cannot tell
    services: tuple[str, ...]  # the target after each SERVICE as written: <iri>, ?var, prefix:name
    names_dataset: bool  # FROM or FROM NAMED
    loads: bool  # an update's LOAD, which would fetch a URL
    own_dataset: bool  # an update's USING, USING NAMED or WITH
    tokens: tuple[str, ...]
    wheres: tuple[int, ...]  # where an update's DELETE/INSERT ... WHERE operations have their WHERE

    @property
    def text(self) -> str:
        """The canonical text: what pyoxigraph is given."""
        return joined(self.tokens)

    def refused_service(self, allowed) -> str | None:
        """The first SERVICE target that is not an absolute IRI in `allowed`."""
        for target in self.services:
            iri = target[1:-1]
            if not (target.startswith("<") and _ABSOLUTE.match(iri) and iri in allowed):
                return target
        return None

    def using(self, default_graphs: list[str], named_graphs: list[str]) -> str:
        """The canonical update with USING <g> / USING NAMED <g> before the WHERE of each DELETE/INSERT
        operation (the Protocol's using-graph-uri and using-named-graph-uri)."""
        clause = [f"USING {iri_token(g)}" for g in default_graphs] + \
                 [f"USING NAMED {iri_token(g)}" for g in named_graphs]
        tokens = list(self.tokens)
        for at in reversed(self.wheres):
            tokens[at:at] = clause
        return joined(tokens)


_CLAUSES = frozenset(("SELECT", "DISTINCT", "REDUCED", "VALUES", "BY", "HAVING", "AS", "IN", "A", "WHERE"))  # not calls


def joined(tokens) -> str:
    """Tokens as SPARQL text, a space between two but for a word and the "(" after it (a function's name and
    its arguments) and the two of NIL: pyoxigraph reads no `CONCAT (`, `COALESCE (` nor `BNODE( )`, which
    the grammar allows, and the text it is given must be this one."""
    out = []
    for at, token in enumerate(tokens):
        call = token == "(" and tokens[at - 1][0].isalpha() and tokens[at - 1].upper() not in _CLAUSES
        if at and not (call or token == ")" and tokens[at - 1] == "("):
            out.append(" ")
        out.append(token)
    return "".join(out)


def iri_token(iri: str) -> str:
    """<iri>, or SparqlSyntaxError when an IRIREF cannot hold it."""
    token = f"<{iri}>"
    if not _TOKENS.fullmatch(token) or _TOKENS.match(token).lastgroup != "IRI":
        raise SparqlSyntaxError(f"{iri!r} is not an IRI")
    return token


def outline(text: str) -> Outline:
    """The tokens of `text` and what they ask for, in one pass; raises SparqlSyntaxError."""
    if "\\" in text:  # codepoint escapes are replaced before anything else is read, as the grammar says
        text = _CODEPOINT.sub(_codepoint, text)
    tokens: list[str] = []
    form, names_dataset, loads, own_dataset = None, False, False, False
    wheres, depth, service_at = [], 0, []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "WS" or kind == "COMMENT":
            continue
        token = match.group()
        if kind == "WORD":
            upper = token.upper()
            if form is None and upper in QUERY_FORMS:
                form = upper
            elif form is None and upper in UPDATE_KEYWORDS:
                form = "UPDATE"
            if upper == "SERVICE":
                service_at.append(len(tokens))
            elif upper == "FROM":
                names_dataset = True
            elif upper == "LOAD":
                loads = True
            elif upper == "USING" or upper == "WITH":
                own_dataset = True
            elif upper == "WHERE" and depth == 0 and not (tokens and tokens[-1].upper() == "DELETE"):
                wheres.append(len(tokens))
        elif kind == "PUNCT":
            depth += token == "{"
            depth -= token == "}"
        elif kind == "STRING":
            token = _canonical_string(token)
        elif kind == "OTHER":
            raise SparqlSyntaxError(f"SPARQL syntax error at {_position(text, match.start())}: "
                                    f"unexpected {token!r}")
        tokens.append(token)
    services = []
    for at in service_at:
        at += 1 + (at + 1 < len(tokens) and tokens[at + 1].upper() == "SILENT")
        services.append(tokens[at] if at < len(tokens) else "(nothing)")
    return Outline(form, tuple(services), names_dataset, loads, own_dataset, tuple(tokens), tuple(wheres))


def _codepoint(match: re.Match) -> str:
    hexadecimal = match.group(1) or match.group(2)
    if hexadecimal is None:
        return match.group()  # an escaped backslash stays: "\\u0041" is a backslash and u0041
    code = int(hexadecimal, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise SparqlSyntaxError(f"SPARQL syntax error: {match.group()} is not a character")
    return chr(code)


def _canonical_string(token: str) -> str:
    """The string in double quotes on one line, with ECHAR escapes only."""
    if token[0] == '"' and not token.startswith('"""') and "\\" not in token:
        return token  # the common case: already canonical
    quotes = 3 if token[:3] in ('"""', "'''") else 1
    value = _STRING_ESCAPE.sub(lambda m: _ECHARS[m.group()[1]], token[quotes:-quotes])
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"
