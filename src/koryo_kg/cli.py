"""The `koryo-kg` command line: build the store, validate data against the shapes, query the graph.

Exit status: 0 success (the data conforms); 1 the data does not conform (SHACL violations, reasoner
contradictions); 2 bad input or usage (a file that does not parse, a bad query, an unknown option);
3 an internal error (a bug: please report it with KORYO_KG_DEBUG=1 output).

Each command imports the layers it needs when it runs: `--help` loads none of rdflib, pyoxigraph, pyshacl or
the server, and a query on a cached build only pyoxigraph (tests/unit/test_cli.py checks it).
"""

from __future__ import annotations

import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from koryo_kg import __version__
from koryo_kg.problems import BuildFailed, InputError
from koryo_kg.settings import BUILD, GLOBAL, INCLUDE, LINT, QUERY, SERVE, VALIDATE, Setting

if TYPE_CHECKING:
    from koryo_kg.build.cache import BuildCache
    from koryo_kg.sources.files import Sources

EXIT_OK, EXIT_NONCONFORMING, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _say(message: str) -> None:
    click.echo(f"koryo-kg: {message}", err=True)


def _explain(error: InputError | BuildFailed) -> None:
    """Every problem of bad input at its file:line:col, or the violations that failed a build."""
    if isinstance(error, InputError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
    elif error.report is not None:
        from koryo_kg.build.reports import text

        click.echo(text(error.report), err=True, nl=False)


def _sources() -> Sources:
    """The sources this invocation builds from: --sources, or the ones shipped with the package, and the
    command's --include folders."""
    from koryo_kg.sources.files import Sources, default_sources

    context = click.get_current_context()
    root = context.find_root().params.get("sources")
    sources = Sources.from_root(root) if root else default_sources()
    include = tuple(context.params.get("include", ()))
    return sources.including(include) if include else sources


def _handled(command):
    """Turn the package's errors into messages and exit statuses; never show a user a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            _explain(error)
            sys.exit(EXIT_INPUT)
        except BuildFailed as error:
            _explain(error)
            _say(f"build failed: {error}; the last good build is kept")
            sys.exit(EXIT_NONCONFORMING)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as error:  # a bug of ours, not the user's input
            if os.environ.get("KORYO_KG_DEBUG"):
                raise
            _say(f"internal error: {type(error).__name__}: {error} (set KORYO_KG_DEBUG=1 for details)")
            sys.exit(EXIT_INTERNAL)

    return wrapper


def ensure_built(cache: BuildCache, quiet: bool = False, strict: bool = False) -> str:
    """The key of the store to use: the build of the current sources, building it first if needed.

    When the sources do not build (a typo, a violation, a contradiction), the last good build is used and the
    reason is said once, loudly: a broken file must not take the endpoint down. With `strict`, or when there
    is no good build yet, the failure stands.
    """
    from koryo_kg.build.pipeline import build as run_build

    try:
        result = run_build(_sources(), cache, progress=(lambda m: None) if quiet else _say)
    except (InputError, BuildFailed) as failure:
        last_good = cache.current_key()
        if strict or last_good is None:
            raise
        _explain(failure)
        if isinstance(failure, BuildFailed):
            _say(f"build failed: {failure}")
        made = datetime.fromtimestamp((cache.path(last_good) / "COMPLETE").stat().st_mtime, UTC)
        _say(f"WARNING: the sources do not build (see above): using the last good build {last_good[:12]} of "
             f"{made:%Y-%m-%d %H:%M} UTC instead. Fix the sources, or pass --strict-build to refuse.")
        return last_good
    if not result.reused and not quiet:
        _say(f"built in {result.seconds:.1f} s")
    return result.key


_TYPES = {"text": None, "path": click.Path(path_type=Path), "file": click.Path(dir_okay=False, path_type=Path),
          "folder": click.Path(file_okay=False, path_type=Path),
          "existing folder": click.Path(file_okay=False, exists=True, path_type=Path), "readable file": click.File("r"),
          "readable binary file": click.File("rb")}


def _click_type(setting: Setting):
    if setting.type == "choice":
        return click.Choice(setting.choices)
    if setting.type == "int":
        return click.IntRange(setting.low, setting.high)
    if setting.type == "float":
        return click.FloatRange(setting.low, setting.high)
    return click.Choice(setting.choices) if setting.choices else _TYPES[setting.type]


def options(settings: tuple[Setting, ...]):
    """A command's click options, made from the settings table (settings.py)."""

    def decorate(command):
        for setting in reversed(settings):
            names = (setting.short, setting.option, setting.name) if setting.short else (setting.option, setting.name)
            if setting.type == "flag":
                command = click.option(*names, is_flag=True, default=setting.default, help=setting.help)(command)
                continue
            stated = setting.stated_default()
            command = click.option(
                *names, type=_click_type(setting), default=setting.default, multiple=setting.multiple,
                metavar=None if setting.type == "choice" else setting.metavar, envvar=setting.env, help=setting.help,
                # a setting read from the environment says its default in its help; a computed one is described
                show_default=False if setting.env or stated == "none" else setting.shown or True)(command)
        return command

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="koryo-kg")
@options(GLOBAL)
@click.pass_context
def main(context: click.Context, home: Path | None, sources: Path | None) -> None:
    """koryo-kg: a knowledge graph of the 1937 deportation of Koreans in the Soviet Union.

    The graph is built from the ontology, data and shapes shipped with the package: parsed with pyoxigraph,
    reasoned (OWL 2 RL), validated with pyshacl-turbo (pyshacl with --shacl pyshacl), stored in pyoxigraph.
    Builds are cached by a hash of their inputs; a failed build never replaces the last good one.
    """
    from koryo_kg.build.cache import BuildCache

    context.obj = BuildCache(home)


