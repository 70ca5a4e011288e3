"""A light lexical look at a SPARQL request before it is evaluated: which query form it is (to negotiate the
response format before any work is done) and which SERVICE endpoints it would call (to refuse them).

Only keywords outside strings, IRIs and comments count; everything else is left to the real parser.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'      # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'               # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"               # IRIs
    r"|#[^\n]*"                           # comments
    r"|[?$][\w]+"                         # variables
    r"|[A-Za-z_][\w.-]*:[\w.:%-]*"        # prefixed names
    r"|[A-Za-z]+"                         # keywords
    r"|\S",
    re.DOTALL,
)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if not t.startswith("#")]


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; "UPDATE" for an update; None when it cannot tell."""
    for token in tokens(text):
        upper = token.upper()
        if upper in QUERY_FORMS:
            return upper
        if upper in UPDATE_KEYWORDS:
            return "UPDATE"
    return None


def service_endpoints(text: str) -> list[str]:
    """The IRIs after each SERVICE keyword (a variable or prefixed name is returned as written)."""
    found = []
    words = tokens(text)
    for i, token in enumerate(words):
        if token.upper() == "SERVICE":
            rest = words[i + 1 : i + 3]
            if rest and rest[0].upper() == "SILENT":
                rest = rest[1:]
            if rest:
                found.append(rest[0][1:-1] if rest[0].startswith("<") else rest[0])
    return found
