"""Resolving list entries into works: identifiers first, then title search, then merge.

The resolver works the way a careful survey author does, per entry:

1. look up every identifier the entry's links carry (arXiv, OpenReview, ACL Anthology, DOI) and
   keep a record only if its title agrees with the entry's (a link may point at another paper);
2. with no usable identifier, search by title (DBLP, then Crossref, then OpenReview) and accept a
   hit only above a confidence threshold (``plmcite.match``): below it the entry stays
   unresolved, with the reason;
3. complete the picture: one DBLP search for the published version (venue, year, pages, DOI) and
   the arXiv id, then the publisher's own record (Anthology, Crossref, OpenReview) for what DBLP
   points at;
4. merge each work's records: the published record wins for title, venue, year, pages, DOI; the
   arXiv id stays attached; the venue table (``plmcite.venues``) names the venue.

Network work happens in *rounds*: every claim (entry being resolved) is re-evaluated from the
start against what is known, registering what it still needs; all needs of a round are then
fetched together (arXiv ids in one batched request, each service in its own thread). A claim's
logic is therefore a plain function of the answers, and a cached run replays it with no request.

A claim whose needed request failed for good is never turned into a possibly-wrong work: it keeps
the previous catalog's work when there is one, and is reported unresolved otherwise.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from . import keys as keymod
from . import match, venues
from .catalog import Catalog, EntryRef, Person, Provenance, Unresolved, Work, section_matches
from .sources import Lookup, Record, SearchResult

#: identifier kinds in links that a source can look up, and the source that does
LOOKUP_SOURCE = {"arxiv": "arxiv", "openreview": "openreview", "acl": "acl", "doi": "crossref"}
#: identifier kinds that name a work (used to tell works apart and to group duplicate entries)
IDENTITY_IDS = ("arxiv", "doi", "openreview", "acl")
#: precedence of published records, for each field (first that has a value wins)
PUBLISHED_ORDER = ("acl", "crossref", "openreview", "dblp")
_ACL_DOI = re.compile(r"^10\.18653/v1/(.+)$", re.I)


# --- knowledge: answers gathered so far -------------------------------------------------------


class Pending(Exception):
    """A claim needs answers that are not known yet (they have been registered)."""


@dataclass(frozen=True)
class Missing:
    reason: str


@dataclass(frozen=True)
class Failed:
    reason: str


Answer = Any  # Record | Missing | Failed | SearchResult


class Knowledge:
    """Answers by (source, op, key); needs registered during a round, fetched between rounds."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str, str], Answer] = {}
        self.needs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def get_all(self, wanted: Sequence[tuple[str, str, str]]) -> list[Answer]:
        missing = [w for w in wanted if w not in self.answers]
        if missing:
            for source, op, key in missing:
                self.needs[source][op].add(key)
            raise Pending()
        return [self.answers[w] for w in wanted]

    def get(self, source: str, op: str, key: str) -> Answer:
        return self.get_all([(source, op, key)])[0]

    def take_needs(self) -> dict[str, dict[str, set[str]]]:
        needs, self.needs = self.needs, defaultdict(lambda: defaultdict(set))
        return needs


# --- claims: one entry being resolved ------------------------------------------------------------


@dataclass
class EntryInfo:
    """What the resolver needs to know about a list entry (decoupled from the list parser)."""

    section: str
    line: int
    title: str
    ids: dict[str, str]
    code: list[str] = field(default_factory=list)
    tag_year: int | None = None
    tag_venue: str | None = None

    @classmethod
    def from_entry(cls, e) -> "EntryInfo":
        tag = e.tag
        return cls(section=e.section, line=e.line, title=e.title, ids=dict(e.ids), code=list(e.code),
                   tag_year=tag.year if tag else None, tag_venue=tag.venue if tag else None)


@dataclass
class Outcome:
    entry: EntryInfo
    records: dict[str, Record] = field(default_factory=dict)  # role -> record
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unresolved: str | None = None
    confidence: float | None = None  # of the title match, when the identity came from a search

    @property
    def ok(self) -> bool:
        return bool(self.records) and not self.failures and self.unresolved is None


