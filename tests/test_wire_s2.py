"""Semantic Scholar's recorded answers (tests/fixtures/wire/s2/) through plmcite's parsers.

One expectation per recording: the fields the resolver uses (ids, title, year, venue, authors),
the list alignment of a batch answer, an empty search, and every error shape (``error`` on 400 and
404, ``message`` from the gateway on 403) as a typed error naming what the service said.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plmcite.http import FetchError, Response
from plmcite.sources.s2 import paper_record, parse_batch, parse_match, parse_search

WIRE = Path(__file__).parent / "fixtures" / "wire" / "s2"


def answer(name: str, status: int = 200) -> Response:
    return Response(f"https://api.semanticscholar.org/{name}", status, {"Content-Type": "application/json"},
                    (WIRE / name).read_bytes())


def test_a_paper_with_doi_and_publication_venue():
    rec = paper_record(answer("paper-DOI-10.1371_journal.pone.0000308-publicationVenue.json").json())
    assert rec.source == "s2" and rec.key == "e93d035dc12252576b9e23a1e72b5f7cf465a5ed"
    assert rec.ids == {"doi": "10.1371/journal.pone.0000308", "s2": rec.key}  # DOIs lower-cased, CorpusId (int) left out
    assert (rec.title, rec.year, rec.venue_raw) == ("Sharing Detailed Research Data Is Associated with Increased Citation Rate",
                                                    2007, "PLoS ONE")
    assert [(p.given, p.family) for p in rec.authors] == [("Heather A.", "Piwowar"), ("R.", "Day"), ("D.", "Fridsma")]
    assert rec.kind is None and not rec.published  # a hint, never a version


def test_a_full_record_with_a_dblp_key():
    rec = paper_record(answer("paper-10.1093_mind_lix.236.433-all-fields-trimmed.json").json())
    assert rec.ids["doi"] == "10.1093/mind/lix.236.433" and rec.ids["dblp"].startswith("journals/")
    assert rec.year == 1950 and "Computing Machinery and Intelligence" in rec.title


def test_a_title_only_answer():
    rec = paper_record(answer("paper-DOI-10.1093_mind_lix.236.433-fields-title.json").json())
    assert rec.title and rec.ids == {"s2": rec.key} and rec.authors == [] and rec.year is None


def test_a_batch_answer_is_aligned_and_null_for_unknown_ids():
    papers = parse_batch(answer("paper-batch-all-fields-first-null.json"), 4)
    assert papers[0] is None and all(p is not None for p in papers[1:])
    assert papers[1].ids["doi"] == "10.2139/ssrn.288970" and papers[1].year == 2001
    with pytest.raises(Exception, match="expected a list of 5 papers"):
        parse_batch(answer("paper-batch-all-fields-first-null.json"), 5)  # misaligned: never guessed


def test_a_batch_with_authors_only():
    papers = parse_batch(answer("paper-batch-fields-authors.json"), 3)
    assert [p.family for p in papers[0].authors] == ["Bertrand", "Duflo", "Mullainathan"]


@pytest.mark.parametrize("name", ["paper-search-turing-2026.json", "paper-search-publicationTypes.json",
                                  "paper-search-venue-arxiv-fields-venue.json"])
def test_a_search_page(name):
    recs = parse_search(answer(name))
    assert len(recs) == 100 and all(r.key and r.source == "s2" for r in recs)


def test_an_empty_search_has_no_data_key():
    assert parse_search(answer("paper-search-empty.json")) == []


def test_a_title_match():
    (rec,) = parse_match(answer("paper-search-match-title.json"))
    assert rec.title == "Mining association rules between sets of items in large databases"
    assert rec.extra["match_score"] == pytest.approx(109.55098)


@pytest.mark.parametrize("name, status, said", [
    ("paper-404-not-found.json", 404, "Paper with id 0 not found"),
    ("paper-400-unrecognized-fields.json", 400, "Unrecognized or unsupported fields"),
    ("paper-batch-403-forbidden.json", 403, "Forbidden"),
])
def test_errors_name_what_the_service_said(name, status, said):
    with pytest.raises(FetchError, match=f"HTTP {status}: .*{said}"):
        parse_batch(answer(name, status), 1)


def test_no_match_is_an_empty_answer_not_an_error():
    resp = Response("https://api.semanticscholar.org/graph/v1/paper/search/match", 404,
                    {"Content-Type": "application/json"}, b'{"error":"Title match not found"}')
    assert parse_match(resp) == []


def test_pages_of_other_endpoints_are_not_read_as_papers():
    """/paper/{id}/authors and /references answer {offset, data} of other objects: plmcite never asks them."""
    for name in ("paper-authors-10.2139_ssrn.2250500.json", "paper-references-page2-null-paperId.json"):
        with pytest.raises(Exception, match="expected a search page"):
            parse_search(answer(name))
