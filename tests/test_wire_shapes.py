"""The fakes' answers have the shape of the real services' recorded answers, so they cannot drift.

For every kind of answer (a Crossref work, a DBLP hit, an arXiv feed, an OpenReview note, an
Anthology ``.bib`` ...) the answers of the record-driven fakes (``FakeInternet`` over
tests/fixtures/metadata and the records of the corpus' papers) are reduced to their *shape*:
every key path with the JSON types found there (``$.message.author[].given: string``), every
element and attribute of a feed, every BibTeX field with how its value is delimited. Then:

* **invented**: a path the fakes serve that no recording has (a renamed key lands here);
* **wrong type**: a path whose type the recordings never have (a number where they send a string);
* **dropped**: a path most full recordings of that kind have (``COMMON`` of them) that no fake
  answer has (a dropped or renamed key lands here).

Recordings trimmed by their source (``exactness`` says so in the sidecar) count for what is
allowed, not for what is required. Deliberate differences are listed per kind with the reason.

Adding a service (Semantic Scholar, issue 11) is one entry in ``KINDS``: which recordings, which
fake requests, which shape function (``json_shape`` for JSON APIs), and the reasoned exceptions.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

from plmcite.testing import FakeInternet
from plmcite.testing.replay import Recording, embedded_bibtex, load_corpus

FIXTURES = Path(__file__).parent / "fixtures"
WIRE = FIXTURES / "wire"
RECORDS = [FIXTURES / "metadata", WIRE / "fake-records"]
CORPUS = load_corpus(WIRE)
#: a path most full recordings have is required of the fakes
COMMON = 0.5

Shape = dict[str, frozenset[str]]


# --- shapes ------------------------------------------------------------------------------------


def _type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(v)]


def json_shape(value: Any, root: str = "$") -> Shape:
    out: dict[str, set[str]] = {}

    def walk(v: Any, path: str) -> None:
        out.setdefault(path, set()).add(_type(v))
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{path}.{k}")
        elif isinstance(v, list):
            for x in v:
                walk(x, f"{path}[]")

    walk(value, root)
    return {k: frozenset(v) for k, v in out.items()}


_PREFIX = {"http://www.w3.org/2005/Atom": "", "http://a9.com/-/spec/opensearch/1.1/": "opensearch:",
           "http://arxiv.org/schemas/atom": "arxiv:"}


def xml_shape(body: bytes) -> Shape:
    """Elements and attributes by path, and where namespaces are declared."""
    import io

    out: dict[str, set[str]] = {}
    stack: list[str] = []
    pending: list[str] = []
    for event, item in ET.iterparse(io.BytesIO(body), events=("start-ns", "start", "end")):
        if event == "start-ns":
            pending.append(item[0] or "(default)")
            continue
        if event == "end":
            stack.pop()
            continue
        ns, _, local = item.tag[1:].partition("}") if item.tag.startswith("{") else ("", "", item.tag)
        stack.append(_PREFIX.get(ns, f"{{{ns}}}") + local)
        path = "/".join(stack)
        out.setdefault(path, set()).add("element")
        for attr in item.attrib:
            out.setdefault(f"{path}@{attr}", set()).add("attribute")
        for prefix in pending:
            out.setdefault(f"{path} xmlns:{prefix}", set()).add("declaration")
        pending = []
    return {k: frozenset(v) for k, v in out.items()}


_BIB_FIELD = re.compile(r"^\s*(\w+)\s*=\s*(.)", re.M)


def bib_shape(body: bytes) -> Shape:
    """Entry type, and every field with how its value is written (quoted, braced, bare macro)."""
    text = body.decode("utf-8")
    out: dict[str, set[str]] = {"@type": {re.match(r"\s*@(\w+)\{", text).group(1).lower()}}
    for name, first in _BIB_FIELD.findall(text):
        out.setdefault(f"field {name}", set()).add({'"': "quoted", "{": "braced"}.get(first, "bare"))
    return {k: frozenset(v) for k, v in out.items()}


def meta_shape(body: bytes) -> Shape:
    """The Highwire ``citation_*`` meta names of a landing page (quoted or not)."""
    names = re.findall(rb"name=\"?(citation_\w+)", body)
    return {f"meta {n.decode()}": frozenset({"meta"}) for n in names}


def text_shape(body: bytes) -> Shape:
    return {f"text {body.decode('utf-8').strip()!r}": frozenset({"text"})}


# --- kinds of answer ----------------------------------------------------------------------------


@dataclass
class Kind:
    name: str
    recorded: "recorded"  # (shape, full recording?) of the recordings it picks
    fake: Callable[["Fakes"], list[Shape]]
    allow_invented: dict[str, str] = field(default_factory=dict)  # path prefix -> why the fake may serve it
    allow_dropped: dict[str, str] = field(default_factory=dict)  # path prefix -> why the fake may leave it out


def _full(r: Recording) -> bool:
    exactness = str(r.meta.get("exactness", "")).lower()
    return not any(w in exactness for w in ("trimmed", "reconstructed", "not an http recording"))


@dataclass
class recorded:
    """The recordings of one service that ``select`` picks, reduced by ``shape``."""

    service: str
    select: Callable[[Recording], bool]
    shape: Callable[[Recording], Iterable[Shape]]

    def __call__(self) -> list[tuple[Shape, bool]]:
        return [(s, _full(r)) for r in self.recordings() for s in self.shape(r)]

    def recordings(self) -> list[Recording]:
        return [r for r in CORPUS.get(self.service, []) if self.select(r)]


def _crossref_message(r: Recording) -> list[Shape]:
    return [json_shape(r.json()["message"])]


def _crossref_envelope(data: dict) -> Shape:
    data = json.loads(json.dumps(data))
    data["message"]["items"] = []
    return json_shape(data)


def _dblp_hits(data: Any) -> list[dict]:
    hits = data if isinstance(data, list) else data["result"]["hits"].get("hit", [])
    return hits if isinstance(hits, list) else [hits]


def _dblp_envelope(data: dict) -> Shape:
    data = json.loads(json.dumps(data))
    data["result"]["hits"].pop("hit", None)
    return json_shape(data)


def _or_notes(data: Any) -> list[dict]:
    notes = data.get("notes", []) if isinstance(data, dict) else data
    return [{k: v for k, v in n.items() if k != "_fixture_note"} for n in notes]


def _or_envelope(data: dict) -> Shape:
    return json_shape({k: ([] if k == "notes" else v) for k, v in data.items() if k != "_fixture_note"})


def _acl_bodies(r: Recording) -> list[bytes]:
    if r.name.endswith(".bib"):
        return [r.body]
    bib = embedded_bibtex(r.body)
    return [bib] if bib else []


class Fakes:
    """The fakes' answers, fetched once over real HTTP (the answers two kinds read are cached)."""

    def __init__(self, net: FakeInternet):
        self.net = net
        self.papers = net.papers

    def get(self, service: str, path: str, **params: Any) -> tuple[int, bytes]:
        url = self.net.urls[service] + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, service: str, path: str, **params: Any) -> Any:
        return json.loads(self.get(service, path, **params)[1])

    @property
    def dois(self) -> list[str]:
        return [p.published.doi for p in self.papers if p.published and p.published.doi]

    @property
    def titles(self) -> list[str]:
        return [p.title for p in self.papers][::7]

    def crossref_works(self) -> list[Shape]:
        return [json_shape(self.json("crossref", f"/works/{doi}")["message"]) for doi in self.dois]

    @cached_property
    def dblp_answers(self) -> list[Any]:
        return [self.json("dblp", "/search/publ/api", q=" ".join(t.split()[:4]), format="json", h=5) for t in self.titles]

    @cached_property
    def openreview_searches(self) -> list[Any]:
        return [self.json("openreview", "/notes/search", term=t, limit=3) for t in self.titles]

    def openreview_notes(self) -> list[Shape]:
        ids = [p.published.openreview_id for p in self.papers if p.published and p.published.openreview_id]
        notes = [self.json("openreview", "/notes", id=i)["notes"][0] for i in ids]
        searched = [n for answer in self.openreview_searches for n in answer["notes"]]
        return [json_shape(n) for n in notes + searched]

    def arxiv_feeds(self) -> list[bytes]:
        ids = [p.arxiv.id for p in self.papers if p.arxiv]
        return [self.get("arxiv", "", id_list=",".join(ids[i:i + 9]), max_results=9)[1] for i in range(0, len(ids), 9)] + [
            self.get("arxiv", "", id_list="1201.56789")[1]]

    @cached_property
    def s2_batch(self) -> list[Any]:
        ids = [f"ARXIV:{p.arxiv.id}" for p in self.papers if p.arxiv][:5] + ["ARXIV:1201.56789"]
        req = urllib.request.Request(self.net.urls["s2"] + "/graph/v1/paper/batch?fields=" + S2_FIELDS,
                                     data=json.dumps({"ids": ids}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def acl_bibs(self) -> list[bytes]:
        ids = [p.published.acl_anthology_id for p in self.papers if p.published and p.published.acl_anthology_id]
        return [self.get("acl", f"/{i}.bib")[1] for i in ids]


_NO_ABSTRACT = "the paper records hold no abstracts (docs/fake-servers.md, Limits)"
S2_FIELDS = "externalIds,title,venue,publicationVenue,year,authors,publicationTypes"
_NOBODY = "plmcite reads no such field, and the paper records hold nothing to fill it with"
_OR_SUBMISSION_FORM = ("an OpenReview submission form's own questions (ethics, primary area...): venue-specific, "
                       "read by no client")

KINDS = [
    Kind("crossref work",
         recorded("crossref", lambda r: r.name.startswith("work-") and r.status == 200, _crossref_message),
         Fakes.crossref_works,
         allow_invented={"$.event.acronym": "documented for proceedings-articles (api-protocols.md 3.2, [3p] record); the "
                                            "one recorded event (IEEE) has none, and the fake leaves it out for IEEE",
                         "$.subtitle[]": "no recorded work message has a subtitle, but the CSL form of the Science 1970 "
                                         "work does (transform-csljson-10.1126_science...json): the fake serves it"},
         allow_dropped={"$.reference": _NOBODY, "$.link": _NOBODY, "$.license": _NOBODY, "$.language": _NOBODY,
                        "$.subject": _NOBODY, "$.update-policy": _NOBODY, "$.journal-issue": _NOBODY,
                        "$.content-domain.domain[]": _NOBODY}),
    Kind("crossref work list",
         recorded("crossref", lambda r: r.name.startswith("works-"), lambda r: [_crossref_envelope(r.json())]),
         lambda f: [_crossref_envelope(f.json("crossref", "/works", **{"query.bibliographic": t, "rows": 2})) for t in f.titles]),
    Kind("crossref not found",
         recorded("crossref", lambda r: r.name == "work-10.1371_notarealdoi-404.txt", lambda r: [text_shape(r.body)]),
         lambda f: [text_shape(f.get("crossref", "/works/10.1371/notarealdoi")[1])]),
    Kind("crossref validation failure",
         recorded("crossref", lambda r: r.status == 400, lambda r: [json_shape(r.json())]),
         lambda f: [json_shape(f.json("crossref", "/works", rows="things"))]),
    Kind("dblp search answer",
         recorded("dblp", lambda r: r.name.endswith(".json") and isinstance(r.json(), dict), lambda r: [_dblp_envelope(r.json())]),
         lambda f: [_dblp_envelope(a) for a in f.dblp_answers]),
    Kind("dblp hit",
         recorded("dblp", lambda r: r.name.endswith(".json"), lambda r: [json_shape(h) for h in _dblp_hits(r.json())]),
         lambda f: [json_shape(h) for a in f.dblp_answers for h in _dblp_hits(a)],
         allow_invented={"$.info.ee": "a list when a record has several electronic editions (dblp's XML-to-JSON "
                                      "conversion, api-protocols.md 5.1 [3p]); no recorded hit has two"}),
    Kind("arxiv feed",
         recorded("arxiv", lambda r: r.status == 200 and b"id_list=" in r.body, lambda r: [xml_shape(r.body)]),
         lambda f: [xml_shape(b) for b in f.arxiv_feeds()]),
    Kind("arxiv error feed",
         recorded("arxiv", lambda r: r.status == 400, lambda r: [xml_shape(r.body)]),
         lambda f: [xml_shape(f.get("arxiv", "", id_list="abc")[1])]),
    Kind("openreview search answer",
         recorded("openreview", lambda r: r.name.startswith(("notes-search", "search-notes")), lambda r: [_or_envelope(r.json())]),
         lambda f: [_or_envelope(a) for a in f.openreview_searches]),
    Kind("openreview note",
         recorded("openreview", lambda r: r.name.startswith(("notes-search", "search-notes")),
                  lambda r: [json_shape(n) for n in _or_notes(r.json())]),
         Fakes.openreview_notes,
         allow_dropped={"$.content.abstract": _NO_ABSTRACT, "$.content.keywords": "the paper records hold no keywords",
                        "$.content.code_of_ethics": _OR_SUBMISSION_FORM, "$.content.primary_area": _OR_SUBMISSION_FORM,
                        "$.content.submission_guidelines": _OR_SUBMISSION_FORM,
                        "$.content.anonymous_url": _OR_SUBMISSION_FORM,
                        "$.content.no_acknowledgement_section": _OR_SUBMISSION_FORM}),
    Kind("openreview challenge",
         recorded("openreview", lambda r: r.status == 403, lambda r: [json_shape(r.json())]),
         lambda f: [json_shape(f.challenged())]),
    Kind("s2 paper",
         recorded("s2", lambda r: r.status == 200 and r.name.startswith(("paper-DOI-10.1371", "paper-batch-all-fields",
                                                                         "paper-10.1093")),
                  lambda r: [json_shape({k: v for k, v in p.items() if k in S2_FIELDS.split(",") + ["paperId"]})
                             for p in (r.json() if isinstance(r.json(), list) else [r.json()]) if p]),
         lambda f: [json_shape(p) for p in f.s2_batch if p is not None],
         allow_invented={"$.publicationTypes": "asked for by plmcite (the recording's request did not name it; "
                                               "paper-search-publicationTypes.json shows it as a list of strings)",
                         "$.externalIds.ArXiv": "Semantic Scholar's documented external ids; no recorded paper is on arXiv",
                         "$.externalIds.ACL": "as above; no recorded paper is in the ACL Anthology"},
         allow_dropped={"$.externalIds.MAG": _NOBODY, "$.externalIds.PubMed": _NOBODY,
                        "$.externalIds.PubMedCentral": _NOBODY, "$.publicationVenue.issn": _NOBODY,
                        "$.publicationVenue.alternate_urls": _NOBODY}),
    Kind("s2 batch answer",
         recorded("s2", lambda r: r.name.startswith("paper-batch-") and r.status == 200,
                  lambda r: [{"$": {"list"}, "$[]": {_type(x) for x in r.json()}}]),
         lambda f: [{"$": {"list"}, "$[]": {_type(x) for x in f.s2_batch}}]),
    Kind("s2 search page",
         recorded("s2", lambda r: r.name in ("paper-search-turing-2026.json", "paper-search-empty.json"),
                  lambda r: [{k: v for k, v in json_shape(r.json()).items() if not k.startswith("$.data[].")}]),
         lambda f: [{k: v for k, v in json_shape(f.json("s2", "/graph/v1/paper/search", query=t, limit=3,
                                                       fields=S2_FIELDS)).items() if not k.startswith("$.data[].")}
                    for t in f.titles + ["zzqx nothing matches this"]]),
    Kind("acl bib",
         recorded("acl", lambda r: True, lambda r: [bib_shape(b) for b in _acl_bodies(r)]),
         lambda f: [bib_shape(b) for b in f.acl_bibs()],
         allow_invented={"field ISBN": "in the Anthology's entries quoted in public READMEs (2025-2026), not in a "
                                       "recording (fake-records/README.md)"},
         allow_dropped={"field editor": "editors: only records that name them",
                        "field abstract": _NO_ABSTRACT}),
    Kind("acl landing page",
         recorded("acl", lambda r: r.name.endswith(".html"), lambda r: [meta_shape(r.body)]),
         lambda f: [meta_shape(f.get("acl", f"/{p.published.acl_anthology_id}/")[1]) for p in f.papers
                    if p.published and p.published.acl_anthology_id],
         allow_invented={"meta citation_journal_title": "CL/TACL papers' pages (no journal page is recorded)"}),
]


def _challenged(self: Fakes) -> Any:
    svc = self.net["openreview"].service
    svc.challenge = True
    try:
        return self.json("openreview", "/notes", id="Gj5JTAwdoy")
    finally:
        svc.challenge = False


Fakes.challenged = _challenged  # type: ignore[attr-defined]


# --- the comparison ------------------------------------------------------------------------------


def _allowed(path: str, allowed: dict[str, str]) -> bool:
    return any(path == a or path.startswith(a + ".") or path.startswith(a + "[") or path.startswith(a + "/")
               or path.startswith(a + "@") or path.startswith(a + " ") for a in allowed)


def diff(kind: Kind, fakes: Fakes) -> list[str]:
    """Differences between the fakes' answers of one kind and its recordings ([] when none)."""
    rec = kind.recorded()
    assert rec, f"{kind.name}: no recording"
    fake_shapes = kind.fake(fakes)
    assert fake_shapes, f"{kind.name}: no fake answer"
    union: dict[str, set[str]] = {}
    for s, _ in rec:
        for p, t in s.items():
            union.setdefault(p, set()).update(t)
    full = [s for s, is_full in rec if is_full] or [s for s, _ in rec]
    fake: dict[str, set[str]] = {}
    for s in fake_shapes:
        for p, t in s.items():
            fake.setdefault(p, set()).update(t)
    out = []
    for p in sorted(fake):
        if p not in union:
            if not _allowed(p, kind.allow_invented):
                out.append(f"invented: {p} ({'/'.join(sorted(fake[p]))})")
        elif fake[p] - union[p] and not _allowed(p, kind.allow_invented):
            out.append(f"wrong type: {p} is {'/'.join(sorted(fake[p] - union[p]))}, recorded {'/'.join(sorted(union[p]))}")
    for p in sorted(union):
        share = sum(p in s for s in full) / len(full)
        if share >= COMMON and p not in fake and not _allowed(p, kind.allow_dropped):
            out.append(f"dropped: {p} (in {share:.0%} of the full recordings)")
    return [f"{kind.name}: {line}" for line in out]


@pytest.fixture(scope="module")
def fakes():
    with FakeInternet(RECORDS) as net:
        yield Fakes(net)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_fake_answers_have_the_recorded_shape(kind, fakes):
    assert diff(kind, fakes) == []


def test_every_recording_of_the_faked_services_is_compared_or_out_of_scope():
    """A new recording takes part in a shape comparison, or is named here with the reason."""
    out_of_scope = {
        "transform-bibtex-10.1126_science.169.3946.635.bib": "content negotiation: plmcite never asks for it",
        "transform-csljson-10.1126_science.169.3946.635.json": "as above",
        "transform-text-bibliography-apa-10.1126_science.169.3946.635.txt": "as above",
        "doi.org-404-10.1126_foo.html": "doi.org, not the API",
        "search-publ-attention-mechanism-h3.xml": "DBLP's XML format: the fake serves it, plmcite reads JSON",
        "rec-conf-acl-ChangSRM23.bib": "DBLP /rec/*.bib: plmcite reads the search API",
        "rec-series-sci-2023-1062.bib": "as above", "toc-conf-iclr-2017-format-bib.bib": "as above",
        "v1-notes-dblp-imported-record-samples.json": "OpenReview API v1, not served by the fake",
    }
    compared = {r.name for k in KINDS for r in k.recorded.recordings()}
    every = {r.name for svc in ("arxiv", "crossref", "dblp", "openreview", "acl") for r in CORPUS.get(svc, [])}
    assert every - compared == set(out_of_scope)


def test_answers_two_kinds_compare_are_fetched_once():
    with FakeInternet(RECORDS, services=["dblp", "openreview", "s2"]) as net:
        f = Fakes(net)
        for name in ("dblp search answer", "dblp hit", "openreview search answer", "openreview note", "s2 paper",
                     "s2 batch answer"):
            assert _kind(name).fake(f)
        assert net.count("dblp", "/search/publ/api") == len(f.titles)
        assert net.count("openreview", "/notes/search") == len(f.titles)
        assert net.count("s2", "/graph/v1/paper/batch") == 1


# --- the check can fail --------------------------------------------------------------------------


def _kind(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)


def test_a_fake_that_drops_a_crossref_field_fails_the_check(monkeypatch):
    from plmcite.testing import crossref

    real = crossref.build_work
    monkeypatch.setattr(crossref, "build_work", lambda paper: {k: v for k, v in real(paper).items() if k != "container-title"})
    with FakeInternet(RECORDS, services=["crossref"]) as net:
        report = diff(_kind("crossref work"), Fakes(net))
    assert "crossref work: dropped: $.container-title (in 100% of the full recordings)" in report


def test_a_fake_that_renames_a_dblp_field_fails_the_check(monkeypatch):
    from plmcite.testing import dblp

    real = dblp.DblpRecord.info
    monkeypatch.setattr(dblp.DblpRecord, "info", lambda self: {("venues" if k == "venue" else k): v for k, v in real(self).items()})
    with FakeInternet(RECORDS, services=["dblp"]) as net:
        report = diff(_kind("dblp hit"), Fakes(net))
    assert "dblp hit: invented: $.info.venues (string)" in report
    assert any(line.startswith("dblp hit: dropped: $.info.venue ") for line in report)


def test_a_fake_arxiv_feed_without_namespaces_on_the_root_fails_the_check(monkeypatch):
    from plmcite.testing import arxiv

    old = ('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n')
    monkeypatch.setattr(arxiv, "_HEAD", "<?xml version='1.0' encoding='UTF-8'?>\n" + old)
    monkeypatch.setattr(arxiv.ArxivService, "_entry", lambda self, paper, version: "")
    with FakeInternet(RECORDS, services=["arxiv"]) as net:
        report = diff(_kind("arxiv feed"), Fakes(net))
    assert "arxiv feed: dropped: feed xmlns:arxiv (in 100% of the full recordings)" in report
    assert any(line.startswith("arxiv feed: dropped: feed/entry ") for line in report)