@main.command()
@options(BUILD + INCLUDE)
@click.pass_obj
@_handled
def build(cache: BuildCache, force: bool, reasoner: str, shacl: str, include: tuple[Path, ...]) -> None:
    """Build the store: parse, reason, validate, store. Progress on stderr, a summary on stdout.

    Exit 0 when built (or already built), 1 when the data violates the shapes or the reasoner finds a
    contradiction, 2 when a source file does not parse.
    """
    from koryo_kg.build.pipeline import build as run_build

    result = run_build(_sources(), cache, force=force, progress=_say, reasoner=reasoner, shacl=shacl)
    if result.reused:
        click.echo(f"up to date: build {result.key[:12]} ({cache.path(result.key)})")
        return
    click.echo(f"built {result.key[:12]} in {result.seconds:.1f} s ({cache.path(result.key)})")
    width = max(map(len, result.counts))
    for name, count in result.counts.items():
        click.echo(f"  {name.ljust(width)}  {count:>6} triples")
    click.echo(f"  {'total'.ljust(width)}  {sum(result.counts.values()):>6} triples")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@options(VALIDATE + INCLUDE)
@click.pass_obj
@_handled
def validate(cache: BuildCache, paths: tuple[Path, ...], output: str, standalone: bool, strict: bool,
             reason: bool, reasoner: str, shacl: str, include: tuple[Path, ...]) -> None:
    """Validate data against the SHACL shapes; each finding names the file and line to fix.

    Without PATHS, the project's own data. With PATHS (RDF files or directories, searched recursively;
    .ttl .nt .nq .trig .jsonld .rdf), the contributed files together with the project's data and
    ontology, since a new file may refer to existing IRIs. Exit 0 conforms, 1 violations, 2 a file does
    not parse (every such file is named with file:line:col).
    """
    from koryo_kg.build.reports import WRITERS
    from koryo_kg.validation.contributions import check

    report = check(list(paths), _sources(), standalone=standalone, reason=reason, engine=shacl, reasoner=reasoner)
    click.echo(WRITERS[output](report), nl=False)
    failing = report.findings if strict else [f for f in report.findings if f.severity == "violation"]
    sys.exit(EXIT_NONCONFORMING if failing else EXIT_OK)


