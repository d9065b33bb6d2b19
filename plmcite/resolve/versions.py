"""Completing an identified paper: its other versions and the records that describe them.

Once a claim knows its paper (by a link's identifier or a title that is the entry's), this is
the rest of what a careful author looks up: the arXiv preprint, the published version, and the
publisher's own record of it. Each step is asked only when nothing found so far answers it, and in
bulk where a service allows it: the hint the identifying service (Semantic Scholar) gives for the
whole list in one request names DOIs, Anthology ids and arXiv ids; a DBLP table of contents lists a
venue-year at once; arXiv searches many titles per request. Whatever a search finds must carry the
same title (in form) as a version already known, or share the system name and the authors.

:class:`VersionFinder` holds the steps; :class:`plmcite.resolve.claim.Claim` runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import match, venues
from ..model import Record
from ..sources.base import SearchResult
from .engine import Failed, Knowledge
from .roles import (
    CORR,
    ROLES,
    Records,
    arxiv_of,
    best_title,
    doi_has_own_source,
    ids_of,
    is_submission,
    kind_rank,
    lookup_key,
    matching_authors,
    role_of,
    venue_of,
)

if TYPE_CHECKING:
    from .claim import EntryInfo, Outcome


class VersionFinder:
    """The completion steps of a claim (mixed into :class:`~plmcite.resolve.claim.Claim`)."""

    entry: "EntryInfo"

    def _titles(self, recs: Records) -> list[str]:  # pragma: no cover - defined by Claim
        raise NotImplementedError

    def _complete(self, k: Knowledge, out: Outcome, dblp_res: SearchResult | None) -> None:
        recs = out.records
        # a published paper known only by its publisher's id (an OpenReview forum): arXiv's title
        # search or the identifying service names its preprint
        if out.hint is None and not arxiv_of(recs) and _published(recs):
            self._identify_by_title(k, out)
            if out.failures:
                return
        hint = out.hint
        # the ids the identifying service knows (DOI, Anthology id, arXiv id), at their own services
        if hint is not None:
            self._follow(k, out, hint_lookups(recs, hint))
            if out.failures:
                return
        # the arXiv record for a known arXiv id (e.g. from a DBLP CoRR hit)
        arxiv_id = arxiv_of(recs)
        if arxiv_id and "arxiv" not in recs:
            self._follow(k, out, [lookup_key("arxiv", arxiv_id)])
            if out.failures:
                return
        # the DOI an arXiv submitter entered: a hint, verified against the publisher's record
        doi_hint = recs["arxiv"].extra.get("doi") if "arxiv" in recs else None
        if doi_hint and "acl" not in recs and "crossref" not in recs:
            self._follow(k, out, [lookup_key("doi", doi_hint)])
            if out.failures:
                return
        # DBLP's record of the published version, from the table of contents of its venue-year
        # when the venue has one (a request per venue-year, not per paper, so always worth it):
        # its pages, its key and its electronic editions (the OpenReview forum of an ICLR paper)
        toc = _toc_of(recs, hint)
        if toc is not None and ROLES.index not in recs:
            self._toc_record(k, out, toc, hint)
            if out.failures:
                return
        # a published version the hint knows but could not point at by id (no DOI, no Anthology
        # id, no table of contents: TMLR): OpenReview's own search finds the note itself
        if hint is not None and _published_elsewhere(hint) and not _published(recs) and _on_openreview(hint):
            self._openreview_version(k, out, hint)
            if out.failures:
                return
        # one DBLP search for the published version and the arXiv id, unless what it would tell is
        # known already: the Anthology record says all DBLP would (a Crossref record may lack the
        # Anthology id of a journal paper, which DBLP gives), or DBLP's record came from a table of
        # contents; with a hint, DBLP is asked only for what nobody else has (a published version
        # not found by id or title, the pages of a proceedings only DBLP records, an arXiv id)
        if hint is not None and not _index_needed(recs, hint):
            pass
        elif not (arxiv_of(recs) and ("acl" in recs or ROLES.index in recs)):
            self._dblp_versions(k, out, dblp_res)
            if out.failures:
                return
            if hint is None and not arxiv_of(recs) and _published(recs):
                self._find_renamed_preprint(k, out)
                if out.failures:
                    return
        if hint is not None:  # kept for the identifiers only it gives (its DBLP key); never a version
            recs.setdefault(ROLES.identify, hint)
        # the publisher's records for the identifiers now known
        # (an Anthology DOI is skipped: its record came with the Anthology id)
        self._follow(k, out, _lookups(recs, ids_of(recs), ("arxiv", "acl", "openreview", "doi"), doi_has_own_source))

    def _identify_by_title(self, k: Knowledge, out: Outcome) -> None:
        """The preprint of a paper known by its publisher's id: arXiv's title search (batched,
        many titles per request) when the preprint kept the title; else the identifying
        service's best match, which is the claim's hint only under the same title (in form)."""
        title = best_title(out.records) or self.entry.title
        res = k.get("arxiv", "titles", title)
        if res.failed:
            out.fail("arxiv", f"arxiv title search: {res.failed}")
            return
        authors = matching_authors(out.records)
        for r in res.records:
            agree = match.author_agreement(r.authors, authors)
            if agree is None or agree >= 0.5:
                out.records.setdefault("arxiv", r)
                return
        res = k.get(ROLES.identify, "search", title)
        if res.failed:
            out.fail(ROLES.identify, f"{ROLES.identify} title match: {res.failed}")
            return
        titles = self._titles(out.records)
        out.hint = next((r for r in res.records if any(match.same_form(r.title, t) for t in titles)), None)

    def _toc_record(self, k: Knowledge, out: Outcome, toc: str, hint: Record | None) -> None:
        """The paper's record in a DBLP table of contents: same title (in form), authors agree."""
        res = k.get(ROLES.index, "toc", toc)
        if res.failed:  # what DBLP knows of the paper is missing: not a complete answer
            out.fail(ROLES.index, f"{ROLES.index} table of contents {toc}: {res.failed}")
            return
        titles = self._titles(out.records) + ([hint.title] if hint is not None and hint.title else [])
        authors = matching_authors(out.records) or (hint.authors if hint is not None else [])
        index = _by_form(res)  # a venue-year lists thousands: look the titles up, do not scan
        for r in (r for key in dict.fromkeys(match.form_key(t) for t in titles) for r in index.get(key, ())):
            if r.published:
                agree = match.author_agreement(r.authors, authors)
                if agree is None or agree >= 0.5:
                    out.records.setdefault(ROLES.index, r)
                    return

    def _openreview_version(self, k: Knowledge, out: Outcome, hint: Record) -> None:
        """The accepted OpenReview note of a paper the hint says was published: found by title
        at OpenReview, kept only under the same title (in form) with agreeing authors and year."""
        source = next(iter(ROLES.submissions))
        res = k.get(source, "search", hint.title or best_title(out.records) or self.entry.title)
        if res.failed:
            out.fail(source, f"{source} title search: {res.failed}")
            return
        titles = self._titles(out.records)
        authors = matching_authors(out.records) or hint.authors
        for r in res.records:
            if not r.published or is_submission(r):
                continue
            s = match.score(r.title, titles, record_authors=r.authors, authors=authors,
                            record_year=r.year, year=hint.year, year_window=(-1, 1))
            if (s.authors is None or s.authors >= 0.5) and s.confidence >= match.VERSION_THRESHOLD \
                    and any(match.same_form(r.title, t) for t in titles):
                out.records.setdefault(role_of(r), r)
                return

    def _follow(self, k: Knowledge, out: Outcome, wanted: list[tuple[str, str, str]]) -> None:
        """Look up records by identifier and keep those that are this paper (title or authors agree)."""
        wanted = list(dict.fromkeys(wanted))
        if not wanted:
            return
        recs = out.records
        answers = k.get_all(wanted)
        titles = self._titles(recs)
        acronyms = {match.acronym(t) for t in titles} - {None}
        for (source, _, key), ans in zip(wanted, answers):
            if isinstance(ans, Failed):
                out.fail(source, f"{source} {key}: {ans.reason}")
            elif isinstance(ans, Record):
                if is_submission(ans):
                    continue  # a rejected or pending submission is no version to cite
                s = match.score(ans.title, titles, record_authors=ans.authors, authors=matching_authors(recs))
                renamed = s.authors is not None and s.authors >= 0.75 \
                    and match.acronym(ans.title) in acronyms  # "PAL: <new subtitle>"
                if s.confidence >= match.VERSION_THRESHOLD or renamed or (
                        s.title >= 0.5 and s.authors is not None and s.authors >= 0.75):
                    recs.setdefault(source, ans)
                else:
                    out.notes.append(f"{source} {key} names another paper ({ans.title!r}); not used")

    def _dblp_versions(self, k: Knowledge, out: Outcome, dblp_res: SearchResult | None) -> None:
        """The CoRR record (arXiv id) and the published record among one DBLP search's hits."""
        recs = out.records
        if dblp_res is None:
            base = best_title(recs) or self.entry.title
            dblp_res = k.get(ROLES.index, "search", match.search_words(base))
        if dblp_res.failed:
            out.fail(ROLES.index, f"{ROLES.index} search: {dblp_res.failed}")
            return
        titles = self._titles(recs)
        authors = matching_authors(recs)
        arxiv_year = recs["arxiv"].year if "arxiv" in recs else None
        known_ids = ids_of(recs)
        corr, pub = None, None
        corr_best, pub_best = 0.0, 0.0
        for r in dblp_res.records:
            shared = any(known_ids.get(kind) and r.ids.get(kind, "").lower() == known_ids[kind].lower()
                         for kind in ROLES.identity)
            if r.kind == "preprint":
                if known_ids.get("arxiv"):
                    if r.ids.get("arxiv") == known_ids["arxiv"]:
                        corr = r
                    continue
                s = match.score(r.title, titles, record_authors=r.authors, authors=authors)
                if s.confidence >= match.VERSION_THRESHOLD and s.confidence > corr_best and _version_title(r, titles, s):
                    corr, corr_best = r, s.confidence
            elif r.published:
                if shared:
                    pub, pub_best = r, 2.0
                    continue
                s = match.score(r.title, titles, record_authors=r.authors, authors=authors,
                                record_year=r.year, year=arxiv_year, year_window=(0, 3))
                if (s.authors is None or s.authors >= 0.5) and s.confidence >= match.VERSION_THRESHOLD \
                        and _version_title(r, titles, s):
                    if s.confidence > pub_best or (s.confidence == pub_best and pub is not None and kind_rank(r) < kind_rank(pub)):
                        pub, pub_best = r, s.confidence
        if corr is not None:
            recs.setdefault(CORR, corr)
        if pub is not None:
            recs.setdefault(ROLES.index, pub)

    def _find_renamed_preprint(self, k: Knowledge, out: Outcome) -> None:
        """A published paper whose preprint DBLP did not return: the title may have changed.

        Papers gain or lose their system name ("SeCom: On Memory ...") or change the subtitle
        ("PAL: Pluralistic Alignment Framework ..." became "PAL: Sample-Efficient ..."). Two more
        DBLP queries, only for published works with a "Name: subtitle" title: the subtitle alone,
        then the name with the first author. A preprint found this way must share the name (or
        nearly the whole title) *and* the authors, and come no later than the publication.
        """
        recs = out.records
        title = best_title(recs) or self.entry.title
        name = match.acronym(title)
        if not name:
            return
        authors = matching_authors(recs)
        pub_year = next((r.year for r in recs.values() if r.published and r.year), None)
        queries = [match.search_words(title.partition(":")[2])]
        if authors:
            queries.append(f"{name} {match.search_words(authors[0].family) or authors[0].family}")
        titles = self._titles(recs)  # unchanged until a preprint is taken (and then it returns)
        for q in dict.fromkeys(q for q in queries if q):
            res = k.get(ROLES.index, "search", q)
            if res.failed:
                out.fail(ROLES.index, f"{ROLES.index} search: {res.failed}")
                return
            for r in res.records:
                if r.kind != "preprint" or not r.ids.get("arxiv"):
                    continue
                if pub_year is not None and r.year is not None and r.year > pub_year:
                    continue
                s = match.score(r.title, titles, record_authors=r.authors, authors=authors)
                same_name = match.acronym(r.title) == name
                if s.authors is not None and s.authors >= 0.75 and (same_name or s.title >= match.VERSION_THRESHOLD):
                    recs.setdefault(CORR, r)
                    out.notes.append(f"preprint found under another title: {r.title!r}")
                    return


