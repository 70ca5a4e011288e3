"""How to cite a page: on every page a citation of it (title, URL, dataset version, access date) in plain
text, BibTeX and CSL-JSON, and the data's licence.

A page shows the data as it is now: older versions are not kept online, so the citation names the version
(the build's input hash, and the number of updates since) for a reader to compare with the dataset
description and the dumps of the version they hold.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, current_app, request

from koryo_kg.build.metadata import LICENCE, LICENCE_NAME, TITLE
from koryo_kg.http.links import site_url

blueprint = Blueprint("citation", __name__)


def _bibtex_escape(text: str) -> str:
    return "".join("\\" + c if c in "{}%&$#_" else c for c in text)


def cite(title: str) -> dict:
    """The citation of the page being answered, whose title is `title`."""
    config, engine = current_app.config["KORYO"], current_app.config["ENGINE"]
    version = config.version + (f", {engine.revision} updates" if engine.revision else "")
    url = site_url() + request.full_path.rstrip("?")
    today = datetime.now(UTC).date()
    accessed = f"{today.day} {today:%B %Y}"
    publisher = "the koryo-kg project"
    text = f"“{title}”. In: {TITLE}. Dataset version {version}. {publisher}. {url} (accessed {accessed})."
    key = "koryo-kg-" + (request.path.strip("/").replace("/", "-").replace(".", "-") or "home")
    bibtex = (f"@misc{{{key},\n  title = {{{_bibtex_escape(title)}}},\n"
              f"  howpublished = {{{_bibtex_escape(TITLE)}}},\n  organization = {{{publisher}}},\n"
              f"  note = {{Dataset version {_bibtex_escape(version)}; licence {LICENCE_NAME}}},\n"
              f"  url = {{{url}}},\n  urldate = {{{today.isoformat()}}}\n}}")
    csl = json.dumps({"id": key, "type": "dataset", "title": title, "container-title": TITLE,
                      "publisher": publisher, "version": version, "URL": url,
                      "accessed": {"date-parts": [[today.year, today.month, today.day]]}},
                     ensure_ascii=False, indent=2)
    return {"text": text, "bibtex": bibtex, "csl": csl, "version": version, "licence": LICENCE,
            "licence_name": LICENCE_NAME}


@blueprint.app_context_processor
def citation_helpers() -> dict:
    return {"cite": cite}
