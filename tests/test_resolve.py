"""The resolver end to end: the starting list against the fake services.

Pins the outcome for the starting list (every paper record matched to the right entries with the
right identifiers and venue, the one unresolvable entry with a true reason), the request budget,
the warm run (no request, no byte changed), fault tolerance (20% injected faults give the same
catalog), pinned keys and provenance, ``--section`` and ``--offline`` runs.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from plmcite.model import Catalog
from plmcite.http import Cache, Http, HttpSettings
from plmcite.listfile import parse, parse_file
from plmcite.resolve import Sources, merge, resolve_list
from plmcite.model import Record
from plmcite.names import person_from_name
from plmcite.testing.fakes import FakeInternet

FIXTURES = Path(__file__).parent / "fixtures"
START = FIXTURES / "upstream" / "README.2025-08-08.fcbf0f0.md"
PAPERS = json.loads((FIXTURES / "metadata" / "papers.json").read_text(encoding="utf-8"))
TODAY = date(2026, 1, 15)


def make_sources(net, cache_dir, *, today=TODAY, offline=False, refresh=False, retries=5) -> Sources:
    s = HttpSettings(contact="t@example.org", timeout=0.5, retries=retries, backoff=0.01, max_backoff=0.05, min_interval={})
    http = Http(s, cache=Cache(cache_dir), offline=offline, refresh=refresh, today=lambda: today)
    return Sources(http, {name: net.urls[name] if name != "arxiv" else net.env()["PLMCITE_ARXIV_URL"]
                          for name in net.urls})


@pytest.fixture(scope="module")
def net():
    with FakeInternet(FIXTURES / "metadata", hang_s=1.0) as net:
        yield net


@pytest.fixture(scope="module")
def doc():
    return parse_file(START)


@pytest.fixture(scope="module")
def cold(net, doc, tmp_path_factory):
    """One cold resolve of the starting list: (catalog, summary, outcomes, cache dir, fake counts)."""
    net.reset_log()
    cache = tmp_path_factory.mktemp("cache")
    src = make_sources(net, cache)
    cat, summary, outcomes = resolve_list(doc, src)
    src.http.close()
    net.cold_log = {s: net.requests(s) for s in net.servers}  # what the cold run asked, for the budget test
    return cat, summary, outcomes, cache, net.counts()


def work_for(cat: Catalog, line_title: str, section: str):
    for w in cat.works:
        for r in w.entries:
            if r.section == section and r.title.startswith(line_title):
                return w
    raise AssertionError(f"no work for {section} {line_title!r}")


# --- the pinned outcome for the starting list ------------------------------------------------------

#: differences from papers.json that are not resolver errors
#: - PersonalSum is a Datasets and Benchmarks paper, but the fake services do not say so anywhere
#:   (no proceedings URL in the record, DBLP lists it under "NeurIPS"): the resolver cannot know.
UNKNOWABLE_VENUE = {"2410.03905"}


def test_every_record_is_matched_with_the_right_identifiers_and_venue(cold):
    cat = cold[0]
    problems = []
    for rec in PAPERS:
        a, p = rec["arxiv"], rec["published"]
        w = next((w for w in cat.works if (a and w.ids.get("arxiv") == a["id"])
                  or (p and p["acl_anthology_id"] and w.ids.get("acl") == p["acl_anthology_id"])), None)
        label = a["id"] if a else p["title"]
        if w is None:
            problems.append(f"{label}: no work")
            continue
        if a:
            assert w.ids["arxiv"] == a["id"]
        if p is None:
            if w.kind != "preprint" or w.title != a["title"]:
                problems.append(f"{label}: expected the preprint, got {w.kind} {w.venue_short} {w.title!r}")
            continue
        want = {"title": p["title"], "year": p["year"], "kind": p["kind"], "pages": p["pages"],
                "doi": p["doi"].lower() if p["doi"] else None, "openreview": p["openreview_id"],
                "acl": p["acl_anthology_id"], "venue_short": p["venue_short"]}
        got = {"title": w.title, "year": w.year, "kind": w.kind, "pages": w.pages, "doi": w.ids.get("doi"),
               "openreview": w.ids.get("openreview") if p["openreview_id"] else None,
               "acl": w.ids.get("acl") if p["acl_anthology_id"] else None, "venue_short": w.venue_short}
        if a and a["id"] in UNKNOWABLE_VENUE:
            want.pop("venue_short"), got.pop("venue_short")
        # where the versions differ only in case, either spelling is the paper's own (which one
        # wins is pinned below)
        if a and got["title"] == a["title"] and a["title"].casefold() == want["title"].casefold():
            want["title"] = a["title"]
        for k in want:
            if want[k] != got[k]:
                problems.append(f"{label}: {k} {got[k]!r} != {want[k]!r}")
    assert problems == []
    assert len(cat.works) == len(PAPERS)  # one work per paper: duplicates merged, nothing invented


def test_a_publisher_that_lowercased_a_title_is_outvoted_by_the_version_keeping_its_acronyms(cold):
    """The publisher's record says "white-box llms"; arXiv keeps "LLMs": capitals are facts."""
    w = next(w for w in cold[0].works if w.ids.get("arxiv") == "2404.16115")
    assert w.title == "Online Personalizing White-box LLMs Generation with Neural Bandits"
    pad = next(w for w in cold[0].works if w.ids.get("arxiv") == "2410.04070")
    assert pad.title == "PAD: Personalized Alignment of LLMs at Decoding-time"  # ties go to the publisher


