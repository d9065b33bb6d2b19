"""The five sources against the local fake services: wire formats in, normalised Records out."""

from __future__ import annotations

from pathlib import Path

import pytest

from plmcite.http import Cache, Http, HttpSettings
from plmcite.model import Record
from plmcite.clean import normalize_pages
from plmcite.names import person_from_name
from plmcite.sources.acl import AclSource, volume_of
from plmcite.sources.arxiv import ArxivSource
from plmcite.sources.crossref import CrossrefSource
from plmcite.sources.dblp import DblpSource, search_terms
from plmcite.sources.openreview import OpenReviewSource
from plmcite.testing.fakes import FakeInternet

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


@pytest.fixture(scope="module")
def net():
    with FakeInternet(FIXTURES, hang_s=1.0) as net:
        yield net


@pytest.fixture
def http(net, tmp_path):
    net.reset_log()
    s = HttpSettings(contact="t@example.org", timeout=0.5, retries=4, backoff=0.01, max_backoff=0.05, min_interval={})
    with Http(s, cache=Cache(tmp_path / "cache")) as h:
        yield h


def src(cls, http, net, name):
    return cls(http, net.urls[name])


# --- arXiv -----------------------------------------------------------------------------------------


def test_arxiv_batches_ids_into_one_request(http, net):
    ax = src(ArxivSource, http, net, "arxiv")
    ids = ["2410.04070", "2304.11406v2", "2503.18854", "2411.11706", "2406.12548"]
    res = ax.lookup(ids)
    assert net.count("arxiv") == 1
    assert set(res.found) == {"2410.04070", "2304.11406", "2503.18854", "2406.12548"}
    assert res.missing == {"2411.11706": "arXiv has no paper with this id"}
    pad = res.found["2410.04070"]
    assert pad.title == "PAD: Personalized Alignment of LLMs at Decoding-Time"  # line wraps collapsed
    assert (pad.year, pad.month, pad.kind, pad.ids) == (2024, 10, "preprint", {"arxiv": "2410.04070"})
    assert pad.authors[0].family == "Chen" and pad.authors[0].given == "Ruizhe"


def test_arxiv_bad_id_is_isolated_by_splitting_the_batch(http, net):
    ax = src(ArxivSource, http, net, "arxiv")
    res = ax.lookup(["2410.04070", "1234.123", "2503.18854"])
    assert set(res.found) == {"2410.04070", "2503.18854"}
    assert "1234.123" in res.missing and "rejects" in res.missing["1234.123"]


def test_arxiv_second_lookup_is_served_from_cache(http, net, tmp_path):
    ArxivSource(http, net.urls["arxiv"]).lookup(["2410.04070", "2411.11706"])
    assert net.count("arxiv") == 1
    # a new source object (a new run) with the same cache: no request, same answers
    again = ArxivSource(http, net.urls["arxiv"]).lookup(["2410.04070", "2411.11706"])
    assert net.count("arxiv") == 1
    assert "2410.04070" in again.found and "2411.11706" in again.missing
    assert again.found["2410.04070"].retrieved == http.today().isoformat()


def test_refresh_asks_again_and_offline_reports_failure(net, tmp_path):
    s = HttpSettings(timeout=0.5, retries=1, backoff=0.01, min_interval={})
    cache = Cache(tmp_path / "c")
    with Http(s, cache=cache) as h:
        ArxivSource(h, net.urls["arxiv"]).lookup(["2410.04070"])
    net.reset_log()
    with Http(s, cache=cache, refresh=True) as h:
        ArxivSource(h, net.urls["arxiv"]).lookup(["2410.04070"])
    assert net.count("arxiv") == 1
    with Http(s, cache=Cache(tmp_path / "empty"), offline=True) as h:
        res = ArxivSource(h, net.urls["arxiv"]).lookup(["2410.04070"])
    assert res.failed and "offline" in res.failed["2410.04070"]
    assert net.count("arxiv") == 1