class Claim:
    """The decision procedure for one entry, replayed each round against the known answers."""

    def __init__(self, entry: EntryInfo, weights: match.TitleWeights):
        self.entry = entry
        self.weights = weights

    # helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _lookup_key(kind: str, value: str) -> tuple[str, str, str]:
        if kind == "doi":
            m = _ACL_DOI.match(value)
            if m:  # the Anthology's own record is richer than Crossref's for its DOIs
                return ("acl", "lookup", m.group(1))
            return ("crossref", "lookup", value.lower())
        if kind == "arxiv":
            return ("arxiv", "lookup", re.sub(r"v\d+$", "", value))
        return (LOOKUP_SOURCE[kind], "lookup", value)

    def run(self, k: Knowledge) -> Outcome:
        e = self.entry
        out = Outcome(e)
        recs = out.records

        # 1. the entry's own identifiers
        link_ids = [(kind, v) for kind, v in sorted(e.ids.items()) if kind in LOOKUP_SOURCE]
        answers = k.get_all([self._lookup_key(kind, v) for kind, v in link_ids])
        for (kind, value), ans in zip(link_ids, answers):
            label = f"link {kind}:{value}"
            if isinstance(ans, Failed):
                out.failures.append(f"{label}: {ans.reason}")
            elif isinstance(ans, Missing):
                out.notes.append(f"{label}: {ans.reason}")
            else:
                # a paper being added has no list title yet: its identifier is all there is
                ok, sim = match.link_agrees(e.title, [ans.title], self.weights) if e.title else (True, 1.0)
                if ok:
                    self._accept(recs, ans)
                else:
                    out.notes.append(f"{label} points at another paper: {ans.title!r} (title agreement {sim:.2f})")
        if out.failures:
            return out

        # 2. no usable identifier: search by title
        searched_dblp = None
        if not recs:
            hit, best, searched_dblp = self._title_search(k, out)
            if out.failures or out.unresolved:
                return out
            if hit is None:
                why = "; ".join(out.notes) if out.notes else "no identifier in the links"
                if best is not None:
                    out.unresolved = f"{why}; no confident title match (best: {best[0]} {best[1]!r}, confidence {best[2]:.2f})"
                else:
                    out.unresolved = f"{why}; no title match at DBLP, Crossref or OpenReview"
                return out
            self._accept(recs, hit)

        # 3. complete: arXiv record, published version, publisher records
        self._complete(k, out, searched_dblp)
        return out

    def _accept(self, recs: dict[str, Record], rec: Record) -> None:
        role = rec.source
        if rec.source == "dblp":
            role = "dblp-corr" if rec.kind == "preprint" else "dblp"
        recs.setdefault(role, rec)

    def _titles(self, recs: dict[str, Record]) -> list[str]:
        return [r.title for r in recs.values()] + [self.entry.title]

    def _authors(self, recs: dict[str, Record]) -> list[Person]:
        for role in ("arxiv", "acl", "crossref", "openreview", "dblp", "dblp-corr"):
            if role in recs and recs[role].authors:
                return recs[role].authors
        return []

    def _title_search(self, k: Knowledge, out: Outcome):
        """DBLP, then Crossref, then OpenReview; the first confident hit wins."""
        e = self.entry
        best: tuple[str, str, float] | None = None
        dblp_query = match.search_words(e.title)
        for source, query in (("dblp", dblp_query), ("crossref", e.title), ("openreview", e.title)):
            if not query:
                continue
            res = k.get(source, "search", query)
            if res.failed:
                out.failures.append(f"{source} title search: {res.failed}")
                return None, best, None
            scored = []
            for r in res.records:
                if r.source == "openreview" and not r.published:
                    continue  # a rejected or pending submission is no version to cite
                s = match.score(r.title, [e.title], record_year=r.year, year=e.tag_year,
                                year_window=(-2, 1) if r.kind == "preprint" else (-1, 1))
                scored.append((s.confidence, r))
                if best is None or s.confidence > best[2]:
                    best = (source, r.title, s.confidence)
            accepted = [(c, r) for c, r in scored if c >= match.SEARCH_THRESHOLD]
            if accepted:
                accepted.sort(key=lambda cr: (-cr[0], _kind_rank(cr[1])))
                top_conf = accepted[0][0]
                tops = [r for c, r in accepted if c == top_conf]
                identities = {_identity(r) for r in tops}
                if len(identities) > 1 and not _same_work(tops):
                    out.unresolved = (f"ambiguous title: {len(identities)} different papers match "
                                      f"({', '.join(sorted(i for i in identities))})")
                    return None, best, res if source == "dblp" else None
                out.confidence = top_conf
                out.notes.append(f"matched by title at {source} (confidence {top_conf:.2f})")
                # prefer the preprint record as the anchor when DBLP has both: both get used below
                return tops[0], best, res if source == "dblp" else None
        return None, best, None

    def _complete(self, k: Knowledge, out: Outcome, dblp_res: SearchResult | None) -> None:
        recs = out.records
        # the arXiv record for a known arXiv id (e.g. from a DBLP CoRR hit)
        arxiv_id = _arxiv_of(recs)
        if arxiv_id and "arxiv" not in recs:
            self._follow(k, out, [("arxiv", "lookup", arxiv_id)])
            if out.failures:
                return
        # the DOI an arXiv submitter entered: a hint, verified against the publisher's record
        hint = recs["arxiv"].extra.get("doi") if "arxiv" in recs else None
        if hint and "acl" not in recs and "crossref" not in recs:
            self._follow(k, out, [Claim._lookup_key("doi", hint)])
            if out.failures:
                return
        # one DBLP search for the published version and the arXiv id, unless both are known
        # already (the Anthology record says all DBLP would; a Crossref record may lack the
        # Anthology id of a journal paper, which DBLP gives)
        if not (_arxiv_of(recs) and "acl" in recs):
            self._dblp_versions(k, out, dblp_res)
            if out.failures:
                return
            if not _arxiv_of(recs) and any(r.published for r in recs.values()):
                self._find_renamed_preprint(k, out)
                if out.failures:
                    return
        # the publisher's records for the identifiers now known
        ids = _ids_of(recs)
        wanted: list[tuple[str, str, str]] = []
        if ids.get("arxiv") and "arxiv" not in recs:
            wanted.append(("arxiv", "lookup", ids["arxiv"]))
        if ids.get("acl") and "acl" not in recs:
            wanted.append(("acl", "lookup", ids["acl"]))
        if ids.get("openreview") and "openreview" not in recs:
            wanted.append(("openreview", "lookup", ids["openreview"]))
        doi = ids.get("doi")
        if doi and "crossref" not in recs and not _ACL_DOI.match(doi):
            wanted.append(("crossref", "lookup", doi.lower()))
        self._follow(k, out, wanted)

    def _follow(self, k: Knowledge, out: Outcome, wanted: list[tuple[str, str, str]]) -> None:
        """Look up records by identifier and keep those that are this paper (title or authors agree)."""
        wanted = list(dict.fromkeys(wanted))
        if not wanted:
            return
        recs = out.records
        answers = k.get_all(wanted)
        titles = self._titles(recs)
        for (source, _, key), ans in zip(wanted, answers):
            if isinstance(ans, Failed):
                out.failures.append(f"{source} {key}: {ans.reason}")
            elif isinstance(ans, Record):
                if source == "openreview" and not ans.published:
                    continue  # a rejected or pending submission is no version to cite
                s = match.score(ans.title, titles, record_authors=ans.authors, authors=self._authors(recs))
                if s.confidence >= match.VERSION_THRESHOLD or (s.title >= 0.5 and s.authors is not None and s.authors >= 0.75):
                    recs.setdefault(source, ans)
                else:
                    out.notes.append(f"{source} {key} names another paper ({ans.title!r}); not used")

    def _dblp_versions(self, k: Knowledge, out: Outcome, dblp_res: SearchResult | None) -> None:
        """The CoRR record (arXiv id) and the published record among one DBLP search's hits."""
        recs = out.records
        if dblp_res is None:
            base = _best_title(recs) or self.entry.title
            dblp_res = k.get("dblp", "search", match.search_words(base))
        if dblp_res.failed:
            out.failures.append(f"dblp search: {dblp_res.failed}")
            return
        titles = self._titles(recs)
        authors = self._authors(recs)
        arxiv_year = recs["arxiv"].year if "arxiv" in recs else None
        known_ids = _ids_of(recs)
        corr, pub = None, None
        corr_best, pub_best = 0.0, 0.0
        for r in dblp_res.records:
            shared = any(known_ids.get(kind) and r.ids.get(kind, "").lower() == known_ids[kind].lower()
                         for kind in ("arxiv", "doi", "acl", "openreview"))
            if r.kind == "preprint":
                if known_ids.get("arxiv"):
                    if r.ids.get("arxiv") == known_ids["arxiv"]:
                        corr = r
                    continue
                s = match.score(r.title, titles, record_authors=r.authors, authors=authors)
                if s.confidence >= match.VERSION_THRESHOLD and s.confidence > corr_best:
                    corr, corr_best = r, s.confidence
            elif r.published:
                if shared:
                    pub, pub_best = r, 2.0
                    continue
                s = match.score(r.title, titles, record_authors=r.authors, authors=authors,
                                record_year=r.year, year=arxiv_year, year_window=(0, 3))
                if (s.authors is None or s.authors >= 0.5) and s.confidence >= match.VERSION_THRESHOLD:
                    if s.confidence > pub_best or (s.confidence == pub_best and pub is not None and _kind_rank(r) < _kind_rank(pub)):
                        pub, pub_best = r, s.confidence
        if corr is not None:
            recs.setdefault("dblp-corr", corr)
        if pub is not None:
            recs.setdefault("dblp", pub)

    def _find_renamed_preprint(self, k: Knowledge, out: Outcome) -> None:
        """A published paper whose preprint DBLP did not return: the title may have changed.

        Papers gain or lose their system name ("SeCom: On Memory ...") or change the subtitle
        ("PAL: Pluralistic Alignment Framework ..." became "PAL: Sample-Efficient ..."). Two more
        DBLP queries, only for published works with a "Name: subtitle" title: the subtitle alone,
        then the name with the first author. A preprint found this way must share the name (or
        nearly the whole title) *and* the authors, and come no later than the publication.
        """
        recs = out.records
        title = _best_title(recs) or self.entry.title
        name = match.acronym(title)
        if not name:
            return
        authors = self._authors(recs)
        pub_year = next((r.year for r in recs.values() if r.published and r.year), None)
        queries = [match.search_words(title.partition(":")[2])]
        if authors:
            queries.append(f"{name} {match.search_words(authors[0].family) or authors[0].family}")
        for q in dict.fromkeys(q for q in queries if q):
            res = k.get("dblp", "search", q)
            if res.failed:
                out.failures.append(f"dblp search: {res.failed}")
                return
            for r in res.records:
                if r.kind != "preprint" or not r.ids.get("arxiv"):
                    continue
                s = match.score(r.title, self._titles(recs), record_authors=r.authors, authors=authors)
                same_name = match.acronym(r.title) == name
                if pub_year is not None and r.year is not None and r.year > pub_year:
                    continue
                if s.authors is not None and s.authors >= 0.75 and (same_name or s.title >= match.VERSION_THRESHOLD):
                    recs.setdefault("dblp-corr", r)
                    out.notes.append(f"preprint found under another title: {r.title!r}")
                    return