def test_only_the_unfindable_entry_is_unresolved_with_a_true_reason(cold):
    cat = cold[0]
    assert [(u.section, u.line, u.title) for u in cat.unresolved] == [
        ("1.1", 16, "Personalized LMs: Aligning Language Models with Diverse Human Preference")]
    reason = cat.unresolved[0].reason
    assert "no identifier in the links" in reason and "no confident title match" in reason
    # every other entry is attached to exactly one work
    doc = parse_file(START)
    refs = {(r.section, r.title) for w in cat.works for r in w.entries}
    assert {(e.section, e.title) for e in doc.entries} - refs == {("1.1", cat.unresolved[0].title)}


@pytest.mark.parametrize("section,title,expect", [
    # OpenReview link unknown to OpenReview: found by title; the preprint, no invented venue
    ("1.3", "Personalized Language Modeling from Personalized Human Feedback",
     {"arxiv": "2402.05133", "kind": "preprint", "openreview": None}),
    # tagged as a workshop, linked to an unknown forum: the title finds the NeurIPS 2024 paper
    ("1.3", "Personalizing Reinforcement Learning", {"arxiv": "2408.10075", "venue_short": "NeurIPS 2024", "openreview": "gRG6SzbW9p"}),
    # no link at all: found by title, published version attached
    ("1.3", "Persona-judge", {"arxiv": "2504.12663", "venue_short": "Findings of ACL 2025", "acl": "2025.findings-acl.260"}),
    ("2.4", "Energy-Based Reward Models", {"arxiv": "2504.13134", "venue_short": "COLM 2025", "openreview": "x6evCULIOQ"}),
    # the preprint's title changed: still attached (same system name, same authors)
    ("1.3", "PAL: Sample-Efficient", {"arxiv": "2406.08469", "openreview": "1kFDrYCuSu", "venue_short": "ICLR 2025"}),
    ("2.3", "SeCom", {"arxiv": "2502.05589", "openreview": "xKDZAW0He3"}),
    # a title written without spaces, an Anthology link
    ("2.4", "PersonalizedVideoCommentGeneration", {"acl": "2024.findings-emnlp.979", "venue_short": "Findings of EMNLP 2024",
                                                 "title": "Personalized Video Comment Generation"}),
    # a DOI link from the ACM digital library; the arXiv id is found and kept
    ("2.3", "Optimization Methods", {"doi": "10.1145/3626772.3657783", "arxiv": "2404.05970", "venue_short": "SIGIR 2024"}),
    # a NeurIPS proceedings link: volume from the venue table
    ("1.3", "Rewarded soups", {"arxiv": "2306.04488", "venue_short": "NeurIPS 2023", "volume": "36", "pages": "71095--71134"}),
    # an ICML paper tagged "PMLR": PMLR volume and proceedings id
    ("1.3", "Rewards-in-Context", {"venue_short": "ICML 2024", "volume": "235", "pmlr": "v235/yang24q", "publisher": "PMLR"}),
    # a workshop at ICLR, named after its OpenReview venue id
    ("1.4", "Prompt Optimization", {"kind": "workshop", "venue_short": "ICLR 2024 Workshop (DPFM)", "arxiv": "2504.02646"}),
    # a journal: volume and issue from the Anthology/Crossref, MIT Press DOI
    ("2.4", "LMLPA", {"kind": "journal", "venue_short": "Computational Linguistics 2025", "volume": "51", "number": "2",
                      "doi": "10.1162/coli_a_00550"}),
])
def test_tricky_entries(cold, section, title, expect):
    w = work_for(cold[0], title, section)
    for k, v in expect.items():
        got = w.ids.get(k) if k in ("arxiv", "doi", "acl", "openreview", "pmlr") else getattr(w, k)
        assert got == v, (k, got, v)


