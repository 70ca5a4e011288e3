"""A client for one SPARQL 1.1 store: queries (the Protocol), updates, and the Graph Store HTTP Protocol, under
a deadline that is both passed to the store and enforced here, with credentials that never reach a message.

Only what the W3C recommendations say is relied on, so that any store works by configuration: its three
endpoints (found from the query endpoint's URL where the store's layout is known, else given), a deadline
parameter if it has one (its name and unit are configuration: Virtuoso's `timeout` is in milliseconds,
Fuseki's in seconds; Oxigraph server takes its deadline from `--timeout-s` instead), and HTTP Basic or Digest
authentication, whichever the store asks for (Virtuoso's authenticated endpoints ask for Digest).

requests (not urllib3 alone) because of Digest, which neither urllib3 nor http.client implement, and because
its pooled, thread-safe sessions serve the web threads of a front end.
"""

from __future__ import annotations

import io
import os
import re
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import requests
import requests.auth
import urllib3

CONNECT = 5.0  # seconds to open a connection to the store: it is on a nearby machine or nowhere
ERROR_TEXT = 300  # characters of a store's error message repeated to the user
CREDENTIALS_VARIABLE = "KORYO_KG_STORE_CREDENTIALS"
# Virtuoso answers a query that hit its time limit with 200 and what it found so far (an "anytime" answer),
# saying so only in this header; an incomplete answer must never pass for the answer.
PARTIAL_ANSWER_HEADER = "X-SQL-State"


class StoreError(Exception):
    """The store could not do what was asked; `status` is what an HTTP request that needed it is answered."""

    status = 502

    def __init__(self, message: str):
        super().__init__(message)


class StoreUnreachable(StoreError):
    status = 503


class StoreTimeout(StoreError):
    status = 504


class StoreRefused(StoreError):
    """The store refused the credentials, or wants some and none were given."""


class StoreRejected(StoreError):
    """The store answered the request with an error of its own (a query it cannot run, data it will not take)."""

    def __init__(self, message: str, store_status: int):
        super().__init__(message)
        self.store_status = store_status


class BadStoreConfiguration(ValueError):
    """A URL or a credentials file that cannot be used: the user's input, not the store's fault."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return "Credentials(<hidden>)"


def read_credentials(path: Path | None = None, environ=os.environ) -> Credentials | None:
    """`user:password` from the file's first line, else from $KORYO_KG_STORE_CREDENTIALS, else None."""
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8").splitlines()[0] if Path(path).stat().st_size else ""
        except (OSError, UnicodeDecodeError) as error:
            raise BadStoreConfiguration(f"{path}: cannot read the store's credentials ({type(error).__name__})") from None
        where = str(path)
    elif environ.get(CREDENTIALS_VARIABLE):
        text, where = environ[CREDENTIALS_VARIABLE], "$" + CREDENTIALS_VARIABLE
    else:
        return None
    user, colon, password = text.strip("\r\n").partition(":")
    if not colon or not user:
        raise BadStoreConfiguration(f"{where}: the store's credentials must be one line user:password")
    return Credentials(user, password)


