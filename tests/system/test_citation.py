"""Every page kind carries the licence and a citation of itself (plain text, BibTeX, CSL-JSON) that
names its URL, the dataset version and the access date."""

import html
import json
import re
from datetime import UTC, datetime

import pytest
import requests

from conftest import root

PAGES = ["/", "/sparql", "/timeline", "/ontology", "/search?q=Kim", "/validation",
         "/id/document/decree-1428-326cc.html", "/id/person/genrikh-lyushkov.html"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_licence_and_its_citation(server, path):
    response = requests.get(root(server) + path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert 'rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/"' in page and "CC BY-SA 4.0" in page
    text = html.unescape(re.search(r'<p class="citation">(.*?)</p>', page, re.S).group(1))
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()
    today = datetime.now(UTC).date()
    assert f"“{title}”" in text and root(server) + path in text and f"{today:%B %Y}" in text
    version = re.search(r"Dataset version (\S+?)\.", text).group(1)
    assert version and version != "unversioned"
    bibtex = html.unescape(re.search(r'<pre class="bibtex">(.*?)</pre>', page, re.S).group(1))
    assert bibtex.startswith("@misc{koryo-kg-") and f"url = {{{root(server) + path}}}" in bibtex
    assert bibtex.count("{") == bibtex.count("}")
    csl = json.loads(html.unescape(re.search(r'<pre class="csl">(.*?)</pre>', page, re.S).group(1)))
    assert csl["URL"] == root(server) + path and csl["type"] == "dataset" and csl["title"] == title
    assert csl["accessed"]["date-parts"] == [[today.year, today.month, today.day]]