def _kind_rank(r: Record) -> int:
    return {"conference": 0, "journal": 0, "workshop": 1}.get(r.kind or "", 2)


def _identity(r: Record) -> str:
    for kind in IDENTITY_IDS:
        if r.ids.get(kind):
            return f"{kind}:{r.ids[kind]}"
    return f"{r.source}:{r.key}"


def _same_work(records: list[Record]) -> bool:
    """Several hits with the same title from one search: the same work seen twice (e.g. CoRR and
    the proceedings) when at most one of them is a preprint and they share authors."""
    preprints = [r for r in records if r.kind == "preprint"]
    if len(preprints) > 1 or len([r for r in records if r.published]) > 1:
        return False
    first = records[0]
    return all(match.author_agreement(first.authors, r.authors) in (None, 1.0) or
               (match.author_agreement(first.authors, r.authors) or 0) >= 0.5 for r in records[1:])


def _arxiv_of(recs: dict[str, Record]) -> str | None:
    for role in ("arxiv", "dblp-corr"):
        if role in recs and recs[role].ids.get("arxiv"):
            return recs[role].ids["arxiv"]
    return None


def _ids_of(recs: dict[str, Record]) -> dict[str, str]:
    out: dict[str, str] = {}
    for role in ("arxiv", "acl", "crossref", "openreview", "dblp", "dblp-corr"):
        r = recs.get(role)
        if r is None:
            continue
        for kind in ("arxiv", "doi", "acl", "openreview", "pmlr"):
            v = r.ids.get(kind)
            if v and kind not in out:
                if role == "dblp-corr" and kind != "arxiv":
                    continue
                out[kind] = v
    return out