def test_malformed_answers_are_retried_and_never_cached(http, net, tmp_path):
    net.inject("arxiv", "malformed", times=2)
    res = ArxivSource(http, net.urls["arxiv"]).lookup(["2410.04070"])
    assert "2410.04070" in res.found and net.count("arxiv") == 3
    cached = [p.read_text() for p in (tmp_path / "cache").rglob("*.json")]
    assert len(cached) == 1 and "Decoding-Time" in cached[0]


def test_failed_lookups_are_not_cached(net, tmp_path):
    s = HttpSettings(timeout=0.5, retries=1, backoff=0.01, min_interval={})
    net.inject("openreview", "503", times=2)
    with Http(s, cache=Cache(tmp_path / "c")) as h:
        res = OpenReviewSource(h, net.urls["openreview"]).lookup(["4GSOESJrk6"])
    assert "4GSOESJrk6" in res.failed and "503" in res.failed["4GSOESJrk6"]
    assert not list((tmp_path / "c").rglob("*.json"))


# --- Crossref (habanero) ---------------------------------------------------------------------------


def test_crossref_by_doi_through_habanero(http, net):
    cr = src(CrossrefSource, http, net, "crossref")
    res = cr.lookup(["10.1145/3626772.3657783", "10.1609/AAAI.V39I23.34615", "10.9999/nope"])
    sigir = res.found["10.1145/3626772.3657783"]
    assert sigir.kind == "conference" and sigir.pages == "752--762" and sigir.year == 2024
    assert sigir.container.startswith("Proceedings of the 47th International ACM SIGIR Conference")
    aaai = res.found["10.1609/aaai.v39i23.34615"]  # DOIs are case-insensitive
    assert (aaai.volume, aaai.number) == ("39", "23")
    assert res.missing == {"10.9999/nope": "Crossref has no work with this DOI"}
    ua = net.requests("crossref")[0].user_agent
    assert "habanero" in ua and "mailto:t@example.org" in ua and "plmcite/" in ua


def test_crossref_retries_habanero_failures(http, net):
    net.inject("crossref", "503", times=1)
    net.inject("crossref", "malformed", times=1)
    res = src(CrossrefSource, http, net, "crossref").lookup(["10.1145/3626772.3657783"])
    assert "10.1145/3626772.3657783" in res.found and net.count("crossref") == 3


def test_crossref_search(http, net):
    res = src(CrossrefSource, http, net, "crossref").search("Large Language Models Empowered Personalized Web Agents")
    assert res.failed is None
    assert res.records[0].ids["doi"] == "10.1145/3696410.3714842"


# --- DBLP ----------------------------------------------------------------------------------------


def test_dblp_search_finds_preprint_and_published_version(http, net):
    res = src(DblpSource, http, net, "dblp").search("guided profile generation improves personalization")
    by_kind = {r.kind: r for r in res.records}
    corr, pub = by_kind["preprint"], by_kind["conference"]
    assert corr.ids["arxiv"] == "2409.13093" and "doi" not in corr.ids  # arXiv's DataCite DOI is not a publication
    assert corr.title == "Guided Profile Generation Improves Personalization with LLMs"  # trailing period gone
    assert pub.venue_raw == "EMNLP (Findings)" and pub.pages == "4005--4016"
    assert pub.ids["doi"] == "10.18653/v1/2024.findings-emnlp.231"  # lower-cased
    assert pub.ids["acl"] == "2024.findings-emnlp.231"
    assert all(not a.family[-1].isdigit() for r in res.records for a in r.authors)  # "Wei Wang 0001" -> Wang


def test_dblp_zero_hits_is_an_empty_answer(http, net):
    res = src(DblpSource, http, net, "dblp").search("zzzqqq nonexistent words")
    assert res.records == [] and res.failed is None


def test_search_terms_drop_punctuation():
    assert search_terms("LLMs + Persona-Plug = Personalized LLMs") == "LLMs + Persona-Plug Personalized LLMs"


# --- OpenReview ---------------------------------------------------------------------------------------


