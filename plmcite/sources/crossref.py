"""Crossref, through habanero: works by DOI, and bibliographic search.

habanero does its own HTTP (httpx2) without retries, so every call runs inside
``Http.call``: the same rate limit, retry/backoff (``Retry-After`` honoured), counting and
offline rule as the other sources. habanero's error shapes are classified here: a 404 is an
answer ("no such DOI", cached), 429/5xx/timeouts/resets/non-JSON bodies are retried, and so is a
body habanero trips over (a search answer without ``total-results`` raises ``KeyError`` inside
habanero): after the retries it is one failed request, never a crash of the run.

What real work messages hold (tests/fixtures/wire/crossref/) and how it is read here:

* the year is the best date there is: ``published-print`` (the volume's year: a 2021 issue
  whose article was online in 2020 is cited 2021), then ``issued``, ``published``,
  ``published-online``; a date part may be ``null`` (``[[null]]``), and with no date at all the
  one year named in the event or proceedings title ("... Workshops, 2003. Proceedings.") is used;
* an ``article-number`` stands in for ``page`` when there is none (Phys. Rev. A "022212");
* an author may be a ``name`` alone: an organisation (or an affiliation deposited as an
  author), kept whole as a literal name;
* titles and subtitles carry JATS/HTML markup and line breaks (cleaned in ``plmcite.clean``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from ..http import SHAPE_ERRORS, FetchError, Retry, parse_retry_after
from ..clean import clean_text, clean_title, normalize_pages
from ..model import Person, Record
from .base import Lookup, Source

#: Crossref work type -> kind of work
KIND = {
    "proceedings-article": "conference",
    "journal-article": "journal",
    "posted-content": "preprint",
    "book-chapter": "other",
    "book": "other",
    "report": "other",
    "dataset": "other",
}
#: date fields in order of preference for the year a work is cited with
DATE_FIELDS = ("published-print", "issued", "published", "published-online")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


class CrossrefSource(Source):
    name = "crossref"

    def __init__(self, http, base_url: str):
        super().__init__(http, base_url)
        self._cr = None

    def normalize_key(self, key: str) -> str:
        return key.strip().lower()  # DOIs are case-insensitive

    def _client(self):
        if self._cr is None:
            from habanero import Crossref

            from ..http import user_agent

            # habanero puts mailto in its User-Agent (Crossref's polite pool); plmcite names itself after it
            self._cr = Crossref(base_url=self.base_url, mailto=self.http.settings.contact,
                                ua_string=user_agent(None), timeout=self.http.settings.timeout)
        return self._cr

    def _attempt(self, fn):
        """One habanero call, with its failures sorted into retry / answer / give up."""
        import httpx2
        from habanero import RequestError

        try:
            return ("ok", fn())
        except httpx2.HTTPStatusError as e:
            status = e.response.status_code
            if status == 404:
                return ("missing", "Crossref has no work with this DOI")
            if status in (408, 425, 429) or status >= 500:
                raise Retry(f"HTTP {status}", parse_retry_after(e.response.headers.get("Retry-After"))) from None
            raise FetchError(f"Crossref answered HTTP {status}{_why(e.response)}", status=status) from None
        except RequestError as e:  # a 2xx that is not JSON, or a JSON error body
            status = e.status_code if isinstance(e.status_code, int) else 0
            if status in (200, 201, 408, 429) or status >= 500:
                raise Retry(f"malformed body (HTTP {status}, not JSON): {str(e.error)[:80]}") from None
            raise FetchError(f"Crossref refused the request: {e}", status=status) from None
        except httpx2.TransportError as e:
            raise Retry(f"connection error ({type(e).__name__})") from None
        except RuntimeError as e:  # habanero wraps transport errors of searches in RuntimeError
            if isinstance(e.__cause__, httpx2.HTTPError):
                raise Retry(f"connection error ({type(e.__cause__).__name__})") from None
            raise Retry(f"malformed body (habanero: {str(e)[:80]})") from None
        except (ValueError, json.JSONDecodeError) as e:
            raise Retry(f"malformed body ({e})") from None
        except SHAPE_ERRORS as e:  # habanero read a key the body does not have ('total-results')
            raise Retry(f"malformed body: unexpected shape ({type(e).__name__}: {str(e)[:80]})") from None

    #: DOIs asked in one ``filter=doi:…,doi:…`` request (a repeated filter name means OR)
    batch_size = 50

    def _fetch(self, keys: list[str]) -> Lookup:
        if len(keys) == 1:
            return self._fetch_singly(keys)
        out = Lookup()
        host = urlsplit(self.base_url).netloc
        for i in range(0, len(keys), self.batch_size):
            chunk = keys[i:i + self.batch_size]

            def many(chunk=chunk):
                status, value = self._attempt(
                    lambda: self._client().works(filter={"doi": list(chunk)}, limit=len(chunk)))
                if status != "ok":
                    raise FetchError(f"Crossref DOI filter failed: {value}")
                items = _message(value, "work-list").get("items")
                if not isinstance(items, list):
                    raise Retry("malformed body: a work list without items")
                return _read(lambda: {str(it["DOI"]).lower(): work_record(it) for it in items if isinstance(it, dict)})

            try:
                found = self.http.call(self.name, host, many, f"crossref {len(chunk)} DOIs")
            except FetchError as e:
                out.failed.update({doi: str(e) for doi in chunk})
                continue
            out.answer(chunk, found, "Crossref has no work with this DOI")
        return out

    def _fetch_singly(self, keys: list[str]) -> Lookup:
        out = Lookup()
        host = urlsplit(self.base_url).netloc
        for doi in keys:
            def one(doi=doi):
                status, value = self._attempt(lambda: self._client().works(ids=doi))
                if status == "ok":
                    return ("ok", _read(lambda: work_record(_message(value, "work"))))
                return (status, value)

            try:
                status, value = self.http.call(self.name, host, one, f"crossref DOI {doi}")
            except FetchError as e:
                out.failed[doi] = str(e)
                continue
            if status == "missing":
                out.missing[doi] = value
            else:
                out.found[doi] = value
        return out

    def _search(self, query: str) -> list[Record]:
        host = urlsplit(self.base_url).netloc

        def one():
            status, value = self._attempt(lambda: self._client().works(query_bibliographic=query, limit=5))
            if status != "ok":
                raise FetchError(f"Crossref search failed: {value}")
            msg = _message(value, "work-list")
            items = msg.get("items")
            if not isinstance(items, list):
                raise Retry("search answer without items")
            return _read(lambda: [work_record(it) for it in items
                                  if isinstance(it, dict) and it.get("DOI") and _first(it.get("title"))])

        return self.http.call(self.name, host, one, f"crossref search {query[:60]!r}")


def _why(response) -> str:
    """": <message>" of a validation-failure body (a list of {type, value, message}), else ""."""
    try:
        msg = response.json().get("message")
        first = msg[0] if isinstance(msg, list) and msg else msg
        text = first.get("message") if isinstance(first, dict) else first
        return f": {str(text).strip()[:120]}" if text else ""
    except (ValueError, AttributeError, TypeError):
        return ""


def _read(fn):
    """Run a reader of a message; a message of another shape is a malformed body (retried)."""
    try:
        return fn()
    except SHAPE_ERRORS as e:
        raise Retry(f"malformed body: unexpected work shape ({type(e).__name__}: {str(e)[:80]})") from None


def _message(value, kind: str) -> dict:
    if not isinstance(value, dict) or value.get("status") != "ok" or not isinstance(value.get("message"), dict):
        raise Retry(f"malformed body: not a Crossref {kind} message")
    return value["message"]


def _raw_first(v) -> str:
    if isinstance(v, list):
        v = v[0] if v else None
    return v if isinstance(v, str) else ""


def _first(v) -> str | None:
    return clean_text(_raw_first(v)) or None


def _date_parts(value) -> tuple[int | None, int | None]:
    """(year, month) of a ``{"date-parts": [[Y, M, D]]}``; parts may be missing or null."""
    parts = (value or {}).get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    year = first[0] if first and isinstance(first[0], int) else None
    month = first[1] if year and len(first) > 1 and isinstance(first[1], int) and 1 <= first[1] <= 12 else None
    return year, month


def best_date(msg: dict) -> tuple[int | None, int | None]:
    """The (year, month) a work is cited with: the first of ``DATE_FIELDS`` with a year, else the
    one year named in the event's or the proceedings' title (no later than ``created``)."""
    for k in DATE_FIELDS:
        year, month = _date_parts(msg.get(k))
        if year:
            return year, month
    created, _ = _date_parts(msg.get("created"))
    event = msg.get("event") if isinstance(msg.get("event"), dict) else {}
    for text in (event.get("name"), _first(msg.get("container-title"))):
        years = {int(y) for y in _YEAR_IN_TEXT.findall(str(text or ""))}
        if len(years) == 1 and (created is None or min(years) <= created):
            return years.pop(), None
    return None, None


def _person(a: dict) -> Person | None:
    if a.get("family"):
        return Person(str(a["family"]), str(a.get("given") or ""))
    if a.get("name"):  # an organisation, or an affiliation deposited as an author: one name
        return Person(str(a["name"]), literal=True)
    if a.get("given"):
        return Person(str(a["given"]))
    return None


def work_record(msg: dict) -> Record:
    """A Crossref ``work`` message as a Record."""
    authors = [p for p in (_person(a) for a in (msg.get("author") or []) if isinstance(a, dict)) if p]
    year, month = best_date(msg)
    title = clean_title(_raw_first(msg.get("title")))  # raw: line breaks around tags matter
    sub = clean_title(_raw_first(msg.get("subtitle")))
    if sub and sub.lower() not in title.lower():
        title = f"{title}: {sub}"
    event = msg.get("event") if isinstance(msg.get("event"), dict) else {}
    article_number = _first(msg.get("article-number"))
    doi = str(msg.get("DOI", "")).lower()
    return Record(
        source="crossref",
        key=doi,
        title=title,
        authors=authors,
        year=year,
        month=month,
        kind=KIND.get(msg.get("type", ""), "other"),
        venue_raw=_first(event.get("acronym")) or _first(msg.get("short-container-title")) or _first(msg.get("container-title")),
        container=_first(msg.get("container-title")),
        volume=_first(msg.get("volume")),
        number=_first(msg.get("issue")),
        pages=normalize_pages(_first(msg.get("page")) or article_number),
        publisher=_first(msg.get("publisher")),
        ids={"doi": doi} if doi else {},
        url=f"https://doi.org/{doi}" if doi else None,
        extra={k: v for k, v in {
            "type": msg.get("type"),
            "event": _first(event.get("name")),
            "container": _first(msg.get("container-title")),
            "article_number": article_number,
        }.items() if v},
    )