def _best_title(recs: dict[str, Record]) -> str | None:
    for role in ("acl", "crossref", "openreview", "dblp", "arxiv", "dblp-corr"):
        if role in recs:
            return recs[role].title
    return None


# --- the engine -------------------------------------------------------------------------------------


class Sources:
    """The five sources of one run, sharing one Http client."""

    def __init__(self, http, urls: dict[str, str]):
        from .sources.acl import AclSource
        from .sources.arxiv import ArxivSource
        from .sources.crossref import CrossrefSource
        from .sources.dblp import DblpSource
        from .sources.openreview import OpenReviewSource

        self.http = http
        self.by_name = {
            "arxiv": ArxivSource(http, urls["arxiv"]),
            "crossref": CrossrefSource(http, urls["crossref"]),
            "dblp": DblpSource(http, urls["dblp"]),
            "openreview": OpenReviewSource(http, urls["openreview"]),
            "acl": AclSource(http, urls["acl"]),
        }

    @classmethod
    def from_config(cls, config, http) -> "Sources":
        return cls(http, {name: config.source_url(name) for name in ("arxiv", "crossref", "dblp", "openreview", "acl")})

    def __getitem__(self, name: str):
        return self.by_name[name]


def fetch(sources: Sources, needs: dict[str, dict[str, set[str]]], k: Knowledge) -> None:
    """Answer one round's needs: each service in its own thread, lookups batched per service."""
    lock = threading.Lock()

    def work(source_name: str, ops: dict[str, set[str]]) -> None:
        src = sources[source_name]
        results: dict[tuple[str, str, str], Answer] = {}
        keys = sorted(ops.get("lookup", ()))
        if keys:
            lk: Lookup = src.lookup(keys)
            for key in keys:
                nk = src.normalize_key(key)
                if nk in lk.found:
                    results[(source_name, "lookup", key)] = lk.found[nk]
                elif nk in lk.missing:
                    results[(source_name, "lookup", key)] = Missing(lk.missing[nk])
                else:
                    results[(source_name, "lookup", key)] = Failed(lk.failed.get(nk, "no answer"))
        for q in sorted(ops.get("search", ())):
            results[(source_name, "search", q)] = src.search(q)
        with lock:
            k.answers.update(results)

    items = sorted(needs.items())
    if len(items) == 1:
        work(*items[0])
        return
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        for f in [pool.submit(work, name, ops) for name, ops in items]:
            f.result()


