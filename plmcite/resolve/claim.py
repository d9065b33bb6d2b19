"""The decision procedure for one list entry: identifiers first, then title search, then completion.

The resolver works the way a careful survey author does, per entry:

1. look up every identifier the entry's links carry (arXiv, OpenReview, ACL Anthology, DOI) and
   keep a record only if its title agrees with the entry's (a link may point at another paper);
2. with no usable identifier, search by title (in the order of ``roles.toml [search]``) and
   accept a hit only above a confidence threshold (``plmcite.match``): below it the entry stays
   unresolved, with the reason;
3. complete the picture: one DBLP search for the published version (venue, year, pages, DOI) and
   the arXiv id, then the publisher's own record (Anthology, Crossref, OpenReview) for what DBLP
   points at.

``Claim.run`` is replayed every round against the answers known so far (``engine``); it raises
``Pending`` when it needs more, and returns an :class:`Outcome` (the records by role) when done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import match, venues
from ..model import EntryRef, Kind, Record
from .engine import Failed, Knowledge, Missing
from .roles import (
    ROLES,
    Records,
    identity,
    is_submission,
    kind_rank,
    lookup_key,
    role_of,
    venue_of,
)
from .versions import VersionFinder, hint_lookups


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
    titled: bool = True  # False when the list names the paper instead ("FGSM (Goodfellow et al., 2015)")

    @property
    def ref(self) -> EntryRef:
        return EntryRef(self.section, self.title)

    @classmethod
    def from_entry(cls, e) -> "EntryInfo":
        tag = e.tag
        return cls(section=e.section, line=e.line, title=e.title, ids=dict(e.ids), code=list(e.code),
                   tag_year=tag.year if tag else None, tag_venue=tag.venue if tag else None,
                   titled=getattr(e, "titled", True))


@dataclass
class Outcome:
    entry: EntryInfo
    records: Records = field(default_factory=dict)  # role -> record
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unresolved: str | None = None
    confidence: float | None = None  # of the title match, when the identity came from a search
    nearest: "Nearest | None" = None  # a near-miss title found by search (the entry stays unresolved)
    failed_sources: set[str] = field(default_factory=set)  # services whose needed answer failed
    hint: Record | None = None  # what the identifying service (Semantic Scholar) knows of the paper

    def fail(self, source: str, message: str) -> None:
        """A needed answer could not be had: the entry is not checked this run."""
        self.failures.append(message)
        self.failed_sources.add(source)

    @property
    def ok(self) -> bool:
        return bool(self.records) and not self.failures and self.unresolved is None


@dataclass(frozen=True)
class Nearest:
    """The closest paper a title search found when none had the entry's title."""

    source: str
    record: Record
    similarity: float

    def ids(self) -> dict[str, str]:
        return {k: v for k, v in self.record.ids.items() if k in ROLES.identity}

    def differs(self, entry_title: str) -> str:
        mine, theirs = match.word_difference(entry_title, self.record.title)
        return f"{' '.join(mine) or '(nothing)'} -> {' '.join(theirs) or '(nothing)'}"

    def to_json(self, entry_title: str) -> dict:
        """What the catalog keeps of it, for lint's "did you mean"."""
        return {"title": self.record.title, "ids": self.ids() or {self.source: self.record.key},
                "differs": self.differs(entry_title)}

    def describe(self) -> str:
        ids = ", ".join(f"{k}:{v}" for k, v in sorted(self.ids().items())) or f"{self.source}:{self.record.key}"
        return f"{self.record.title!r} [{ids}] at {self.source} (similarity {self.similarity:.2f})"


