"""Validation reports for people (text grouped by file) and machines (JSON)."""

from __future__ import annotations

import json
from itertools import groupby

from .problems import Location
from .validation import Report
from .vocab import compact

JSON_SCHEMA_VERSION = 1


def text(report: Report) -> str:
    lines: list[str] = []
    by_file = lambda f: f.location.path if f.location else "(location unknown)"
    for path, findings in groupby(sorted(report.findings, key=lambda f: (by_file(f), f.location or Location("", 0))), key=by_file):
        lines.append(path)
        for f in findings:
            where = f"{f.location.line}:{f.location.col}" if f.location and f.location.col else (
                str(f.location.line) if f.location else "?")
            lines.append(f"  {path}:{where}: {f.severity}: {f.message}")
            details = [f"focus {compact(f.focus)}"]
            if f.path:
                details.append(f"path {compact(f.path)}")
            if f.value is not None:
                details.append(f"value {compact(f.value)}")
            if f.shape:
                details.append(f"shape {compact(f.shape)}")
            lines.append("      " + ", ".join(details))
    counts = ", ".join(f"{report.count(s)} {s}{'s' if report.count(s) != 1 else ''}"
                       for s in ("violation", "warning", "info"))
    lines.append(f"{'conforms' if report.conforms else 'does not conform'}: {counts}")
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in ("violation", "warning", "info")},
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": text, "json": as_json}