def hint_lookups(recs: Records, hint: Record) -> list[tuple[str, str, str]]:
    """Lookups of the ids a hint names that no record of the claim has given yet (an arXiv DOI
    is skipped: it is the arXiv id)."""
    return _lookups(recs, hint.ids, ("arxiv", "acl", "doi"), lambda doi: doi.lower().startswith("10.48550/"))


def _lookups(recs: Records, ids: dict[str, str], kinds: tuple[str, ...], skip_doi) -> list[tuple[str, str, str]]:
    """The lookups of ``ids`` (of ``kinds``, in that order) whose source gave no record yet."""
    wanted = []
    for kind in kinds:
        value = ids.get(kind)
        if not value or (kind == "doi" and skip_doi(value)):
            continue
        need = lookup_key(kind, value)
        if need[0] not in recs:
            wanted.append(need)
    return wanted


def _by_form(res: SearchResult) -> dict[str, list[Record]]:
    """The records of a (large) answer by the form key of their titles, built once per answer."""
    index = res.__dict__.get("_by_form")
    if index is None:
        index = {}
        for r in res.records:
            index.setdefault(match.form_key(r.title), []).append(r)
        res.__dict__["_by_form"] = index
    return index


def _published(recs: Records) -> bool:
    return any(r.published for r in recs.values())