def test_duplicates_share_one_work_and_key(cold):
    cat = cold[0]
    # same paper under two arXiv ids in the list (one id unknown to arXiv): one work, both entries
    mc = [w for w in cat.works if w.title.startswith("MC-LLaVA")]
    assert len(mc) == 1 and mc[0].ids["arxiv"] == "2503.18854"
    # same paper in two sections, linked once by arXiv and once by OpenReview
    neuron = work_for(cat, "Neuron-based Personality", "1.4")
    assert neuron is work_for(cat, "Neuron-based Personality", "2.2")
    assert neuron.sections == ["1.4", "2.2"] and neuron.ids["openreview"] == "LYHEY783Np"
    web = work_for(cat, "Large Language Models Empowered", "2.2")
    assert web.code == ["https://github.com/HongruCai/PersonalWAB"] and web.venue_short == "WWW 2025"


def test_keys_follow_the_formula(cold):
    keys = {w.key for w in cold[0].works}
    assert {"jang2023personalized", "salemi2024lamp", "chen2025pal", "zhang2024guided"} <= keys
    assert len(keys) == len(cold[0].works)


def test_provenance_names_source_and_date(cold):
    w = work_for(cold[0], "LaMP: When", "2.2")
    assert w.provenance["pages"].source == "acl" and w.provenance["pages"].retrieved == TODAY.isoformat()
    assert w.provenance["ids.arxiv"].source == "arxiv"
    assert w.provenance["venue_short"].source.endswith("+venues")


# --- cost ------------------------------------------------------------------------------------------


def test_cold_run_request_budget(cold, doc, net):
    """Batch-first: under one request per entry in all, and each service asked in bulk where it can be."""
    summary, counts = cold[1], cold[4]
    assert summary.requests == {k: v for k, v in counts.items() if v}
    n = len(doc.entries)
    assert sum(counts.values()) / n <= 1.0
    log = net.cold_log
    # every arXiv id in one batched request; the titles of papers known by an OpenReview id in one more
    assert sum(1 for r in log["arxiv"] if r.query.get("id_list")) <= 2  # (and the ids hints named later)
    assert sum(1 for r in log["arxiv"] if r.query.get("search_query")) == 1
    # one Semantic Scholar batch for every linked id; its title searches only for entries without one
    assert sum(1 for r in log["s2"] if r.method == "POST") == 1
    # OpenReview notes in batches (POST /notes/search with the ids), not one request per forum
    assert sum(1 for r in log["openreview"] if r.path == "/notes") <= 1 and len(log["openreview"]) <= 6
    # DBLP: a table of contents per venue-year, title searches only for papers nothing else identifies
    assert counts["dblp"] < n / 4


def test_warm_run_makes_no_request_and_changes_no_byte(net, doc, cold):
    cat, _, _, cache, _ = cold
    net.reset_log()
    src = make_sources(net, cache, today=date(2026, 2, 10))
    again, summary, _ = resolve_list(doc, src, previous=Catalog.from_json(json.loads(cat.dumps())))
    assert sum(net.counts().values()) == 0 and sum(summary.requests.values()) == 0
    assert again.dumps() == cat.dumps()


