"""Everything the command line and the server can be told, in one place: the tables of settings (name,
command-line option, default, type, help, environment variable) from which `koryo-kg`'s options and
ServerConfig's defaults are made and which the README's *Command line* states (tests/unit/test_settings.py
keeps it true).

The command line imports this module before it knows which command runs, so it imports no library."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from koryo_kg import formats
from koryo_kg.vocab import BASE


@dataclass(frozen=True)
class Setting:
    name: str  # the command's parameter, and ServerConfig's field when it has one
    option: str  # on the command line
    metavar: str  # what the option's value is called in --help and the README ("" for a flag; --help lists a choice's)
    default: object
    type: str  # text, int, float, flag, choice, path (file or folder), file, folder, existing folder, readable
    # file, readable binary file
    help: str
    low: float | None = None  # the range a number may take
    high: float | None = None
    multiple: bool = False  # the option may be repeated
    env: str | None = None  # the environment variable read when the option is not given
    shown: str | None = None  # the default as people read it, when it is computed rather than a value
    choices: tuple[str, ...] = ()  # the values a choice may take
    short: str | None = None  # a one-letter alias of the option

    def stated_default(self) -> str:
        """The default as --help and the README state it."""
        if self.shown is not None:
            return self.shown
        if self.default is False:
            return "off"
        if self.default in (None, ()):
            return "none"
        if isinstance(self.default, tuple):
            return " ".join(map(str, self.default))
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return str(self.default)


# the options of every command
GLOBAL = (
    Setting("home", "--home", "DIR", None, "folder",
            "Where built stores are kept. Default: $KORYO_KG_HOME, else $XDG_CACHE_HOME/koryo-kg, else "
            "~/.cache/koryo-kg.", env="KORYO_KG_HOME", shown="~/.cache/koryo-kg"),
    Setting("sources", "--sources", "DIR", None, "existing folder",
            "A folder with ontology/, data/triples/ and shapes/ to build from (a checkout of the project's sources, "
            "say). Default: $KORYO_KG_SOURCES, else the sources shipped with the package.",
            env="KORYO_KG_SOURCES", shown="the sources shipped with the package"),
)

# of the commands that build: build, validate, query, serve, publish
INCLUDE = (
    Setting("include", "--include", "DIR", (), "existing folder",
            "A further source folder (a register, say), built with the article's data into a named graph of its "
            "own, <https://w3id.org/koryo-kg/graph/include/{folder name}>: reasoned, validated, stored, dumped and "
            "cached like it (repeatable).", multiple=True),
)

# of the commands that validate: build, validate (build/shacl.py ENGINES has an engine for each choice)
SHACL = Setting("shacl", "--shacl", "ENGINE", "turbo", "choice",
                "The SHACL engine: turbo, pyshacl-turbo (Rust); pyshacl, pySHACL, the reference implementation (pure "
                "Python: the article's data builds in 11 s instead of 1). Both report the same findings.",
                choices=("turbo", "pyshacl"))

# of the commands that reason: build, validate --reason (build/reasoning.py REASONERS has each choice)
REASONER = Setting("reasoner", "--reasoner", "NAME", "rules", "choice",
                   "rules: the OWL 2 RL rules the ontology uses, as SPARQL on pyoxigraph (fast); owlrl: the whole profile "
                   "in pure Python (slow: hours for a register of 172,000 persons). Both publish the same inferred graph "
                   "and find the same contradictions; owlrl also reasons with what the rules leave out (owl:sameAs, class "
                   "expressions, property axioms our ontology does not use).", choices=("rules", "owlrl"))

# `koryo-kg build`
BUILD = (
    Setting("force", "--force", "", False, "flag", "Rebuild even if a store for the same inputs exists."),
    REASONER,
    SHACL,
)

REPORT_FORMATS = tuple(sorted(f.name for f in formats.of(formats.REPORT)))

# `koryo-kg validate`
VALIDATE = (
    Setting("output", "--format", "F", "text", "choice",
            "Report format: text for people; json (schema_version 1); turtle (the SHACL report); junit (JUnit XML); "
            "github (workflow commands that annotate the diff); sarif (SARIF 2.1.0).", choices=REPORT_FORMATS),
    Setting("strict", "--strict", "", False, "flag", "Fail (exit 1) on warnings and infos too, not only on violations."),
    Setting("standalone", "--standalone", "", False, "flag",
            "Validate the given files alone, without the project's data (the ontology is still used)."),
    Setting("reason", "--reason", "", False, "flag",
            "Also run the OWL 2 RL reasoner (--reasoner) and report its contradictions, such as a member of two "
            "disjoint classes or an ill-typed literal, as violations at their file and line."),
    REASONER,
    SHACL,
)

# `koryo-kg lint`
LINT = (
    Setting("output", "--format", "F", "text", "choice", "Report format, as for validate.",
            choices=tuple(name for name in REPORT_FORMATS if name != "turtle")),
)

# what `koryo-kg query --format` may name: every format of a query's results, `table` included
QUERY_FORMATS = tuple(f.name for f in formats.of(formats.RESULTS, *formats.RDF_KINDS))

# `koryo-kg query`
QUERY = (
    Setting("query_file", "--file", "FILE", None, "readable binary file",
            "Read the query from a .rq file ('-' for standard input).", short="-f"),
    Setting("output", "--format", "F", "table", "choice",
            ", ".join(f.name for f in formats.of(formats.RESULTS)) + " for SELECT/ASK; "
            + ", ".join(f.name for f in formats.of(*formats.RDF_KINDS)) + " for CONSTRUCT/DESCRIBE, where json and "
            "xml also mean jsonld and rdfxml (table, csv and tsv give turtle).", choices=QUERY_FORMATS),
)

# `koryo-kg serve`
SERVE = (
    Setting("host", "--host", "H", "127.0.0.1", "text", "Address to listen on."),
    Setting("port", "--port", "P", 5000, "int", "Port to listen on.", low=0, high=65535),
    Setting("workers", "--workers", "N", 2, "int",
            "Server processes. Keep at least 2: a process that meets a runaway query is replaced while the others "
            "serve.", low=1, high=64),
    Setting("memory", "--memory", "MODE", "auto", "text",
            "How the processes hold the built store: shared, all reading the one on disk through the OS page cache "
            "(nothing loaded at start, one copy per machine); copy, each its own copy in memory (aggregates run about "
            "3x faster; loading takes ~13 µs and ~600 bytes a triple, per process); auto, a copy of a store under "
            "8 MB on disk (about 30,000 triples).", choices=("auto", "copy", "shared")),
    Setting("threads", "--threads", "T", 16, "int", "Requests served at once by each process.", low=1, high=256),
    Setting("additions", "--add", "PATH", (), "path",
            "Serve this RDF file or folder too, beside the project's graph (repeatable). Each file goes into a named "
            "graph of its own file: IRI; TriG and N-Quads keep their named graphs.", multiple=True),
    Setting("query_timeout", "--timeout", "S", 30.0, "float",
            "Seconds a query may run before it is stopped and answered 503.", low=0.1, high=3600),
    Setting("max_rows", "--max-rows", "N", 100_000, "int",
            "Most result rows (or triples) per response; a longer result is cut and says so. 0: no limit.", low=0),
    Setting("max_body", "--max-body", "B", 1_000_000, "int", "Most bytes of request body; more is answered 413.",
            low=1),
    Setting("max_memory", "--max-memory", "MB", 2048, "int",
            "Most MB of memory each process may hold; a process past it answers its running queries 503 and is "
            "replaced. 0: no limit.", low=0),
    Setting("max_connections", "--max-connections", "N", 1000, "int",
            "Most open connections per process (one that never sends a byte is held until the client closes it); "
            "further ones wait in the listen queue.", low=1, high=100_000),
    Setting("header_timeout", "--header-timeout", "S", 10.0, "float",
            "Seconds a client may take to finish a request's headers once begun, or stay idle after a request.",
            low=0.1, high=3600),
    Setting("cors_origins", "--cors-origin", "O", ("*",), "text", "Origin allowed by CORS (repeatable).",
            multiple=True),
    Setting("no_cors", "--no-cors", "", False, "flag", "Send no CORS headers."),
    Setting("service_allowlist", "--allow-service", "URL", (), "text",
            "A SERVICE endpoint that queries may call (repeatable). By default SERVICE is refused.", multiple=True),
    Setting("update_token_file", "--update-token-file", "F", None, "readable file",
            "Turn SPARQL Update on: requests must carry this file's text as a bearer token. Off by default."),
    Setting("update_log", "--update-log", "F", None, "file",
            "The RDF Patch file where committed updates are kept and replayed from at every start.",
            shown="$KORYO_KG_HOME/updates.rdfp"),
    Setting("public_url", "--public-url", "URL", None, "text",
            "The URL clients reach this server at (https://kg.example.org, say, behind a proxy): every link the "
            "server writes starts with it. Default: the request's Host, once checked against the names the server "
            "answers for."),
    Setting("allowed_hosts", "--allowed-host", "H", (), "text",
            "A Host name to answer for besides the listening address, loopback and --public-url's host (repeatable; "
            ".example.org for every subdomain). Other Hosts get 400.", multiple=True),
    Setting("strict_build", "--strict-build", "", False, "flag",
            "Refuse to start when the sources do not build, instead of serving the last good build."),
    Setting("store", "--store", "URL", None, "text",
            "Serve from this SPARQL 1.1 store (its query endpoint) the graphs `koryo-kg publish` put there, instead "
            "of the embedded copy: the processes then hold no copy of the data, and several servers can share one "
            "store. Updates (--update-token-file) then need --update-log, shared by the store's front ends."),
    Setting("store_credentials", "--store-credentials", "F", None, "file",
            "A file whose first line is user:password for --store (Basic or Digest, as the store asks; never "
            "printed). Default: $KORYO_KG_STORE_CREDENTIALS, which holds user:password itself, if set."),
    Setting("store_deadline", "--store-deadline", "NAME=UNIT", None, "text",
            "The store's query parameter for a deadline and its unit, s or ms (Virtuoso: timeout=ms), so that the "
            "store stops a query at --timeout too; koryo-kg enforces the deadline either way."),
)

# every table of options, each a table of the README's *Command line*
TABLES = (GLOBAL, INCLUDE, BUILD, VALIDATE, LINT, QUERY, SERVE)
# the settings of the server, by name: what ServerConfig's defaults are read from
SETTINGS = {s.name: s for s in (*GLOBAL, *INCLUDE, *SERVE)}


def _default(name: str):
    return SETTINGS[name].default


def default_home() -> Path:
    """Where built stores are kept when neither --home nor $KORYO_KG_HOME says (the command line reads both)."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "koryo-kg"