def _published_elsewhere(hint: Record) -> bool:
    """The hint knows a published version (a DBLP key outside CoRR)."""
    key = hint.ids.get("dblp", "")
    return bool(key) and not key.startswith("journals/corr/")


def _toc_of(recs: Records, hint: Record | None) -> str | None:
    """The DBLP table of contents the work's published version is listed in, when its venue has
    one (``venues.toml`` ``dblp_toc``): named by a published record, else by the hint's DBLP key."""
    for role in ("openreview", "acl", "crossref"):
        r = recs.get(role)
        if r is not None and r.published and r.year:
            spec = _venue_spec(role, r)
            volume = r.venue_raw if role == "acl" else None
            return _toc_name(spec.spec.get("dblp_toc") if spec is not None else None, r.year, volume)
    if hint is not None and _published_elsewhere(hint) and hint.year:
        spec = venues.by_dblp_key(hint.ids["dblp"])
        return _toc_name(spec.spec.get("dblp_toc") if spec is not None else None, hint.year, None)
    return None


def _venue_spec(role: str, r: Record):
    """The venue table's entry for the venue a record names (None when unknown)."""
    info = venue_of(role, r)
    return venues.by_id(info.id) if info is not None else None


def _toc_name(template, year: int, volume: str | None) -> str | None:
    """A ``dblp_toc`` template filled in: a string, or a table by Anthology volume part
    ("emnlp-main" of "2024.emnlp-main")."""
    if isinstance(template, dict):
        part = volume.split(".", 1)[-1] if volume else None
        template = template.get(part) if part else None
    return template.format(year=year) if isinstance(template, str) else None


