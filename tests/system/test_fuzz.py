"""A bounded fuzz of a real `koryo-kg serve`: the SPARQL endpoint and every other route get hostile and
malformed requests (tests/fuzzing.py); none may be answered 5xx or left hanging, and the server must still
answer afterwards. The suite sends a few hundred of each; `--fuzz-requests 10000` the full run."""

from __future__ import annotations

import pytest

from conftest import Server, root
from fuzzing import fuzz, still_answers


@pytest.fixture(scope="module")
def target(home):
    server = Server(home, "--timeout", "10")
    yield server
    server.stop()


@pytest.mark.parametrize("kind", ["sparql", "routes"])
def test_no_request_gets_a_5xx_or_hangs(target, kind, request):
    requests = request.config.getoption("fuzz_requests")
    outcome = fuzz(root(target), requests, kinds=(kind,))[kind]
    assert outcome.sent == requests
    assert not outcome.failures, "\n".join(outcome.failures[:10])
    assert sum(n for status, n in outcome.statuses.items() if 200 <= status < 300) > 0  # some got through
    assert still_answers(root(target))