def test_negative_answers_age_but_records_do_not(net, doc, cold):
    """After 30 days "not found" is asked again (papers get indexed late); found records are kept."""
    cat, _, _, cache, _ = cold
    net.reset_log()
    src = make_sources(net, cache, today=date(2026, 3, 1))
    again, summary, _ = resolve_list(doc, src, previous=Catalog.from_json(json.loads(cat.dumps())))
    asked = sorted((r.service, r.method, r.query.get("id_list") or r.query.get("q")
                    or (r.query.get("search_query") or "")[:40] or r.path) for s in net.servers for r in net.requests(s))
    assert asked == [("arxiv", "GET", "2411.11706"),  # an id arXiv did not know
                     ("arxiv", "GET", 'ti:"pal sample efficient personalized re'),  # a title it had no preprint under
                     ("dblp", "GET", "personali aligning diverse preference"),  # the link-less entry nobody matched
                     ("openreview", "POST", "/notes/search"),  # forums it did not know (one batch)
                     ("s2", "POST", "/graph/v1/paper/batch")]  # ids Semantic Scholar did not know (one batch)
    assert again.dumps() == cat.dumps()


# --- faults ----------------------------------------------------------------------------------------


def test_twenty_percent_faults_give_the_same_catalog(doc, cold, tmp_path):
    clean = cold[0]
    with FakeInternet(FIXTURES / "metadata", fault_rate=0.2, seed=7, hang_s=1.0) as faulty:
        src = make_sources(faulty, tmp_path / "cache")
        cat, summary, _ = resolve_list(doc, src)
        faults = [r for s in faulty.servers for r in faulty.requests(s) if r.fault]
        assert faulty.errors() == []
    assert len(faults) >= 20 and sum(summary.retries.values()) >= 20  # the faults really happened
    if cat.dumps() != clean.dumps():
        # allowed: entries reported unresolved because a service failed for good, never a wrong work
        clean_works = {w.key: w.to_json() for w in clean.works}
        for w in cat.works:
            assert clean_works.get(w.key) == w.to_json()
        assert all("could not complete" in u.reason for u in cat.unresolved if u.line != 16)
    else:
        assert cat.dumps() == clean.dumps()


def test_a_dead_service_keeps_the_previous_works(doc, cold, tmp_path):
    clean = cold[0]
    dead_dblp = {"dblp": {"fault_rate": 1.0, "faults": ("503",)}}
    with FakeInternet(FIXTURES / "metadata", per_service=dead_dblp) as net:
        src = make_sources(net, tmp_path / "cache", retries=1)
        cat, summary, _ = resolve_list(doc, src, previous=Catalog.from_json(json.loads(clean.dumps())))
    # every entry that needed DBLP (a table of contents or a title search): 68 of 102 since Semantic
    # Scholar identifies the others in bulk
    assert summary.kept_previous == summary.unchecked == summary.unchecked_by_service["dblp"] == 68
    assert summary.requests["dblp"] == 6  # 3 requests x 2 attempts, then DBLP counts as down: not hammered
    assert cat.dumps() == clean.dumps()
    # without a previous catalog nothing is guessed: what needs DBLP is unresolved with the reason;
    # what did not need it (arXiv + the Anthology record the arXiv DOI names) is complete and right
    with FakeInternet(FIXTURES / "metadata", per_service=dead_dblp) as net:
        src = make_sources(net, tmp_path / "cache2", retries=1)
        cat, summary, _ = resolve_list(doc, src)
    clean_works = {w.key: w.to_json() for w in clean.works}
    assert 0 < len(cat.works) < len(clean.works)
    for w in cat.works:
        assert clean_works[w.key] == w.to_json()
    assert all("could not complete: dblp" in u.reason and ("503" in u.reason or "looks down" in u.reason)
               for u in cat.unresolved)
    covered = {(u.section, u.title) for u in cat.unresolved} | {(r.section, r.title) for w in cat.works for r in w.entries}
    assert covered == {(e.section, e.title) for e in doc.entries}


