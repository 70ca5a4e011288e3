"""Validation reports for people (text grouped by file) and machines: JSON, the SHACL report in Turtle,
JUnit XML, GitHub workflow commands and SARIF 2.1.0."""

from __future__ import annotations

import json
from itertools import groupby

from koryo_kg.build.shacl import Report
from koryo_kg.problems import Location
from koryo_kg.vocab import compact

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


def as_json(report: Report, version: str | None = None) -> str:
    """The report as JSON; `version`, when given, names the build the report is of."""
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        **({"build": version} if version else {}),
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in ("violation", "warning", "info")},
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# the writer of each report format of koryo_kg.formats, by its name
WRITERS = {"text": text, "json": as_json}


def turtle(report: Report) -> str:
    """The standard SHACL validation report (sh:ValidationReport), as pyshacl made it."""
    return report.results_graph.serialize(format="turtle")


def _case_name(f) -> str:
    return f"{compact(f.shape) or 'shape'} on {compact(f.focus)}"


def junit(report: Report) -> str:
    """JUnit XML: one test case per shape and focus node that failed (one passing case when all conform)."""
    from xml.sax.saxutils import escape, quoteattr

    cases = {}
    for f in report.findings:
        cases.setdefault((f.shape, f.focus), []).append(f)
    lines = []
    for _, findings in sorted(cases.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        first = findings[0]
        where = str(first.location) if first.location else "(location unknown)"
        failing = [f for f in findings if f.severity == "violation"]
        details = "\n".join(f"{f.location or where}: {f.severity}: {f.message}"
                            + (f" (path {compact(f.path)}, value {compact(f.value)})" if f.path else "") for f in findings)
        body = (f'<failure message={quoteattr(failing[0].message)} type="violation">{escape(details)}</failure>'
                if failing else f"<system-out>{escape(details)}</system-out>")
        lines.append(f'<testcase classname={quoteattr(first.location.path if first.location else "koryo-kg")} '
                     f'name={quoteattr(_case_name(first))} file={quoteattr(where.split(":")[0])}>{body}</testcase>')
    if not lines:
        lines.append('<testcase classname="koryo-kg" name="the data conforms to the shapes"/>')
    failures = sum(1 for line in lines if "<failure" in line)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
            f'<testsuite name="koryo-kg SHACL validation" tests="{len(lines)}" failures="{failures}" errors="0">\n'
            + "\n".join(lines) + "\n</testsuite>\n</testsuites>\n")


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github(report: Report) -> str:
    """GitHub Actions workflow commands, so that findings show on the pull request's diff."""
    command = {"violation": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.findings:
        properties = [f"title={_github_escape(compact(f.shape) or 'SHACL', True)}"]
        if f.location:
            properties = [f"file={_github_escape(f.location.path, True)}", f"line={f.location.line}"] + (
                [f"col={f.location.col}"] if f.location.col else []) + properties
        message = f"{f.message} (focus {compact(f.focus)}" + (f", path {compact(f.path)}" if f.path else "") + (
            f", value {compact(f.value)}" if f.value is not None else "") + ")"
        lines.append(f"::{command[f.severity]} {','.join(properties)}::{_github_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(report: Report) -> str:
    """SARIF 2.1.0, for code-scanning views: one rule per shape, one result per finding."""
    from koryo_kg import __version__

    level = {"violation": "error", "warning": "warning", "info": "note"}
    rules = sorted({f.shape or "shape" for f in report.findings})
    results = []
    for f in report.findings:
        result = {"ruleId": f.shape or "shape", "ruleIndex": rules.index(f.shape or "shape"),
                  "level": level[f.severity], "message": {"text": f.message},
                  "properties": {"focusNode": f.focus, "resultPath": f.path, "value": f.value,
                                 "sourceConstraintComponent": f.constraint}}
        if f.location:
            region = {"startLine": f.location.line}
            if f.location.col:
                region["startColumn"] = f.location.col
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": f.location.path},
                                                         "region": region}}]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "koryo-kg", "version": __version__,
                                      "informationUri": "https://w3id.org/koryo-kg/shapes",
                                      "rules": [{"id": r, "name": compact(r).split(":")[-1],
                                                 "shortDescription": {"text": f"SHACL shape {compact(r)}"}}
                                                for r in rules]}},
                  "results": results}],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


WRITERS.update({"turtle": turtle, "junit": junit, "github": github, "sarif": sarif})