#: services asked only when no other service has work left in a round (batching beats latency)
DEFERRED = frozenset({"arxiv"})


def run_claims(entries: Sequence[EntryInfo], sources: Sources, weights: match.TitleWeights,
               progress: Callable[[int, int], None] | None = None, max_rounds: int = 40) -> list[Outcome]:
    """Resolve every entry; returns one Outcome per entry, in order."""
    k = Knowledge()
    claims = [Claim(e, weights) for e in entries]
    outcomes: list[Outcome | None] = [None] * len(claims)
    for _ in range(max_rounds):
        for i, c in enumerate(claims):
            if outcomes[i] is not None:
                continue
            try:
                outcomes[i] = c.run(k)
            except Pending:
                pass  # its needs are registered; answered next round
        if progress:
            progress(sum(o is not None for o in outcomes), len(claims))
        needs = k.take_needs()
        if not needs:
            break
        # a rate-limited service (arXiv: one request per 3 s) waits until nothing else can make
        # progress, so that its ids pile up into as few batched requests as possible; the claims
        # that need it register the same needs again next round
        cheap = {s: ops for s, ops in needs.items() if s not in DEFERRED}
        fetch(sources, cheap or needs, k)
    for i, o in enumerate(outcomes):
        if o is None:  # pragma: no cover - a claim needing more rounds than any real case
            outcomes[i] = Outcome(entries[i], unresolved="resolution did not settle")
    return outcomes  # type: ignore[return-value]


# --- merge: records -> work ---------------------------------------------------------------------------


def _prov(rec: Record, suffix: str = "") -> Provenance:
    return Provenance(rec.source + suffix, rec.retrieved or "unknown")


def _miscased(name: str) -> bool:
    """A name word typed in lower case ("Wenhao yang"); particles such as "van" are fine."""
    from .keys import default_rules

    return any(w[:1].islower() and w.lower() not in default_rules().particles for w in name.split())


def _better_cased(authors: list[Person], alternatives: list[list[Person]]) -> list[Person]:
    """Keep the chosen author list, but take a name's capitalisation from another version of the
    record when that version writes the same name properly ("yang" -> "Yang")."""
    out = []
    for person in authors:
        if _miscased(person.family) or _miscased(person.given):
            for alt in (p for lst in alternatives for p in lst):
                if (alt.family.lower(), alt.given.lower()) == (person.family.lower(), person.given.lower()) \
                        and not (_miscased(alt.family) or _miscased(alt.given)):
                    person = alt
                    break
        out.append(person)
    return out