def test_offline_with_empty_cache(net, doc, cold, tmp_path):
    clean = cold[0]
    net.reset_log()
    src = make_sources(net, tmp_path / "empty", offline=True)
    cat, summary, _ = resolve_list(doc, src, previous=Catalog.from_json(json.loads(clean.dumps())))
    assert sum(net.counts().values()) == 0
    assert cat.dumps() == clean.dumps()
    src = make_sources(net, tmp_path / "empty", offline=True)
    cat, _, _ = resolve_list(doc, src)
    assert not cat.works and all("offline" in u.reason for u in cat.unresolved)


# --- previous catalog: pinned keys, kept provenance, --section ---------------------------------------


def test_refresh_keeps_provenance_dates_of_unchanged_values(net, doc, cold, tmp_path):
    clean = cold[0]
    src = make_sources(net, tmp_path / "c", today=date(2026, 9, 9), refresh=True)
    cat, _, _ = resolve_list(doc, src, previous=Catalog.from_json(json.loads(clean.dumps())))
    assert cat.dumps() == clean.dumps()  # re-fetched today, same values: not a byte changes
    # without the previous catalog the new date shows (the refreshed cache holds it; no request)
    net.reset_log()
    src = make_sources(net, tmp_path / "c", today=date(2026, 9, 9))
    fresh, _, _ = resolve_list(doc, src)
    assert sum(net.counts().values()) == 0
    assert "2026-09-09" in fresh.dumps() and "2026-09-09" not in clean.dumps()


def test_keys_are_pinned_until_rekey(net, doc, cold):
    clean, cache = cold[0], cold[3]
    prev = Catalog.from_json(json.loads(clean.dumps()))
    w = next(w for w in prev.works if w.key == "zhang2024guided")
    w.key = "my-own-key"
    w.title = "An older title the services no longer use"  # metadata changes never move a key
    cat, _, _ = resolve_list(doc, make_sources(net, cache), previous=prev)
    keys = {w.ids.get("arxiv"): w.key for w in cat.works}
    assert keys["2409.13093"] == "my-own-key"
    cat, _, _ = resolve_list(doc, make_sources(net, cache), previous=prev, rekey=True)
    assert {w.ids.get("arxiv"): w.key for w in cat.works}["2409.13093"] == "zhang2024guided"


def test_new_colliding_work_gets_a_suffix_and_old_keys_stay(net, cold):
    cache = cold[3]
    text = START.read_text(encoding="utf-8")
    prev = Catalog.from_json(json.loads(cold[0].dumps()))
    # a second, different paper whose formula key collides with an existing one
    extra = "\n+ **\\[2024 EMNLP\\]** Democratizing Large Language Models via Personalized Parameter-Efficient Fine-tuning. ([Paper](https://arxiv.org/pdf/2402.04401))\n"
    doc = parse(text.replace("### 1.4 Training-free Methods", "### 1.4 Training-free Methods\n" + extra), "list.md")
    cat, _, _ = resolve_list(doc, make_sources(net, cache), previous=prev)
    assert {w.key for w in prev.works} <= {w.key for w in cat.works}
    assert work_for(cat, "Democratizing", "1.4").key == work_for(prev, "Democratizing", "2.4").key


def test_section_run_touches_only_that_section(net, doc, cold, tmp_path):
    clean = cold[0]
    net.reset_log()
    src = make_sources(net, tmp_path / "fresh")
    cat, summary, outcomes = resolve_list(doc, src, previous=Catalog.from_json(json.loads(clean.dumps())), section_filter=["1.2"])
    assert len(outcomes) == sum(1 for e in doc.entries if e.section == "1.2")
    assert 0 < sum(net.counts().values()) <= 4 * len(outcomes)
    assert cat.dumps() == clean.dumps()


# --- links that point elsewhere, ambiguity --------------------------------------------------------------


def test_a_link_to_another_paper_is_not_believed(net, cold, tmp_path):
    text = ("## 1. X\n\n"
            "+ **\\[2025 ICLR\\]** PAL: Sample-Efficient Personalized Reward Modeling for Pluralistic Alignment. "
            "([Paper](https://arxiv.org/abs/2410.04070))\n\n"
            "+ **\\[2025 ICLR\\]** A Paper Nobody Wrote About Quantum Gardening. ([Paper](https://arxiv.org/abs/2410.04070))\n")
    doc = parse(text, "t.md")
    cat, _, outcomes = resolve_list(doc, make_sources(net, cold[3]))
    pal = work_for(cat, "PAL", "1")
    assert pal.ids["openreview"] == "1kFDrYCuSu" and pal.ids.get("arxiv") == "2406.08469"  # not PAD's 2410.04070
    assert any("points at another paper" in n for n in outcomes[0].notes)
    [u] = cat.unresolved
    assert "points at another paper" in u.reason and "PAD: Personalized Alignment" in u.reason