@main.command()
@options(LINT)
@_handled
def lint(output: str) -> None:
    """Lint the ontology against the checkable FOOPS!/OOPS! criteria: metadata, a label, a definition and
    rdfs:isDefinedBy on every own term, naming, at most one domain and range, no axioms about other
    vocabularies' terms, no undefined terms of the vocabularies used. Exit 0 clean, 1 findings, 2 a file
    that does not parse.
    """
    from koryo_kg.build.reports import WRITERS
    from koryo_kg.validation.lint import lint as run_lint

    report = run_lint(_sources())
    click.echo(WRITERS[output](report), nl=False)
    sys.exit(EXIT_NONCONFORMING if report.findings else EXIT_OK)


def _query_text(file) -> str:
    from koryo_kg.problems import Location, Problem
    from koryo_kg.sources.parsing import line_col

    content = file.read()
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = line_col(content, error.start)
        raise InputError([Problem(Location(file.name, line, col), f"the query is not UTF-8 text (byte "
                                  f"0x{content[error.start]:02x}): save it as UTF-8")]) from None


@main.command()
@click.argument("query", required=False)
@options(QUERY + INCLUDE)
@click.pass_obj
@_handled
def query(cache: BuildCache, query: str | None, query_file, output: str, include: tuple[Path, ...]) -> None:
    """Run a SPARQL query over the whole graph (the union of its named graphs), building first if needed.

    \b
    koryo-kg query 'SELECT ?p WHERE { <https://w3id.org/koryo-kg/id/document/decree-1428-326cc>
                    <https://w3id.org/koryo-kg/ontology#signatory> ?p }'
    koryo-kg query -f queries/01-signatories-of-decree-1428.rq --format csv
    """
    from koryo_kg.query.command_line import render, run

    if (query is None) == (query_file is None):
        raise click.UsageError("give either a QUERY or --file, not both and not neither")
    text = query if query is not None else _query_text(query_file)
    key = ensure_built(cache, quiet=False)
    click.echo(render(run(cache.open(key), text), output), nl=False)