def _on_openreview(hint: Record) -> bool:
    """The hint's published version is at a venue run on OpenReview that has no DBLP table of
    contents to find it in (TMLR): OpenReview's own search finds the note."""
    v = venues.by_dblp_key(hint.ids.get("dblp", ""))
    return v is not None and bool(v.patterns["openreview"]) and not v.spec.get("dblp_toc")


def _pages_at_index(recs: Records) -> bool:
    """The work's venue has page numbers only DBLP records, and no record has given them yet."""
    if any(r.pages for r in recs.values() if r.published):
        return False
    for role in ("openreview", "acl", "crossref", "dblp"):
        r = recs.get(role)
        if r is not None and r.published:
            spec = _venue_spec(role, r)
            return spec is not None and spec.spec.get("pages_at") == ROLES.index
    return False


def _index_needed(recs: Records, hint: Record) -> bool:
    """The index (DBLP) still has something to tell once the hint's ids were followed: a
    published version nobody found, the pages of a proceedings only DBLP records, an arXiv id
    the hint names but no record gave."""
    if _published_elsewhere(hint) and not _published(recs):
        return True
    if _published(recs) and _pages_at_index(recs):
        return True
    return bool(hint.ids.get("arxiv")) and not arxiv_of(recs)


def _version_title(r: Record, titles: list[str], s: match.Score) -> bool:
    """A search hit is another version of a known paper only under the same title (in form), or
    the same title with or without its subtitle or system name when the authors agree: a title
    that differs in a content word is another paper, however many authors the two share."""
    if any(match.same_form(r.title, t) for t in titles):
        return True
    return s.authors is not None and s.authors >= 0.75 and any(match.drops_subtitle(r.title, t) for t in titles)