class Claim(VersionFinder):
    """The decision procedure for one entry, replayed each round against the known answers."""

    def __init__(self, entry: EntryInfo, weights: match.TitleWeights):
        self.entry = entry
        self.weights = weights

    # helpers ------------------------------------------------------------------------------------

    def run(self, k: Knowledge) -> Outcome:
        e = self.entry
        out = Outcome(e)
        recs = out.records

        # 1. the entry's own identifiers, and what the identifying service knows of them (asked
        # for every entry in the same round: one batched request for the whole list)
        link_ids = [(kind, v) for kind, v in sorted(e.ids.items()) if kind in ROLES.lookup]
        hint_ids = [kind_v for kind_v in link_ids if kind_v[0] in ROLES.identify_kinds]
        answers = k.get_all([lookup_key(kind, v) for kind, v in link_ids] + [_hint_key(kind, v) for kind, v in hint_ids])
        hints = answers[len(link_ids):]
        out.hint = next((h for h in hints if isinstance(h, Record)), None)
        for (kind, value), ans in zip(link_ids, answers):
            label = f"link {kind}:{value}"
            if isinstance(ans, Failed):
                out.fail(lookup_key(kind, value)[0], f"{label}: {ans.reason}")
            elif isinstance(ans, Missing):
                out.notes.append(f"{label}: {ans.reason}")
            else:
                # an entry being added has no list title yet, and an untitled one names the paper
                # ("FGSM (Goodfellow et al., 2015)"): its identifier is all there is
                ok, sim = match.link_agrees(e.title, [ans.title], self.weights) if e.title and e.titled else (True, 1.0)
                if ok:
                    self._accept(recs, ans)
                else:
                    out.notes.append(f"{label} points at another paper: {ans.title!r} (title agreement {sim:.2f})")
        if out.failures:
            return out

        # 2. no usable identifier: search by title
        searched_dblp = None
        if not recs and not e.titled:  # "FGSM (Goodfellow et al., 2015)" is a name, not a title to search
            why = "; ".join(out.notes) if out.notes else "no identifier in the links"
            out.unresolved = f"{why}; the list names the paper ({e.title!r}) but gives no title to search by"
            return out
        if not recs:
            hit, nearest, searched_dblp = self._title_search(k, out)
            if out.failures or out.unresolved:
                return out
            if hit is None:
                why = "; ".join(out.notes) if out.notes else "no identifier in the links"
                if nearest is not None and nearest.similarity >= match.NEAR_MISS:
                    out.nearest = nearest
                    out.unresolved = f"{why}; no paper has this title; nearest: {nearest.describe()}"
                elif nearest is not None:
                    out.unresolved = (f"{why}; no confident title match (best: {nearest.source} "
                                      f"{nearest.record.title!r}, similarity {nearest.similarity:.2f})")
                else:
                    out.unresolved = f"{why}; no title match at {_names(ROLES.search)}"
                return out
            if hit.source == ROLES.identify:  # a hint: the records it points at are the versions
                out.hint = hit
                self._follow(k, out, hint_lookups(recs, hit))
                if out.failures:
                    return out
                if not recs:
                    out.hint = None  # none of them checks out: search the other services
                    hit, nearest, searched_dblp = self._title_search(k, out, skip=ROLES.identify)
                    if out.failures or out.unresolved:
                        return out
                    if hit is None:
                        out.unresolved = "no identifier in the links; the title's paper at Semantic Scholar has no record to check it by"
                        return out
                    self._accept(recs, hit)
            else:
                self._accept(recs, hit)

        # 3. complete: arXiv record, published version, publisher records
        self._complete(k, out, searched_dblp)
        return out

    def _accept(self, recs: Records, rec: Record) -> None:
        recs.setdefault(role_of(rec), rec)

    def _titles(self, recs: Records) -> list[str]:
        return [r.title for r in recs.values()] + [self.entry.title]

    def _title_search(self, k: Knowledge, out: Outcome, skip: str | None = None):
        """The sources of ``roles.toml [search]`` in order; the first hit whose title is the
        entry's (in form: ``match.same_form``) wins. Returns (hit, nearest candidate, DBLP result)."""
        e = self.entry
        nearest: Nearest | None = None
        # the index takes significant words (it matches all of them); the others the whole title
        queries = [(source, match.search_words(e.title) if source == ROLES.index else e.title)
                   for source in ROLES.search if source != skip]
        for source, query in _with_tail_query(queries, e.title):
            if source is None:  # nothing found yet: the tail words find a title that differs up front
                if nearest is not None and nearest.similarity >= match.NEAR_MISS:
                    break
                source = ROLES.index
            if not query:
                continue
            res = k.get(source, "search", query)
            if res.failed:
                out.fail(source, f"{source} title search: {res.failed}")
                return None, nearest, None
            scored = []
            for r in res.records:
                if is_submission(r):
                    continue  # a rejected or pending submission is no version to cite
                window = (-2, 1) if r.kind == "preprint" else (-1, 1)
                if self._title_agrees(r):  # the same title: only the year can still speak against it
                    s = match.score(e.title, [e.title], record_year=r.year, year=e.tag_year, year_window=window)
                    scored.append((s.confidence, r))
                    continue
                sim = match.title_similarity(r.title, e.title)
                if nearest is None or sim > nearest.similarity:
                    nearest = Nearest(source, r, sim)
            accepted = [(c, r) for c, r in scored if c >= match.SEARCH_THRESHOLD]
            if accepted:
                accepted.sort(key=lambda cr: (-cr[0], kind_rank(cr[1])))
                top_conf = accepted[0][0]
                tops = [r for c, r in accepted if c == top_conf]
                identities = {identity(r) for r in tops}
                if len(identities) > 1 and not _same_work(tops):
                    out.unresolved = (f"ambiguous title: {len(identities)} different papers match "
                                      f"({', '.join(sorted(i for i in identities))})")
                    return None, nearest, res if source == ROLES.index else None
                out.confidence = top_conf
                out.notes.append(f"matched by title at {source} (confidence {top_conf:.2f})")
                # prefer the preprint record as the anchor when DBLP has both: both get used below
                return tops[0], nearest, res if source == ROLES.index else None
            for c, r in scored:  # the right title, but an implausible year: still the nearest
                if nearest is None or nearest.similarity < 1.0:
                    nearest = Nearest(source, r, 1.0)
        return None, nearest, None

    def _title_agrees(self, r: Record) -> bool:
        """The record's title is the entry's: equal in form, or one without the other's subtitle
        where the list's tag confirms year and venue (the list gives no authors to compare)."""
        e = self.entry
        if match.same_form(r.title, e.title):
            return True
        return match.drops_subtitle(r.title, e.title) and self._tag_confirms(r)

    def _tag_confirms(self, r: Record) -> bool:
        e = self.entry
        if e.tag_year is None or r.year is None or not e.tag_venue or e.tag_year != r.year:
            return False
        if e.tag_venue.lower() == "arxiv":
            return r.kind == Kind.PREPRINT
        if not r.published:
            return False
        info = venue_of(r.source, r)
        return info is not None and venues.tag_matches(e.tag_venue, info.id, info.short)

