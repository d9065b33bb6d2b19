"""Crossref, through habanero: works by DOI, and bibliographic search.

habanero does its own HTTP (httpx2) without retries, so every call runs inside
``Http.call``: the same rate limit, retry/backoff (``Retry-After`` honoured), counting and
offline rule as the other sources. habanero's error shapes are classified here: a 404 is an
answer ("no such DOI", cached), 429/5xx/timeouts/resets/non-JSON bodies are retried.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from ..http import FetchError, Retry, parse_retry_after
from ..clean import clean_text, normalize_pages
from ..model import Record
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
            raise FetchError(f"Crossref answered HTTP {status}", status=status) from None
        except RequestError as e:  # a 2xx that is not JSON, or a JSON error body
            status = e.status_code if isinstance(e.status_code, int) else 0
            if status in (200, 201, 408, 429) or status >= 500:
                raise Retry(f"unusable answer ({status}): {str(e.error)[:80]}") from None
            raise FetchError(f"Crossref refused the request: {e}", status=status) from None
        except httpx2.TransportError as e:
            raise Retry(f"connection error ({type(e).__name__})") from None
        except RuntimeError as e:  # habanero wraps transport errors of searches in RuntimeError
            if isinstance(e.__cause__, httpx2.HTTPError):
                raise Retry(f"connection error ({type(e.__cause__).__name__})") from None
            raise
        except (ValueError, json.JSONDecodeError) as e:
            raise Retry(f"malformed body ({e})") from None

    def _fetch(self, keys: list[str]) -> Lookup:
        out = Lookup()
        host = urlsplit(self.base_url).netloc
        for doi in keys:
            def one(doi=doi):
                status, value = self._attempt(lambda: self._client().works(ids=doi))
                if status == "ok":
                    msg = _message(value, "work")
                    return ("ok", msg)
                return (status, value)

            try:
                status, value = self.http.call(self.name, host, one, f"crossref DOI {doi}")
            except FetchError as e:
                out.failed[doi] = str(e)
                continue
            if status == "missing":
                out.missing[doi] = value
            else:
                out.found[doi] = work_record(value)
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
            return items

        items = self.http.call(self.name, host, one, f"crossref search {query[:60]!r}")
        return [work_record(it) for it in items if isinstance(it, dict) and it.get("DOI") and it.get("title")]


def _message(value, kind: str) -> dict:
    if not isinstance(value, dict) or value.get("status") != "ok" or not isinstance(value.get("message"), dict):
        raise Retry(f"unexpected Crossref answer shape (expected {kind})")
    return value["message"]


def _first(v) -> str | None:
    if isinstance(v, list):
        v = v[0] if v else None
    return clean_text(v) if isinstance(v, str) and v.strip() else None


def _date(msg: dict) -> tuple[int | None, int | None]:
    for k in ("published-print", "published", "issued", "published-online"):
        parts = (msg.get(k) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            p = parts[0]
            return int(p[0]), (int(p[1]) if len(p) > 1 and p[1] else None)
    return None, None


def work_record(msg: dict) -> Record:
    """A Crossref ``work`` message as a Record."""
    from ..model import Person

    authors = []
    for a in msg.get("author") or []:
        if a.get("family"):
            authors.append(Person(clean_text(a["family"]), clean_text(a.get("given") or "")))
        elif a.get("name"):
            authors.append(Person(clean_text(a["name"])))
    year, month = _date(msg)
    title = _first(msg.get("title")) or ""
    sub = _first(msg.get("subtitle"))
    if sub and sub.lower() not in title.lower():
        title = f"{title}: {sub}"
    event = msg.get("event") or {}
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
        pages=normalize_pages(msg.get("page")),
        publisher=_first(msg.get("publisher")),
        ids={"doi": doi} if doi else {},
        url=f"https://doi.org/{doi}" if doi else None,
        extra={k: v for k, v in {
            "type": msg.get("type"),
            "event": _first(event.get("name")),
            "container": _first(msg.get("container-title")),
        }.items() if v},
    )