@main.command()
@options(SERVE + INCLUDE)
@click.pass_obj
@_handled
def serve(cache: BuildCache, host, port, workers, memory, threads, additions, query_timeout, max_rows, max_body,
          max_memory, max_connections, header_timeout, cors_origins, no_cors, service_allowlist,
          update_token_file, update_log, public_url, allowed_hosts, strict_build, store, store_credentials,
          store_deadline, include) -> None:
    """Serve the graph over the SPARQL 1.1 Protocol at /sparql, building first if needed.

    A production server (granian) with --workers processes, sharing the built store on disk or each
    holding a copy (--memory). A query past --timeout is answered 503 and stopped by replacing its process while the others go on
    serving. Read-only unless --update-token-file is given. Logs one line per request; stops on SIGINT
    and SIGTERM.
    """
    import hashlib

    import pyoxigraph

    from koryo_kg.build.additions import built_counts, graph_counts, with_additions
    from koryo_kg.build.cache import VALIDATION, WARMED
    from koryo_kg.http.hosts import allowed_hosts as hosts_to_allow
    from koryo_kg.server import run as run_server
    from koryo_kg.settings import ServerConfig
    from koryo_kg.sources.files import rdf_files

    if public_url and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("give an http:// or https:// URL", param_hint="--public-url")
    try:
        answered_hosts = hosts_to_allow(host, public_url, tuple(allowed_hosts))
    except ValueError as problem:
        raise click.UsageError(str(problem)) from None
    token = update_token_file.read().strip() if update_token_file else None
    if update_token_file and not token:
        raise click.UsageError(f"{update_token_file.name} is empty: the update token must not be")
    if store and token and not update_log:
        raise click.UsageError("--update-token-file with --store needs --update-log, the log that every front end "
                               "of the store shares")
    update_log = update_log or cache.home / "updates.rdfp"
    if store:
        for given, option in ((additions, "--add"), (include, "--include")):
            if given:
                raise click.UsageError(f"{option} is not for a server on --store: publish to the store instead")
        if token:
            from koryo_kg.endpoint.updates import UpdateLog

            UpdateLog(update_log).recover()
        _serve_store(store, store_credentials, store_deadline, host, port, workers=workers, threads=threads,
                     update_log=str(update_log) if token else None, update_token=token,
                     query_timeout=query_timeout, max_rows=max_rows, max_body=max_body, max_memory=max_memory,
                     max_connections=max_connections, header_timeout=header_timeout,
                     cors_origins=() if no_cors else tuple(cors_origins), service_allowlist=tuple(service_allowlist),
                     public_url=public_url, allowed_hosts=answered_hosts)
        return
    key = ensure_built(cache, strict=strict_build)
    store_path = cache.path(key) / "store"
    version = key[:16]
    modified = datetime.fromtimestamp((cache.path(key) / "COMPLETE").stat().st_mtime, UTC)
    if additions:
        store_path = with_additions(store_path, list(additions), cache.home / "serving")
        digest = hashlib.sha256()
        for path in sorted(rdf_files(list(additions))):
            digest.update(path.read_bytes())
            modified = max(modified, datetime.fromtimestamp(path.stat().st_mtime, UTC))
        version += "+" + digest.hexdigest()[:8]
        _say(f"serving {len(additions)} added path(s) from {store_path.parent}")
    # the build recorded its graphs' counts; added files are counted
    counts = (graph_counts if additions else built_counts)(pyoxigraph.Store.read_only(str(store_path)))
    config = ServerConfig(
        store_path=str(store_path), graph_counts=counts, workers=workers, memory=memory, threads=threads,
        query_timeout=query_timeout, max_rows=max_rows, max_body=max_body, max_memory=max_memory,
        max_connections=max_connections, header_timeout=header_timeout,
        cors_origins=() if no_cors else tuple(cors_origins), service_allowlist=tuple(service_allowlist),
        dumps_dir=str(cache.path(key) / "dumps"), validation_report=str(cache.path(key) / VALIDATION),
        # the files are of the build's own data: added files would make other values
        warmed_dir=None if additions else str(cache.path(key) / WARMED), version=version, modified=modified.replace(microsecond=0),
        update_log=str(update_log) if token or update_log.exists() else None, update_token=token,
        public_url=public_url, allowed_hosts=answered_hosts,
    )
    if config.update_log:
        from koryo_kg.endpoint.updates import UpdateLog

        UpdateLog(update_log).recover()  # before any worker replays it: a damaged log is exit 2, a torn tail set aside
    _say(f"SPARQL endpoint at http://{host}:{port}/sparql ({sum(counts.values())} triples in {len(counts)} graphs)")
    if token:
        _say(f"SPARQL Update on, for requests with the bearer token; committed updates go to {update_log}")
    held = cache.serving(key)  # the processes may read this build's store on disk: no later build prunes it
    try:
        run_server(config, host, port)
    finally:
        held.close()
        if additions:
            import shutil

            shutil.rmtree(store_path.parent, ignore_errors=True)


def _serve_store(store: str, credentials: Path | None, deadline: str | None, host: str, port: int, **settings) -> None:
    """serve --store: the published dataset's graphs, version and date are read from the store; each worker
    then opens its own connections to it (server.py)."""
    from koryo_kg.query.engine import QueryError
    from koryo_kg.query.remote import RemoteStore
    from koryo_kg.server import run as run_server
    from koryo_kg.settings import ServerConfig
    from koryo_kg.stores.client import (
        BadStoreConfiguration,
        Endpoints,
        StoreClient,
        deadline_parameter,
        read_credentials,
    )
    from koryo_kg.vocab import BASE, Graphs

    # The dataset's graphs in a store (publish's staging graphs are URNs), and the build they were published from.
    published_graphs = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                        f"FILTER STRSTARTS(STR(?g), \"{BASE}graph/\") }}")
    published_build = f"""SELECT ?id ?modified WHERE {{ GRAPH <{Graphs.META}> {{
  <{BASE}dataset> <http://www.w3.org/ns/prov#wasGeneratedBy> ?build .
  ?build <http://purl.org/dc/terms/identifier> ?id .
  OPTIONAL {{ <{BASE}dataset> <http://purl.org/dc/terms/modified> ?modified }} }} }}"""

    try:
        client = StoreClient(Endpoints.of(store), read_credentials(credentials), deadline=deadline_parameter(deadline))
    except BadStoreConfiguration as problem:
        raise click.UsageError(str(problem)) from None
    probe = RemoteStore(client, settings["query_timeout"], ())
    try:
        graphs = sorted(str(r["g"]) for r in probe.select(published_graphs))
        published = RemoteStore(client, settings["query_timeout"], graphs)
        build = published.select(published_build)
        counts = published.graph_counts()
    except QueryError as failure:
        _say(f"the store at {store} did not answer: {failure}")
        sys.exit(EXIT_STORE)
    if str(Graphs.META) not in graphs or not build:
        _say(f"the store at {store} holds no published koryo-kg dataset: run koryo-kg publish --store {store}")
        sys.exit(EXIT_STORE)
    key = str(build[0]["id"]).removeprefix("sha256:")
    modified = datetime.fromisoformat(str(build[0]["modified"])) if build[0]["modified"] is not None else None
    config = ServerConfig(store_path="", store=store, store_credentials=str(credentials) if credentials else None,
                          store_deadline=deadline, store_graphs=tuple(graphs), graph_counts=counts, version=key[:16],
                          modified=modified, **settings)
    _say(f"SPARQL endpoint at http://{host}:{port}/sparql, serving build {key[:12]} from the store at {store} "
         f"({sum(counts.values())} triples in {len(counts)} graphs)")
    run_server(config, host, port)