def _hint_key(kind: str, value: str) -> tuple[str, str, str]:
    from ..sources.s2 import s2_key

    return (ROLES.identify, "lookup", s2_key(kind, value))


def _with_tail_query(queries: list[tuple[str, str]], title: str):
    """The search queries, then (None, the title's last significant words) when they differ from
    the first ones: asked only when no near candidate has been seen (see ``_title_search``)."""
    yield from queries
    tail = match.search_words(title, from_end=True)
    if tail and tail != match.search_words(title):
        yield None, tail


def _same_work(records: list[Record]) -> bool:
    """Several hits with the same title from one search: the same work seen twice (e.g. CoRR and
    the proceedings) when at most one of them is a preprint and they share authors."""
    preprints = [r for r in records if r.kind == "preprint"]
    if len(preprints) > 1 or len([r for r in records if r.published]) > 1:
        return False
    first = records[0]
    agreements = (match.author_agreement(first.authors, r.authors) for r in records[1:])
    return all(a is None or a >= 0.5 for a in agreements)


def _names(sources) -> str:
    pretty = {"dblp": "DBLP", "crossref": "Crossref", "openreview": "OpenReview", "arxiv": "arXiv", "acl": "the ACL Anthology"}
    names = [pretty.get(s, s) for s in sources]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