def merge(records: dict[str, Record]) -> Work:
    """One work from the records of its versions (published record wins, arXiv id kept)."""
    w = Work(key="", title="")
    p = w.provenance
    pubs = [records[r] for r in PUBLISHED_ORDER if r in records and records[r].published]
    arx = records.get("arxiv")
    corr = records.get("dblp-corr")

    def first(attr: str, recs: Iterable[Record]):
        for r in recs:
            v = getattr(r, attr)
            if v:
                return v, r
        return None, None

    # venue: the first published record whose venue the table knows, by source authority
    info, vrec = None, None
    for role in ("openreview", "acl", "crossref", "dblp"):
        r = records.get(role)
        if r is None or not r.published:
            continue
        raw = r.extra.get("venueid") if role == "openreview" else (r.container or r.venue_raw if role == "crossref" else r.venue_raw)
        info = venues.identify(role, raw, r.year, ee=r.extra.get("ee", ()))
        if info is None and role == "crossref" and r.venue_raw:
            info = venues.identify(role, r.venue_raw, r.year)
        if info is not None:
            vrec = r
            break
    if info is None and pubs:
        vrec = pubs[0]
        info = venues.unknown(vrec.venue_raw or vrec.container or "unknown venue", vrec.year, vrec.kind)

    if pubs:
        title, trec = first("title", pubs)
        year_rec = next((records[r] for r in ("acl", "openreview", "dblp", "crossref") if r in records and records[r].published and records[r].year), None)
        w.kind = info.kind if info else (pubs[0].kind or "conference")
        w.venue, w.venue_short = info.id, info.short
        p["kind"] = p["venue"] = p["venue_short"] = _prov(vrec, "+venues" if info.known else "")
        if year_rec:
            w.year = year_rec.year
            p["year"] = _prov(year_rec)
            if year_rec.month:
                w.month = year_rec.month
                p["month"] = _prov(year_rec)
            else:
                m, mrec = first("month", [r for r in pubs if r.year == w.year])
                if m:
                    w.month, p["month"] = m, _prov(mrec)
        # container
        src_container, crec = first("container", [r for r in pubs if r.source != "dblp"])
        if info.container and (info.container_from == "table" or not src_container):
            w.container, p["container"] = info.container, _prov(vrec, "+venues")
        elif src_container:
            w.container, p["container"] = src_container, _prov(crec)
        # volume: the table's (NeurIPS, ICML, AAAI) or the publisher's
        vol, volrec = first("volume", [r for r in pubs if r.kind == "journal" or r.source in ("acl", "crossref")])
        if info.volume:
            w.volume, p["volume"] = info.volume, _prov(vrec, "+venues")
        elif vol:
            w.volume, p["volume"] = vol, _prov(volrec)
        num, numrec = first("number", [r for r in pubs if w.kind == "journal"])
        if num:
            w.number, p["number"] = num, _prov(numrec)
        pages, prec = first("pages", pubs)
        if pages:
            w.pages, p["pages"] = pages, _prov(prec)
        pubr = records.get("acl") if records.get("acl") and records["acl"].publisher else None
        if pubr is not None:
            w.publisher, p["publisher"] = pubr.publisher, _prov(pubr)
        elif info.publisher:
            w.publisher, p["publisher"] = info.publisher, _prov(vrec, "+venues")
        else:
            pb, pbrec = first("publisher", pubs)
            if pb:
                w.publisher, p["publisher"] = pb, _prov(pbrec)
        addr, arec = first("address", pubs)
        if addr:
            w.address, p["address"] = addr, _prov(arec)
    else:
        # no published version: the preprint; failing that, whatever version there is (an
        # OpenReview submission that was not accepted is cited as "other", never as a venue)
        trec = arx or corr or next(iter(records.values()), None)
        title = trec.title if trec else ""
        w.kind = "preprint" if (arx or corr) else "other"
        if trec is not None:
            p["kind"] = _prov(trec)
        yrec = trec
        if yrec is not None and yrec.year:
            w.year, p["year"] = yrec.year, _prov(yrec)
            if yrec.month:
                w.month, p["month"] = yrec.month, _prov(yrec)
    if not title and arx:
        title, trec = arx.title, arx
    w.title = title or ""
    if trec is not None:
        p["title"] = _prov(trec)

    # authors: the publisher's list, else arXiv's, else DBLP's
    order = [records[r] for r in ("acl", "crossref", "openreview") if r in records and records[r].published]
    order += [r for r in (arx, records.get("dblp") if records.get("dblp") and records["dblp"].published else None, corr) if r]
    authors, arec = first("authors", order)
    if authors:
        w.authors, p["authors"] = _better_cased(list(authors), [r.authors for r in order if r.authors]), _prov(arec)

    # identifiers, each with its own provenance ("ids.doi")
    ids: dict[str, str] = {}

    def put_id(kind: str, value: str, rec: Record) -> None:
        ids[kind] = value
        p[f"ids.{kind}"] = _prov(rec)

    if arx is not None:
        put_id("arxiv", arx.ids["arxiv"], arx)
    elif corr is not None and corr.ids.get("arxiv"):
        put_id("arxiv", corr.ids["arxiv"], corr)
    for role in ("acl", "crossref", "dblp"):
        r = records.get(role)
        if r is not None and r.published and r.ids.get("doi"):
            put_id("doi", r.ids["doi"], r)
            break
    for kind, roles in (("acl", ("acl", "dblp")), ("openreview", ("openreview",)), ("pmlr", ("dblp",))):
        for role in roles:
            r = records.get(role)
            if r is not None and r.ids.get(kind) and (role != "dblp" or r.published):
                put_id(kind, r.ids[kind], r)
                break
    if records.get("dblp") and records["dblp"].published:
        put_id("dblp", records["dblp"].key, records["dblp"])
    elif corr is not None:
        put_id("dblp", corr.key, corr)
    w.ids = ids
    w.arxiv_class = arx.arxiv_class if arx else None
    if w.arxiv_class:
        p["arxiv_class"] = _prov(arx)

    # landing page: the published version's, else arXiv's
    url = None
    for role in ("acl", "openreview", "dblp", "crossref"):
        r = records.get(role)
        if r is not None and r.published and r.url:
            url, p["url"] = r.url, _prov(r)
            break
    if url is None and ids.get("arxiv"):
        url = f"https://arxiv.org/abs/{ids['arxiv']}"
        p["url"] = _prov(arx or corr)
    w.url = url
    return w


# --- from outcomes to a catalog ----------------------------------------------------------------------


@dataclass
class Summary:
    entries: int = 0
    works: int = 0
    resolved_entries: int = 0
    published: int = 0
    upgraded: int = 0  # works whose list entries cite only the preprint, found published
    unresolved: int = 0
    kept_previous: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    changed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _union_groups(items: list[set[str]]) -> list[list[int]]:
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, ids in enumerate(items):
        for x in sorted(ids):
            if x in owner:
                a, b = find(i), find(owner[x])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[x] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    return [groups[g] for g in sorted(groups)]


def _identity_ids(ids: dict[str, str]) -> set[str]:
    return {f"{k}:{ids[k].lower()}" for k in IDENTITY_IDS if ids.get(k)}