def test_openreview_notes(http, net):
    orv = src(OpenReviewSource, http, net, "openreview")
    res = orv.lookup(["4GSOESJrk6", "Byj8MMJmoL", "tf6A9EYMo6", "bqUsdBeRjQ"])
    iclr = res.found["4GSOESJrk6"]
    assert (iclr.kind, iclr.year, iclr.extra["venueid"]) == ("conference", 2025, "ICLR.cc/2025/Conference")
    assert iclr.venue_raw.startswith("ICLR 2025")
    assert iclr.container == "The Thirteenth International Conference on Learning Representations"
    ws = res.found["Byj8MMJmoL"]
    assert ws.kind == "workshop" and ws.extra["venueid"] == "ICLR.cc/2024/Workshop/DPFM"
    assert res.found["tf6A9EYMo6"].kind == "journal"
    assert res.missing == {"bqUsdBeRjQ": "OpenReview has no note with this id"}
    # one POST /notes/search {"ids": [...]} for the four (openreview-py's get_notes_by_ids)
    assert [(r.method, r.path) for r in net.requests("openreview")] == [("POST", "/notes/search")]
    assert orv.lookup(["xKDZAW0He3"]).found["xKDZAW0He3"].year == 2025  # a lone id: /notes?id=
    assert [r.path for r in net.requests("openreview")][-1] == "/notes"


def test_openreview_rejected_submission_is_not_a_publication():
    from plmcite.sources.openreview import note_record

    note = {"id": "x1", "forum": "x1", "content": {"title": {"value": "T"}, "venueid": {"value": "ICLR.cc/2025/Conference/Rejected_Submission"},
                                                 "venue": {"value": "Submitted to ICLR 2025"}}}
    rec = note_record(note)
    assert rec.kind == "other" and not rec.published


# --- ACL Anthology -----------------------------------------------------------------------------------


def test_acl_bib(http, net):
    res = src(AclSource, http, net, "acl").lookup(["2025.cl-2.6", "2024.personalize-1.8", "2099.acl-long.1"])
    cl = res.found["2025.cl-2.6"]
    assert (cl.kind, cl.volume, cl.number, cl.pages, cl.ids["doi"]) == ("journal", "51", "2", "599--640", "10.1162/coli_a_00550")
    ws = res.found["2024.personalize-1.8"]
    assert ws.month == 3 and ws.address == "St. Julians, Malta" and ws.venue_raw == "2024.personalize-1"
    assert "{" not in ws.title and ws.authors[0].family == "Alhafni"
    assert "2099.acl-long.1" in res.missing


def test_acl_truncated_bib_is_malformed():
    from plmcite.http import Malformed, Response
    from plmcite.sources.acl import parse_bib_answer

    full = b'@inproceedings{x,\n    title = "A {LLM} Title",\n    year = "2024",\n}\n'
    assert parse_bib_answer(Response("u", 200, {}, full), "2024.acl-long.1").title == "A LLM Title"
    with pytest.raises(Malformed):
        parse_bib_answer(Response("u", 200, {}, full[: len(full) // 2]), "2024.acl-long.1")


def test_volume_of():
    assert volume_of("2024.findings-emnlp.398") == "2024.findings-emnlp"
    assert volume_of("P15-1001") == "P15-1"


# --- small normalisers -------------------------------------------------------------------------------


@pytest.mark.parametrize("name,family,given", [
    ("Maartje ter Hoeve", "ter Hoeve", "Maartje"),
    ("Wei Wang 0001", "Wang", "Wei"),
    ("Doe, Jane", "Doe", "Jane"),
    ("Plato", "Plato", ""),
    ("Jean-Baptiste  Gaya", "Gaya", "Jean-Baptiste"),
])
def test_person_from_name(name, family, given):
    p = person_from_name(name)
    assert (p.family, p.given) == (family, given)


def test_normalize_pages():
    assert normalize_pages("5998-6008") == "5998--6008"
    assert normalize_pages("5998–6008") == "5998--6008"
    assert normalize_pages("e123") == "e123"
    assert normalize_pages("") is None


def test_record_json_roundtrip():
    r = Record(source="dblp", key="k", title="T", authors=[person_from_name("A B")], year=2024, ids={"dblp": "k"})
    back = Record.from_json(r.to_json(), "2025-01-01")
    assert back.to_json() == r.to_json() and back.retrieved == "2025-01-01"
