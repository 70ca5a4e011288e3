"""The build pipeline: cached by input hash, atomic, and a failed build never replaces the last good one.
Runs on a miniature project (tests/fixtures/mini) so that each case takes a moment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from koryo_kg.build.cache import BuildCache
from koryo_kg.build.pipeline import build, input_key
from koryo_kg.problems import BuildFailed, InputError
from koryo_kg.sources.files import Sources
from koryo_kg.vocab import Graphs


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root)
    return root


def places(cache: BuildCache, key: str) -> set[str]:
    store = cache.open(key)
    return {s["l"].value for s in store.query(
        'SELECT ?l WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l }', use_default_graph_as_union=True)}


def test_build_stores_named_graphs_with_inferences(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    result = build(Sources.from_root(project), cache)
    assert not result.reused and cache.current_key() == result.key
    store = cache.open(result.key)
    graphs = {g.value for g in store.named_graphs()}
    assert {str(g) for g in (Graphs.ONTOLOGY, Graphs.DATA, Graphs.INFERRED, Graphs.SHAPES, Graphs.META)} <= graphs
    assert bool(store.query(f"""ASK {{ GRAPH <{Graphs.INFERRED}> {{
        <https://example.org/mini#ushtobe> <https://example.org/mini#within> <https://example.org/mini#central-asia> }} }}"""))


def test_meta_graph_counts_every_graph_exactly(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    result = build(Sources.from_root(project), cache)
    store = cache.open(result.key)
    for graph in Graphs.ALL:
        actual = len(list(store.quads_for_pattern(None, None, None, _node(graph))))
        declared = [int(s["n"].value) for s in store.query(
            f"SELECT ?n WHERE {{ GRAPH <{Graphs.META}> {{ <{graph}> <http://rdfs.org/ns/void#triples> ?n }} }}")]
        assert declared == [actual], graph


def test_the_dumps_hold_the_dataset_and_the_union_of_its_graphs(project, tmp_path):
    """N-Quads: the store's quads; TriG the same; Turtle and N-Triples (each graph's document in turn): every
    triple of every graph, a blank node keeping one name across graphs, as in the union."""
    import gzip
    import hashlib

    import pyoxigraph

    def named(quads):  # the store names its blank nodes anew as it loads
        return {q for q in quads if not any(isinstance(t, pyoxigraph.BlankNode) for t in (q.subject, q.object))}

    cache = BuildCache(tmp_path / "home")
    store = cache.open(build(Sources.from_root(project), cache).key)
    dumps = cache.path(cache.current_key()) / "dumps"
    sums = {name: digest for digest, name in (line.split("  ") for line in (dumps / "SHA256SUMS").read_text().splitlines())}
    parsed = {}
    for name, rdf_format in (("koryo-kg.nq", pyoxigraph.RdfFormat.N_QUADS), ("koryo-kg.trig", pyoxigraph.RdfFormat.TRIG),
                             ("koryo-kg.ttl", pyoxigraph.RdfFormat.TURTLE), ("koryo-kg.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        text = (dumps / name).read_bytes()
        assert gzip.decompress((dumps / (name + ".gz")).read_bytes()) == text
        for file in (name, name + ".gz"):  # each checksum taken as the build wrote the file
            assert sums.pop(file) == hashlib.sha256((dumps / file).read_bytes()).hexdigest()
        parsed[name] = list(pyoxigraph.parse(text, format=rdf_format, rename_blank_nodes=False))
    assert not sums  # no other file
    quads = parsed["koryo-kg.nq"]
    assert len(quads) == len(store) and named(quads) == named(store)
    assert any(isinstance(q.subject, pyoxigraph.BlankNode) for q in quads)  # the fixture has some, to keep
    assert set(parsed["koryo-kg.trig"]) == set(quads)
    for union in ("koryo-kg.ttl", "koryo-kg.nt"):
        assert {t.triple for t in parsed[union]} == {q.triple for q in quads}, union


def _node(iri):
    import pyoxigraph
    return pyoxigraph.NamedNode(str(iri))


def test_second_build_reuses_the_store(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    first = build(Sources.from_root(project), cache)
    pointer = (tmp_path / "home" / "current").stat()
    second = build(Sources.from_root(project), cache)
    assert second.reused and second.key == first.key
    assert (tmp_path / "home" / "current").stat().st_ino == pointer.st_ino  # read, not written again


def test_a_cached_build_of_other_sources_becomes_current_again(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    first = build(Sources.from_root(project), cache)
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write("\n# a comment changes the inputs' hash\n")
    assert build(Sources.from_root(project), cache).key == cache.current_key() != first.key
    (project / "data" / "triples" / "places.ttl").write_text(
        (project / "data" / "triples" / "places.ttl").read_text().removesuffix("\n# a comment changes the inputs' hash\n"))
    again = build(Sources.from_root(project), cache)
    assert again.reused and again.key == first.key == cache.current_key()


def test_a_changed_file_changes_the_key(project):
    before = input_key(Sources.from_root(project))
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write('\n<https://example.org/mini#almaty> a <https://example.org/mini#Place> ; '
                  '<http://www.w3.org/2000/01/rdf-schema#label> "Almaty"@en .\n')
    assert input_key(Sources.from_root(project)) != before


def test_violating_data_fails_and_keeps_the_last_good_build(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    good = build(Sources.from_root(project), cache)
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write("\n<https://example.org/mini#almaty> a <https://example.org/mini#Place> .\n")
    with pytest.raises(BuildFailed) as failure:
        build(Sources.from_root(project), cache)
    finding = failure.value.report.findings[0]
    assert finding.message == "a place needs a label"
    assert finding.location.path.endswith("places.ttl") and finding.location.line == 7
    assert cache.current_key() == good.key
    assert "Ushtobe" in places(cache, good.key)


def test_a_contradiction_fails_the_build(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    good = build(Sources.from_root(project), cache)
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write('\n<https://example.org/mini#ushtobe> a <https://example.org/mini#Person> .\n')
    with pytest.raises(BuildFailed, match="Disjoint classes"):
        build(Sources.from_root(project), cache)
    assert cache.current_key() == good.key


def test_every_malformed_file_is_reported_and_nothing_replaced(project, tmp_path):
    cache = BuildCache(tmp_path / "home")
    good = build(Sources.from_root(project), cache)
    (project / "data" / "triples" / "broken-a.ttl").write_text('@prefix ex: <https://example.org/mini#> .\nex:a ex:b "unterminated .\n')
    (project / "data" / "triples" / "broken-b.ttl").write_text("@prefix ex: <https://example.org/mini#> .\n\nex:a ex:b ex:c ex:d .\n")
    with pytest.raises(InputError) as failure:
        build(Sources.from_root(project), cache)
    located = {(Path(p.location.path).name, p.location.line) for p in failure.value.problems}
    assert ("broken-a.ttl", 2) in located and ("broken-b.ttl", 3) in located
    assert all(p.location.col >= 1 for p in failure.value.problems)
    assert cache.current_key() == good.key


def test_a_build_that_a_server_holds_is_not_pruned(tmp_path):
    """`serve --memory shared` reads its build's store on disk for as long as it runs: newer builds must not
    delete it, while the ones no server holds are pruned as before."""
    import os

    import pyoxigraph

    from koryo_kg.build.cache import KEEP, BuildCache

    cache = BuildCache(tmp_path)
    dataset = pyoxigraph.Store()
    dataset.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"),
                                pyoxigraph.Literal("o"), pyoxigraph.NamedNode("urn:g")))
    keys = [f"{n:064d}" for n in range(KEEP + 3)]
    cache.install(keys[0], dataset)
    held = cache.serving(keys[0])
    for n, key in enumerate(keys[1:], start=1):
        os.utime(cache.path(keys[n - 1]), (n, n))  # older builds first, whatever the clock's resolution
        cache.install(key, dataset)
    left = {p.name for p in cache.stores.iterdir() if not p.name.startswith(".")}
    assert keys[0] in left and cache.open(keys[0]) is not None  # held: still there, still a store
    assert left == {keys[0], *keys[-KEEP:]}
    held.close()
    cache.install("f" * 64, dataset)
    assert keys[0] not in {p.name for p in cache.stores.iterdir()}  # let go: pruned with the next build