def _entry_ref(e: EntryInfo) -> tuple[str, str]:
    return (e.section, e.title)


def build_catalog(
    outcomes: Sequence[Outcome],
    *,
    previous: Catalog | None = None,
    sections: dict[str, str] | None = None,
    list_path: str | None = None,
    carried: Sequence[EntryInfo] = (),
    reserved_keys: Iterable[str] = (),
    rekey: bool = False,
    key_rules: keymod.KeyRules | None = None,
) -> tuple[Catalog, Summary]:
    """Turn outcomes into the catalog: group duplicates, merge, keep pinned keys and provenance.

    ``carried`` entries were not resolved this run (outside ``--section``): their previous work
    (or previous unresolved reason) is kept as it was.
    """
    previous = previous or Catalog()
    prev_by_ref: dict[tuple[str, str], Work] = {}
    for w in previous.works:
        for ref in w.entries:
            prev_by_ref.setdefault((ref.section, ref.title), w)
    prev_unres = {(u.section, u.title): u for u in previous.unresolved}
    summary = Summary(entries=len(outcomes) + len(carried))

    fresh: list[tuple[dict[str, Record], list[EntryInfo]]] = []
    keep_prev: dict[int, tuple[Work, list[EntryInfo]]] = {}  # id(prev work) -> (work, entries)
    unresolved: list[Unresolved] = []

    def keep_or_unresolve(e: EntryInfo, reason: str, is_failure: bool) -> None:
        """A failed run never degrades the catalog: what the last complete run said stands."""
        pw = prev_by_ref.get(_entry_ref(e))
        pu = prev_unres.get(_entry_ref(e))
        if is_failure and pw is not None:
            keep_prev.setdefault(id(pw), (pw, []))[1].append(e)
            summary.kept_previous += 1
        elif is_failure and pu is not None:
            unresolved.append(Unresolved(e.section, e.title, pu.reason, e.line))
            summary.kept_previous += 1
        else:
            unresolved.append(Unresolved(e.section, e.title, reason, e.line))

    for o in outcomes:
        if o.failures:
            keep_or_unresolve(o.entry, "could not complete: " + "; ".join(o.failures), True)
        elif o.unresolved or not o.records:
            keep_or_unresolve(o.entry, o.unresolved or "no record found", False)
        else:
            fresh.append((o.records, [o.entry]))
    for e in carried:
        pw = prev_by_ref.get(_entry_ref(e))
        if pw is not None:
            keep_prev.setdefault(id(pw), (pw, []))[1].append(e)
        else:
            u = prev_unres.get(_entry_ref(e))
            unresolved.append(Unresolved(e.section, e.title, u.reason if u else "not resolved yet (outside the --section run)", e.line))

    # group fresh claims that name the same work (duplicate entries, different links)
    id_sets = [_identity_ids(_ids_of(recs)) for recs, _ in fresh]
    works: list[Work] = []
    merged_groups: list[tuple[Work, list[EntryInfo]]] = []
    for group in _union_groups(id_sets):
        records: dict[str, Record] = {}
        entries: list[EntryInfo] = []
        # the claim with the most records leads; others fill roles it lacks
        for i in sorted(group, key=lambda i: (-len(fresh[i][0]), i)):
            for role, r in fresh[i][0].items():
                records.setdefault(role, r)
            entries.extend(fresh[i][1])
        merged_groups.append((merge(records), entries))

    # previous works kept because their refresh failed (or lay outside --section)
    for pw, entries in keep_prev.values():
        ids = _identity_ids(pw.ids)
        target = next((w for w, _ in merged_groups if _identity_ids(w.ids) & ids), None)
        if target is not None:
            next(es for w, es in merged_groups if w is target).extend(entries)
            continue
        copy = Work.from_json(pw.to_json())
        merged_groups.append((copy, entries))

    for w, entries in merged_groups:
        refs = {(e.section, e.title) for e in entries}
        w.entries = [EntryRef(s, t) for s, t in sorted(refs)]
        w.sections = sorted({e.section for e in entries})
        w.code = sorted({c for e in entries for c in e.code})
        works.append(w)

    _pin_keys(works, previous, rekey, reserved_keys, key_rules)
    _keep_provenance(works, previous)
    cat = Catalog(works=works, sections=dict(sections or previous.sections), unresolved=_dedupe_unresolved(unresolved),
                  list_path=list_path if list_path is not None else previous.list_path)
    summary.works = len(works)
    summary.resolved_entries = sum(len(w.entries) for w in works)
    summary.unresolved = len(cat.unresolved)
    summary.published = sum(1 for w in works if w.published)
    summary.upgraded = sum(1 for w, es in merged_groups if w.published and _cites_preprint_only(es))
    return cat, summary