EXIT_STORE = 4  # publish: the store could not be reached, refused the credentials, or did not take the build


@main.command()
@click.option("--store", "store_url", required=True, metavar="URL",
              help="The store's SPARQL 1.1 query endpoint (Oxigraph server: http://host:7878/query; Virtuoso: "
                   "http://host:8890/sparql).")
@click.option("--store-update", metavar="URL",
              help="Its SPARQL Update endpoint [default: …/update beside a …/query endpoint, else the query URL].")
@click.option("--store-graphs", metavar="URL",
              help="Its Graph Store HTTP Protocol endpoint [default: …/store beside a …/query endpoint, else none: "
                   "the graphs are loaded with SPARQL Update].")
@click.option("--store-credentials", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="A file whose first line is user:password for the store (HTTP Basic or Digest, as the store "
                   "asks) [default: $KORYO_KG_STORE_CREDENTIALS, which holds user:password itself].")
@options(INCLUDE)
@click.pass_obj
@_handled
def publish(cache: BuildCache, store_url: str, store_update: str | None, store_graphs: str | None,
            store_credentials: Path | None, include: tuple[Path, ...]) -> None:
    """Put every named graph of the build of the sources into a SPARQL 1.1 store, building first if needed.

    The graphs are loaded into staging graphs, counted, then moved into place by one update: run it again
    at will; the graphs of --include folders an earlier publish put there and this build lacks are dropped
    by that update. Exit 0 published, 1 or 2 the sources do not build (nothing is published: not the last
    good build either), 2 bad input (a URL, a credentials file), 4 the store could not be reached, refused
    the credentials or did not take the build: the dataset it published before is then unchanged, unless
    the message says that the store applied part of the swap (run publish again).
    """
    from koryo_kg.build.publish import PublishFailed
    from koryo_kg.build.publish import publish as run_publish
    from koryo_kg.stores.client import BadStoreConfiguration, Endpoints, StoreClient, read_credentials

    try:
        client = StoreClient(Endpoints.of(store_url, store_update, store_graphs), read_credentials(store_credentials))
    except BadStoreConfiguration as problem:
        raise click.UsageError(str(problem)) from None
    key = ensure_built(cache, strict=True)  # publishing is asked for this build: never another one instead
    try:
        result = run_publish(cache.open(key), key, client, progress=_say)
    except (PublishFailed, BadStoreConfiguration) as failure:
        _say(f"publish failed: {failure}")
        sys.exit(EXIT_STORE)
    click.echo(f"published {key[:12]} to {client.endpoints.query} in {result.seconds:.1f} s ({result.method})")
    width = max(map(len, result.counts))
    for name, count in result.counts.items():
        click.echo(f"  {name.ljust(width)}  {count:>8} triples")
    for name in result.removed:
        click.echo(f"  removed {name} (a graph of an earlier publish that this build does not have)")


if __name__ == "__main__":  # pragma: no cover
    main()