def test_ambiguous_titles_stay_unresolved(tmp_path):
    base = json.loads((FIXTURES / "metadata" / "papers.json").read_text())
    twin = next(r for r in base if r["arxiv"] and r["arxiv"]["id"] == "2310.11564")
    clone = json.loads(json.dumps(twin))
    clone["arxiv"]["id"] = "2311.99999"
    clone["arxiv"]["authors"] = ["Someone Else", "Another Person"]
    (tmp_path / "papers.json").write_text(json.dumps([twin, clone]))
    doc = parse("## 1. X\n\n+ **\\[2023 Arxiv\\]** Personalized Soups: Personalized Large Language Model Alignment "
                "via Post-hoc Parameter Merging\n", "t.md")
    with FakeInternet(tmp_path) as net:
        cat, _, _ = resolve_list(doc, make_sources(net, tmp_path / "c"))
    assert not cat.works
    assert "ambiguous" in cat.unresolved[0].reason and "2310.11564" in cat.unresolved[0].reason


# --- merge --------------------------------------------------------------------------------------------


def test_merge_published_wins_and_arxiv_stays():
    arx = Record(source="arxiv", key="2409.13093", title="Guided Profile Generation Improves Personalization with LLMs",
                 authors=[person_from_name("Jiarui Zhang")], year=2024, month=9, kind="preprint",
                 ids={"arxiv": "2409.13093"}, arxiv_class="cs.CL", retrieved="2026-01-01")
    acl = Record(source="acl", key="2024.findings-emnlp.231",
                 title="Guided Profile Generation Improves Personalization with Large Language Models",
                 authors=[person_from_name("Jiarui Zhang")], year=2024, month=11, kind="conference",
                 venue_raw="2024.findings-emnlp", container="Findings of the Association for Computational Linguistics: EMNLP 2024",
                 pages="4005--4016", publisher="Association for Computational Linguistics", address="Miami, Florida, USA",
                 ids={"acl": "2024.findings-emnlp.231", "doi": "10.18653/v1/2024.findings-emnlp.231"},
                 url="https://aclanthology.org/2024.findings-emnlp.231/", retrieved="2026-01-02")
    w = merge({"arxiv": arx, "acl": acl})
    assert w.title == acl.title and (w.year, w.month) == (2024, 11) and w.kind == "conference"
    assert (w.venue, w.venue_short) == ("findings-emnlp", "Findings of EMNLP 2024")
    assert w.ids == {"arxiv": "2409.13093", "acl": "2024.findings-emnlp.231", "doi": "10.18653/v1/2024.findings-emnlp.231"}
    assert w.url == acl.url and w.pages == "4005--4016" and w.arxiv_class == "cs.CL"
    assert w.provenance["title"].retrieved == "2026-01-02" and w.provenance["ids.arxiv"].retrieved == "2026-01-01"
    pre = merge({"arxiv": arx})
    assert (pre.kind, pre.year, pre.month, pre.venue, pre.url) == ("preprint", 2024, 9, None, "https://arxiv.org/abs/2409.13093")


# --- the committed catalog ------------------------------------------------------------------------


def test_committed_catalog_is_what_the_resolver_produces(net, tmp_path):
    """refs/catalog.json is reproducible: resolving the repository's list against the fakes (with the
    committed catalog as the previous one) gives it back, up to retrieval dates."""
    root = Path(__file__).resolve().parent.parent
    committed_path = root / "refs" / "catalog.json"
    if not committed_path.exists():
        pytest.skip("no refs/catalog.json yet")
    committed = Catalog.from_json(json.loads(committed_path.read_text(encoding="utf-8")))
    doc = parse_file(root / "refs" / "awesome-personalized-llms.md")
    cat, _, _ = resolve_list(doc, make_sources(net, tmp_path / "c"), previous=committed, list_path=committed.list_path)

    def undated(c: Catalog) -> dict:
        d = json.loads(c.dumps())
        for w in d["works"]:
            for p in w.get("provenance", {}).values():
                p["retrieved"] = "-"
        return d

    assert undated(cat) == undated(committed), "refs/catalog.json is stale: run `plmcite resolve` (docs/resolve.md)"


