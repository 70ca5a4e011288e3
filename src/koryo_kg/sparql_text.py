"""A light lexical look at a SPARQL request before it is evaluated: which query form it is (to negotiate the
response format before any work is done), which SERVICE endpoints it would call (to refuse them) and whether
it names its own dataset (FROM, FROM NAMED); for an update, whether it would LOAD a URL.

Only keywords outside strings, IRIs and comments count; everything else is left to the real parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Outline:
    form: str | None  # SELECT, ASK, CONSTRUCT or DESCRIBE; "UPDATE" for an update; None when it cannot tell
    services: tuple[str, ...]  # the IRI after each SERVICE (a variable or prefixed name as written)
    names_dataset: bool  # FROM or FROM NAMED
    loads: bool  # an update's LOAD, which would fetch a URL


def outline(text: str) -> Outline:
    """What the request needs to know before evaluation, in one pass over the tokens."""
    words = [t for t in _TOKEN.findall(text) if not t.startswith("#")]
    form, services, names_dataset, loads = None, [], False, False
    for i, token in enumerate(words):
        upper = token.upper()
        if form is None and upper in QUERY_FORMS:
            form = upper
        elif form is None and upper in UPDATE_KEYWORDS:
            form = "UPDATE"
        names_dataset = names_dataset or upper == "FROM"
        loads = loads or upper == "LOAD"
        if upper == "SERVICE":
            rest = words[i + 1 : i + 3]
            if rest and rest[0].upper() == "SILENT":
                rest = rest[1:]
            if rest:
                services.append(rest[0][1:-1] if rest[0].startswith("<") else rest[0])
    return Outline(form, tuple(services), names_dataset, loads)