def _cites_preprint_only(entries: list[EntryInfo]) -> bool:
    """Every list entry of the work cites it as a preprint (arXiv tag, or only an arXiv link)."""
    for e in entries:
        arxiv_tag = (e.tag_venue or "").lower() == "arxiv"
        only_arxiv = bool(e.ids) and set(e.ids) <= {"arxiv"}
        if not (arxiv_tag or only_arxiv):
            return False
    return bool(entries)


def _dedupe_unresolved(items: list[Unresolved]) -> list[Unresolved]:
    seen: set[tuple] = set()
    out = []
    for u in items:
        k = (u.section, u.title, u.line)
        if k not in seen:
            seen.add(k)
            out.append(u)
    return out


def _pin_keys(works: list[Work], previous: Catalog, rekey: bool, reserved: Iterable[str],
              rules: keymod.KeyRules | None) -> None:
    """Keys once written never move: a work takes the key of the previous work it continues."""
    reserved = set(reserved)
    if rekey:
        for w in works:
            w.key = ""
        keymod.assign(works, reserved, rules)
        return
    by_id: dict[str, Work] = {}
    by_ref: dict[tuple[str, str], Work] = {}
    for pw in previous.works:
        for x in _identity_ids(pw.ids):
            by_id.setdefault(x, pw)
        for r in pw.entries:
            by_ref.setdefault((r.section, r.title), pw)
    used: set[str] = set()
    for w in sorted(works, key=lambda w: (w.key or "~", sorted(_identity_ids(w.ids)), w.title)):
        prev = w.key and next((pw for pw in previous.works if pw.key == w.key), None)
        if not prev:
            prev = next((by_id[x] for x in sorted(_identity_ids(w.ids)) if x in by_id), None)
        if prev is None:
            prev = next((by_ref[(r.section, r.title)] for r in w.entries if (r.section, r.title) in by_ref), None)
        if prev is not None and prev.key not in used:
            w.key = prev.key
            used.add(prev.key)
        else:
            w.key = ""
    # keys of previous works that no longer exist stay out of reach for one run, so a LaTeX
    # document citing a removed paper does not silently cite a new one under its key
    keymod.assign(works, reserved | ({pw.key for pw in previous.works} - used), rules)


def _keep_provenance(works: list[Work], previous: Catalog) -> None:
    """A field whose value did not change keeps its old provenance (so a re-run changes no byte)."""
    prev = previous.by_key()
    for w in works:
        pw = prev.get(w.key)
        if pw is None:
            continue
        for name, pv in pw.provenance.items():
            if name in w.provenance and field_value(w, name) == field_value(pw, name):
                w.provenance[name] = pv


def field_value(work: Work, name: str) -> Any:
    """A work's value for a provenance name: a field ("title") or one identifier ("ids.doi")."""
    if name.startswith("ids."):
        return work.ids.get(name[4:])
    return getattr(work, name, None)


# --- the whole run ----------------------------------------------------------------------------------


def entry_infos(doc, section_filter: Sequence[str] | None = None) -> tuple[list[EntryInfo], list[EntryInfo]]:
    """(entries to resolve, entries carried over) for a parsed list and an optional section filter."""
    todo, carried = [], []
    for e in doc.entries:
        info = EntryInfo.from_entry(e)
        if section_filter and not any(section_matches(e.section, s.strip().rstrip(".")) for s in section_filter):
            carried.append(info)
        else:
            todo.append(info)
    return todo, carried


def resolve_list(doc, sources: Sources, *, previous: Catalog | None = None, section_filter=None,
                 rekey: bool = False, reserved_keys: Iterable[str] = (), list_path: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[Catalog, Summary, list[Outcome]]:
    todo, carried = entry_infos(doc, section_filter)
    weights = match.TitleWeights(e.title for e in doc.entries)
    outcomes = run_claims(todo, sources, weights, progress)
    sections = {s.key: s.title for s in doc.sections if s.number}
    cat, summary = build_catalog(outcomes, previous=previous, sections=sections, list_path=list_path,
                                 carried=carried, reserved_keys=reserved_keys, rekey=rekey)
    http = sources.http
    summary.requests = dict(sorted(http.requests.items()))
    summary.retries = dict(sorted(http.retried.items()))
    summary.cache_hits = dict(sorted(http.cache_hits.items()))
    summary.failures = dict(sorted(http.failures.items()))
    return cat, summary, outcomes


def lookup_identifier(ids: dict[str, str], config, *, offline: bool = False) -> Work | None:
    """Resolve one paper by identifier (for ``plmcite add``): its merged work, or None.

    Uses the same sources, cache and politeness as ``plmcite resolve``.
    """
    from .http import Cache, Http, HttpSettings, default_cache_dir

    info = EntryInfo(section="", line=0, title="", ids=dict(ids))
    with Http(HttpSettings.from_config(config), cache=Cache(default_cache_dir()), offline=offline) as http:
        sources = Sources.from_config(config, http)
        outcome = run_claims([info], sources, match.TitleWeights([]))[0]
    if not outcome.ok:
        return None
    return merge(outcome.records)