@dataclass(frozen=True)
class ServerConfig:
    store_path: str  # a pyoxigraph store folder, opened read-only
    graph_counts: dict[str, int] = field(default_factory=dict)  # named graph IRI -> triples
    workers: int = _default("workers")  # server processes
    memory: str = _default("memory")  # how they hold the store: auto, copy or shared (query/embedded.py open_store)
    threads: int = _default("threads")  # requests served at once per process
    query_timeout: float = _default("query_timeout")  # seconds; a query past it is stopped and answered 503
    max_rows: int = _default("max_rows")  # result rows (or triples) per response; 0 for no limit
    max_body: int = _default("max_body")  # bytes of request body; more is answered 413
    max_memory: int = _default("max_memory")  # MB resident per process; past it, replaced and its queries 503
    max_connections: int = _default("max_connections")  # open connections per process; more wait to be accepted
    header_timeout: float = _default("header_timeout")  # seconds to finish a request's headers, or idle after one
    cors_origins: tuple[str, ...] = _default("cors_origins")  # empty: no CORS headers
    service_allowlist: tuple[str, ...] = _default("service_allowlist")  # SERVICE endpoints a query may call
    base: str = BASE
    dumps_dir: str | None = None  # the build's downloads (see build/cache.py DUMPS)
    validation_report: str | None = None  # the build's SHACL report as JSON (see build/cache.py VALIDATION)
    warmed_dir: str | None = None  # where the build's warmed values are kept for every process (http/kept_values.py)
    version: str = "unversioned"  # changes whenever the served data changes: the root of every ETag
    modified: datetime | None = None  # when the served data last changed: Last-Modified
    update_log: str | None = None  # the RDF Patch file of committed updates, replayed at start (see updates.py)
    update_token: str | None = field(default=None, repr=False)  # SPARQL Update is on only with this token
    public_url: str | None = _default("public_url")  # what links start with; None: the request's checked Host
    allowed_hosts: tuple[str, ...] = _default("allowed_hosts")  # Host names answered (see hosts.py); empty: any
    store: str | None = _default("store")  # a SPARQL store's query endpoint served instead of store_path
    store_credentials: str | None = field(default=None, repr=False)  # the file with the store's user:password
    store_deadline: str | None = _default("store_deadline")  # the store's deadline parameter, name=s or name=ms
    store_graphs: tuple[str, ...] = ()  # the graphs published in the store: the dataset served