def _checked_url(url: str, what: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        raise BadStoreConfiguration(f"{what} is not a URL") from None
    if parts.username is not None or parts.password is not None:  # checked first: the URL is not repeated then
        raise BadStoreConfiguration(f"{what} must not carry credentials: give them with --store-credentials "
                                    f"or ${CREDENTIALS_VARIABLE}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadStoreConfiguration(f"{what} must be an http or https URL, not {url!r}")
    if parts.fragment:
        raise BadStoreConfiguration(f"{what} must not have a fragment (#…)")
    return url


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graphs: str | None  # None: the store has no Graph Store Protocol endpoint (publish then uses updates)

    @classmethod
    def of(cls, query: str, update: str | None = None, graphs: str | None = None) -> Endpoints:
        """The endpoints given, the others found: a store at `…/query` is laid out like Oxigraph server
        (`…/update`, `…/store`); for any other, its SPARQL 1.1 Service Description is read (an sd:endpoint on
        the same host that supports sd:SPARQL11Update serves updates) and the `Server` header of that answer
        names a store whose layout is known (Virtuoso: `/sparql-auth`, `/sparql-graph-crud-auth`). What is
        still not found: updates at the query URL, as the Protocol allows, and no Graph Store endpoint."""
        query = _checked_url(query, "--store")
        parts = urllib.parse.urlsplit(query)
        sibling = lambda path: urllib.parse.urlunsplit(parts._replace(path=path, query=""))
        if parts.path.endswith("/query"):
            update, graphs = update or sibling(parts.path[:-5] + "update"), graphs or sibling(parts.path[:-5] + "store")
        elif update is None or graphs is None:
            described, server = _service_description(query)
            if server.startswith("Virtuoso/"):
                update, graphs = update or described or sibling("/sparql-auth"), graphs or sibling("/sparql-graph-crud-auth")
            update = update or described
        return cls(query, _checked_url(update or query, "--store-update"),
                   graphs and _checked_url(graphs, "--store-graphs"))


SD = "http://www.w3.org/ns/sparql-service-description#"


def _service_description(query: str) -> tuple[str | None, str]:
    """(the update endpoint the store's service description names, if on the query URL's host; the store's
    Server header), or (None, "") when the store does not answer or describes nothing readable."""
    session = requests.Session()
    session.trust_env = False  # as StoreClient's: no proxy from the environment
    try:
        with session, session.get(
                query, headers={"Accept": "text/turtle"}, timeout=CONNECT, allow_redirects=False, stream=True) as response:
            server = response.headers.get("Server", "")
            body = response.raw.read(1_000_000, decode_content=True)
            if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/turtle"):
                return None, server
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
        return None, ""
    try:
        store = pyoxigraph.Store()
        store.load(body, format=pyoxigraph.RdfFormat.TURTLE, base_iri=query)
        rows = store.query(f"SELECT ?e WHERE {{ ?s <{SD}endpoint> ?e ; <{SD}supportedLanguage> <{SD}SPARQL11Update> }}")
        endpoints = [row["e"].value for row in rows if isinstance(row["e"], pyoxigraph.NamedNode)]
    except (SyntaxError, ValueError, OSError):
        return None, server
    origin = urllib.parse.urlsplit(query)[:2]  # credentials go to no other host than the store's
    return next((e for e in endpoints if urllib.parse.urlsplit(e)[:2] == origin), None), server


def deadline_parameter(text: str | None) -> tuple[str, float] | None:
    """`name=s` or `name=ms` (the store's query parameter for a deadline, and its unit) as (name, per second)."""
    if not text:
        return None
    name, _, unit = text.partition("=")
    if not name or unit not in ("s", "ms"):
        raise BadStoreConfiguration(f"a deadline parameter is name=s or name=ms, not {text!r}")
    return name, 1000.0 if unit == "ms" else 1.0


class _Auth(requests.auth.HTTPDigestAuth):
    """Digest when the store's challenge asks for it, Basic when it asks for that: sent only once challenged,
    so a store that needs no credentials never sees them."""

    def handle_401(self, response, **kwargs):
        challenge = response.headers.get("www-authenticate", "").lower()
        if "digest" in challenge:
            return super().handle_401(response, **kwargs)
        if not challenge.startswith("basic") or "Authorization" in response.request.headers:
            return response
        response.content  # noqa: B018 -- read the refusal, so that the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = requests.auth._basic_auth_str(self.username, self.password)
        answer = response.connection.send(retry, **kwargs)
        answer.history.append(response)
        answer.request = retry
        return answer


def _store_message(response: requests.Response) -> str:
    text = next(response.iter_content(4 * ERROR_TEXT), b"").decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("<")]
    message = " ".join(lines)[:ERROR_TEXT]
    return message or response.reason or "no reason given"


class StoreClient:
    """One store's endpoints, shared by every thread of a process (requests' pool is thread-safe)."""

    def __init__(self, endpoints: Endpoints, credentials: Credentials | None = None,
                 deadline: tuple[str, float] | None = None, connections: int = 16):
        self.endpoints, self.deadline = endpoints, deadline
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy from the environment: the store is addressed as given
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=connections)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._auth = _Auth(credentials.user, credentials.password) if credentials else None

    def query(self, text: str, accept: str, timeout: float, default_graphs: Iterable[str] = (),
              named_graphs: Iterable[str] = ()) -> requests.Response:
        """The store's answer, streamed (read it within the deadline: see `read`)."""
        form = [("query", text)] + [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        if self.deadline:
            name, per_second = self.deadline
            form.append((name, str(max(1, int(timeout * per_second)))))
        response = self._send("POST", self.endpoints.query, timeout, data=form, headers={"Accept": accept},
                              stream=True)
        if response.headers.get(PARTIAL_ANSWER_HEADER, "").upper().startswith("S1T"):
            response.close()
            raise StoreTimeout(f"the store stopped the query at its time limit ({timeout:g} s)")
        return response

    def update(self, text: str, timeout: float, using_graphs: Iterable[str] = ()) -> None:
        """`using_graphs`: the dataset of the update's WHERE clauses (`using-graph-uri` and
        `using-named-graph-uri`), for an update that names none itself."""
        form = [("update", text)] + [(f"using-{kind}graph-uri", g) for kind in ("", "named-") for g in using_graphs]
        self._send("POST", self.endpoints.update, timeout, data=form, sending=timeout).close()

    def put_graph(self, graph: str, body: bytes, content_type: str, timeout: float) -> None:
        """Replace `graph` with the document (Graph Store HTTP Protocol, PUT)."""
        self._send_graph("PUT", graph, body, content_type, timeout)

    def post_graph(self, graph: str, body: bytes, content_type: str, timeout: float) -> None:
        """Add the document's triples to `graph` (Graph Store HTTP Protocol, POST)."""
        self._send_graph("POST", graph, body, content_type, timeout)

    def _send_graph(self, method: str, graph: str, body: bytes, content_type: str, timeout: float) -> None:
        if not self.endpoints.graphs:
            raise BadStoreConfiguration("the store has no Graph Store Protocol endpoint: give --store-graphs")
        self._send(method, self.endpoints.graphs, timeout, params={"graph": graph}, data=body,
                   headers={"Content-Type": content_type}, sending=timeout).close()

    def _send(self, method: str, url: str, timeout: float, sending: float | None = None,
              **arguments) -> requests.Response:
        # urllib3 sends the body under the connect timeout and only then waits `timeout` for the answer: a store
        # that loads a large body as it reads it (Oxigraph's PUT of 40 MB) stops reading for more than CONNECT
        # seconds, so a large body gets `sending`, the whole deadline, for each of its writes.
        try:
            response = self._session.request(method, url, timeout=(sending or min(CONNECT, timeout), timeout),
                                             auth=self._auth, allow_redirects=False, **arguments)
        except requests.exceptions.Timeout:
            raise StoreTimeout(f"the store at {url} did not answer within {timeout:g} s") from None
        except requests.exceptions.ConnectionError as error:
            raise StoreUnreachable(f"the store at {url} cannot be reached ({_reason(error)})") from None
        except requests.exceptions.RequestException as error:
            raise StoreUnreachable(f"the store at {url} failed ({type(error).__name__})") from None
        if response.status_code in (401, 403):
            message = _store_message(response)
            response.close()
            given = ("refused the credentials" if self._auth else "wants credentials (--store-credentials)"
                     if response.status_code == 401 else "refused the request")
            raise StoreRefused(f"the store at {url} {given}: {response.status_code} {message}")
        if response.status_code >= 300:
            message = _store_message(response)
            response.close()
            raise StoreRejected(f"the store at {url} answered {response.status_code}: {message}",
                                response.status_code)
        return response


def _reason(error: Exception) -> str:
    """The system's words for why (say, "Connection refused"), without the URL repeated."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(error))
    return found.group(1).strip() if found else type(error).__name__


class Deadline(io.RawIOBase):
    """A response as a file that stops being read once the deadline has passed (a socket's own timeout is per
    read: a store trickling its answer would pass it)."""

    def __init__(self, response: requests.Response, timeout: float):
        super().__init__()
        self._response, self._timeout = response, timeout
        self._end = time.monotonic() + timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if time.monotonic() > self._end:
            raise StoreTimeout(f"the store's answer took longer than {self._timeout:g} s")
        try:
            data = self._response.raw.read(len(buffer), decode_content=True)
        except (requests.exceptions.RequestException, OSError, urllib3.exceptions.HTTPError) as error:
            if isinstance(error, TimeoutError | urllib3.exceptions.TimeoutError):
                raise StoreTimeout(f"the store's answer took longer than {self._timeout:g} s") from None
            raise StoreUnreachable(f"the store's answer was cut ({type(error).__name__})") from None
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._response.close()
        super().close()
