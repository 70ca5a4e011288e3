"""Validation over HTTP: `POST /validate` checks RDF sent by a client against the shapes, like
`koryo-kg validate`; `GET /validation` shows the report of the published data, made when it was built.

A body is one RDF document whose Content-Type names its syntax; a multipart form carries one or more files
whose names name theirs; relative IRIs in them resolve against `/validate/<name>`. The files are written to a temporary folder and validated with the project's data
and ontology (or alone with `standalone=true`), under the same deadline, body limit and worker pool as a
query. The report comes in the format of `format=` or Accept: JSON by default, the text, Turtle (SHACL),
JUnit XML, GitHub and SARIF formats of the command line too.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.utils import secure_filename

from koryo_kg import formats
from koryo_kg.formats import RDF_KINDS, REPORT
from koryo_kg.http.errors import plain_text as error
from koryo_kg.http.negotiation import choose_report, prefers_html
from koryo_kg.problems import InputError
from koryo_kg.query.engine import QueryError
from koryo_kg.sources.files import default_sources

blueprint = Blueprint("validation_service", __name__)

# the syntax of a body, by its Content-Type: the media types the endpoint answers RDF in, aliases included
# (text/plain is not taken for N-Triples here: a plain-text body is more likely a mistake)
BODY_EXTENSIONS = {media_type: "." + f.extension for media_type, f in formats.offers(*RDF_KINDS).items()
                   if media_type != "text/plain"}
RDF_EXTENSIONS = formats.by_extension(*RDF_KINDS)
MULTIPART = "multipart/form-data"


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


def _uploads() -> tuple[list[tuple[str, bytes]], Response | None]:
    """(file name, content) of everything sent, or an error Response."""
    if request.mimetype == MULTIPART:
        files = [f for f in request.files.values() if f.filename]
        if not files:
            return [], error(400, "the form has no file: send the RDF as a file field (any name)")
        uploads = []
        for upload in files:
            name = secure_filename(upload.filename) or "upload"
            if Path(name).suffix.lower() not in RDF_EXTENSIONS:
                return [], error(415, f"{upload.filename}: unknown RDF format (known extensions: "
                                      + ", ".join(sorted(RDF_EXTENSIONS)) + ")")
            uploads.append((name, upload.read()))
        return uploads, None
    extension = BODY_EXTENSIONS.get(request.mimetype)
    if extension is None:
        return [], error(415, f"unsupported Content-Type {request.mimetype or '(none)'}: send RDF as one of "
                              + ", ".join(sorted(f.media_type for f in formats.of(*RDF_KINDS)))
                              + f", or files as {MULTIPART}")
    body = request.get_data(cache=False)
    if not body.strip():
        return [], error(400, "the body is empty: send the RDF to validate")
    return [("body" + extension, body)], None


def _check(uploads: list[tuple[str, bytes]], standalone: bool, base: str):
    from koryo_kg.validation.contributions import check  # pyshacl loads slowly: only when validating

    with tempfile.TemporaryDirectory(prefix="koryo-kg-validate-") as folder:
        paths = []
        for name, content in uploads:
            path = Path(folder) / name
            path.write_bytes(content)
            paths.append(path)
        return check(paths, default_sources(), standalone=standalone, root=Path(folder), base=base)


@blueprint.route("/validate", methods=["GET", "POST"])
def validate() -> Response:
    if request.method != "POST":  # answered here, or the linked-data pages would say 404
        return error(405, "send the RDF to validate by POST, as the body or as multipart files; "
                          "GET /validation shows the report of the published data", Allow="POST")
    chosen = choose_report(request.accept_mimetypes, request.args.get("format"))
    if chosen is None:
        reports = formats.of(REPORT)
        return error(406, "the report is available as " + ", ".join(sorted({f.media_type for f in reports}))
                          + " (format=" + "|".join(f.name for f in reports) + ")", Vary="Accept")
    uploads, failure = _uploads()
    if failure is not None:
        return failure
    from koryo_kg.build.reports import WRITERS

    try:
        # an upload's relative IRIs are the URL it was sent to and its name, not the temporary folder's path
        report = current_app.config["ENGINE"].run(_check, uploads, _flag("standalone"), request.base_url + "/")
    except InputError as problem:
        return error(400, "the RDF does not parse:\n" + "\n".join(map(str, problem.problems)))
    except QueryError as failure:
        return error(failure.status, str(failure))
    response = Response(WRITERS[chosen.name](report), mimetype=chosen.media_type)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.route("/validation")
def published() -> Response:
    """The build's own report: conforms, counts, findings, and which build it is of."""
    config = current_app.config["KORYO"]
    if not config.validation_report or not Path(config.validation_report).is_file():
        return error(404, "this server has no validation report of its data (a build older than the report)")
    report = json.loads(Path(config.validation_report).read_text(encoding="utf-8"))
    if prefers_html(request.accept_mimetypes):
        response = Response(render_template("validation.html", report=report, config=config))
    else:
        response = Response(json.dumps(report, ensure_ascii=False, indent=2) + "\n", mimetype="application/json")
    response.headers["Vary"] = "Accept"
    return response