def test_merge_of_a_submission_that_was_not_accepted():
    from plmcite.sources.openreview import note_record

    note = {"id": "abcDEF1234", "forum": "abcDEF1234", "pdate": None,
            "content": {"title": {"value": "A Rejected Idea"}, "authors": {"value": ["Ann Lee"]},
                        "venue": {"value": "Submitted to ICLR 2025"},
                        "venueid": {"value": "ICLR.cc/2025/Conference/Rejected_Submission"}}}
    w = merge({"openreview": note_record(note)})
    assert (w.title, w.kind, w.venue, w.year) == ("A Rejected Idea", "other", None, 2025)
    assert w.ids == {"openreview": "abcDEF1234"}


def test_miscased_names_take_the_capitalisation_of_another_version():
    from plmcite.model import Person
    from plmcite.resolve.people import improve as _better_cased

    chosen = [Person("yang", "Wenhao"), Person("van der Berg", "Jan"), Person("li", "x")]
    alternatives = [[Person("Yang", "Wenhao"), Person("Van Der Berg", "Jan")]]
    assert _better_cased(chosen, alternatives) == [Person("Yang", "Wenhao"), Person("van der Berg", "Jan"), Person("li", "x")]


def test_later_list_unknown_papers_stay_unresolved_never_matched_wrong(net, tmp_path):
    """The newest list version is mostly papers the services here do not know: each of those must
    come out unresolved with a reason (a near-miss title is never taken), and every entry that
    does resolve must be the paper its own link names."""
    latest = parse_file(FIXTURES / "upstream" / "README.2026-06-15.5349481.md")
    cat, summary, outcomes = resolve_list(latest, make_sources(net, tmp_path / "c"))
    known_arxiv = {p["arxiv"]["id"] for p in PAPERS if p["arxiv"]}
    for o in outcomes:
        aid = o.entry.ids.get("arxiv")
        if o.ok:
            w = merge(o.records)
            if aid in known_arxiv:
                assert w.ids.get("arxiv") == aid, (o.entry.title, w.ids)
            else:  # a renamed or mistyped link: the title must then be the work's
                assert aid is None or o.entry.title.split(":")[0] in (w.title + " " + " ".join(
                    r.title for r in o.records.values())), (o.entry.title, w.title)
        elif aid is not None:
            assert aid not in known_arxiv, (o.entry.title, o.unresolved)
            assert "no confident title match" in o.unresolved or "no title match" in o.unresolved, o.unresolved
    assert len(cat.unresolved) >= 50 and len(cat.works) >= 50


def test_an_entry_that_names_the_paper_is_found_by_its_link_and_never_searched(net, tmp_path):
    """HTML toolbox rows give "FGSM (Goodfellow et al., 2015)": a name, not a title. Its link is
    its identity; without a link it stays unresolved, and no title search is sent for it."""
    from plmcite.resolve.claim import EntryInfo
    from plmcite.resolve import run_claims
    from plmcite.match import TitleWeights

    named = [EntryInfo("1", 3, "LaMP (Salemi et al., 2024)", {"arxiv": "2304.11406"}, titled=False),
             EntryInfo("1", 5, "PAD (Chen et al., 2025)", {}, titled=False)]
    net.reset_log()
    linked, bare = run_claims(named, make_sources(net, tmp_path / "c"), TitleWeights([]))
    assert linked.ok and linked.records["arxiv"].ids["arxiv"] == "2304.11406"
    assert not bare.ok and "names the paper" in bare.unresolved
    searched = [r.query.get("q") or r.query.get("query") or r.query.get("term") for s in net.servers
                for r in net.requests(s)]
    assert not [q for q in searched if q and not q.startswith("toc:")]  # no title search of "PAD (Chen et al., 2025)"
