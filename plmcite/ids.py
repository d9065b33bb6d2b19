"""Identifiers from links: arXiv, DOI, ACL Anthology, OpenReview, proceedings pages, GitHub.

Every function here is pure and total: any string goes in, a (possibly empty) dict comes out,
never an exception. ``classify`` says what a URL points at so lint can tell a paper link from a
code link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

# new-style arXiv ids (0704.0001 .. 2603.24535) and old-style (hep-th/9901001, math.GT/0309136)
ARXIV_NEW = r"\d{4}\.\d{4,5}"
ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/({ARXIV_NEW}|{ARXIV_OLD})(v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.I,
)
_ARXIV_BARE = re.compile(rf"^(?:arxiv:)?({ARXIV_NEW}|{ARXIV_OLD})(v\d+)?$", re.I)
_ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.({ARXIV_NEW}|{ARXIV_OLD})$", re.I)
_HF_PAPER = re.compile(rf"^https?://huggingface\.co/papers/({ARXIV_NEW})/?$", re.I)

_DOI_HOSTS = re.compile(
    r"^https?://(?:dx\.)?(?:doi\.org|doi\.acm\.org)/(10\.\d{4,9}/.+)$"
    r"|^https?://(?:dl|dlnext)\.acm\.org/doi/(?:pdf/|abs/|full/|epdf/|fullHtml/|proceedings/)?(10\.\d{4,9}/[^?#]+)"
    r"|^https?://link\.springer\.com/(?:article|chapter|content/pdf)/(10\.\d{4,9}/[^?#]+?)(?:\.pdf)?$"
    r"|^https?://(?:onlinelibrary\.)?wiley\.com/doi/(?:abs/|full/|pdf/|epdf/)?(10\.\d{4,9}/[^?#]+)"
    r"|^https?://(?:www\.)?tandfonline\.com/doi/(?:abs/|full/|pdf/)?(10\.\d{4,9}/[^?#]+)"
    r"|^https?://journals\.sagepub\.com/doi/(?:abs/|full/|pdf/)?(10\.\d{4,9}/[^?#]+)"
    r"|^https?://(?:www\.)?science\.org/doi/(?:abs/|full/|pdf/)?(10\.\d{4,9}/[^?#]+)",
    re.I,
)
ACL_NEW = r"\d{4}\.[a-z0-9\-]+\.\d+"
ACL_OLD = r"[A-Z]\d{2}-\d{4}"
_ACL_URL = re.compile(
    rf"^https?://(?:www\.)?(?:aclanthology\.org|aclweb\.org/anthology)/({ACL_NEW}|{ACL_OLD})(?:\.pdf|\.bib|/)?(?:[?#].*)?$",
    re.I,
)
_ACL_BARE = re.compile(rf"^(?:acl:)?({ACL_NEW}|{ACL_OLD})$")
_OPENREVIEW = re.compile(r"^https?://(?:www\.)?openreview\.net/(?:forum|pdf|attachment)\?(?:.*&)?id=([A-Za-z0-9_\-]+)", re.I)
_OPENREVIEW_BARE = re.compile(r"^openreview:([A-Za-z0-9_\-]+)$", re.I)
_NEURIPS = re.compile(
    r"^https?://(?:proceedings\.neurips\.cc|papers\.nips\.cc|proceedings\.nips\.cc)/paper(?:_files/paper)?/(\d{4})/(?:hash|file)/([0-9a-f]{32})-",
    re.I,
)
_PMLR = re.compile(r"^https?://proceedings\.mlr\.press/(v\d+)/([a-z0-9\-_]+?)(?:\.html|/[a-z0-9\-_]+\.pdf)$", re.I)
_AAAI = re.compile(r"^https?://ojs\.aaai\.org/index\.php/AAAI/article/(?:view|download)/(\d+)", re.I)
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9_.\-]+)/([A-Za-z0-9_.\-]+?)(?:\.git)?(?:/.*)?$", re.I)
_CODE_HOSTS = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co)/", re.I)
_SITE_HOSTS = re.compile(r"^https?://[^/]+\.(?:github\.io|gitlab\.io|readthedocs\.io)(?:/|$)", re.I)

#: identifier names that name a paper (as opposed to code or a website)
PAPER_IDS = ("doi", "arxiv", "acl", "openreview", "neurips", "pmlr", "aaai")


_VERSION = re.compile(r"v\d+$")


def strip_arxiv_version(arxiv_id: str) -> str:
    """"2401.00001v3" -> "2401.00001": a work is cited by its id, whatever version was read."""
    return _VERSION.sub("", arxiv_id.strip())


def arxiv_id(url: str) -> str | None:
    """The arXiv id (no version suffix) of an arXiv URL, bare id or arXiv DOI."""
    url = url.strip()
    for rx in (_ARXIV_URL, _ARXIV_BARE, _HF_PAPER):
        m = rx.match(url)
        if m:
            return m.group(1)
    doi = doi_of(url)
    if doi:
        m = _ARXIV_DOI.match(doi)
        if m:
            return m.group(1)
    return None


def doi_of(url: str) -> str | None:
    url = url.strip()
    m = _DOI_HOSTS.match(url)
    if m:
        doi = next(g for g in m.groups() if g)
    elif _BARE_DOI.match(url):
        doi = url.split(":", 1)[1] if url.lower().startswith("doi:") else url
    else:
        return None
    doi = unquote(doi).rstrip("/.")
    return _PDF_SUFFIX.sub("", doi)


_BARE_DOI = re.compile(r"^(?:doi:)?10\.\d{4,9}/\S+$", re.I)
_PDF_SUFFIX = re.compile(r"\.pdf$", re.I)


def extract(url: str) -> dict[str, str]:
    """All identifiers one URL (or bare id) carries, e.g. ``{"arxiv": "2410.04070"}``."""
    return dict(_extract(url))


@lru_cache(maxsize=65536)
def _extract(url: str) -> tuple[tuple[str, str], ...]:
    return tuple(_extract_uncached(url).items())


def _extract_uncached(url: str) -> dict[str, str]:
    url = url.strip()
    out: dict[str, str] = {}
    if not url:
        return out
    a = arxiv_id(url)
    if a:
        out["arxiv"] = a
        return out
    d = doi_of(url)
    if d:
        out["doi"] = d
        return out
    m = _ACL_URL.match(url) or _ACL_BARE.match(url)
    if m:
        out["acl"] = m.group(1)
        return out
    m = _OPENREVIEW.match(url) or _OPENREVIEW_BARE.match(url)
    if m:
        out["openreview"] = m.group(1)
        return out
    m = _NEURIPS.match(url)
    if m:
        out["neurips"] = f"{m.group(1)}/{m.group(2).lower()}"
        return out
    m = _PMLR.match(url)
    if m:
        out["pmlr"] = f"{m.group(1)}/{m.group(2)}"
        return out
    m = _AAAI.match(url)
    if m:
        out["aaai"] = m.group(1)
        return out
    m = _GITHUB.match(url)
    if m:
        out["github"] = f"{m.group(1)}/{m.group(2)}"
    return out


@lru_cache(maxsize=65536)
def classify(url: str) -> str:
    """What a URL points at: ``paper``, ``code``, ``site`` (project page) or ``other``."""
    return target_of(url, extract(url))


def target_of(url: str, ids: dict[str, str]) -> str:
    """:func:`classify` for a URL whose identifiers are already known (no second extraction)."""
    if any(k in ids for k in PAPER_IDS):
        return "paper"
    if ids.get("github") or _CODE_HOSTS.match(url.strip()):
        return "code"
    if _SITE_HOSTS.match(url.strip()):
        return "site"
    return "other"


def parse_identifier(text: str) -> dict[str, str]:
    """A user-typed identifier (``2410.04070``, ``arXiv:2410.04070``, ``10.1145/...``,
    ``2024.emnlp-main.85``, ``openreview:cfn2O1qvxp``, or any URL) as an ids dict."""
    ids = extract(text)
    if not ids and re.fullmatch(r"[A-Za-z0-9_\-]{10}", text.strip()):
        ids = {"openreview": text.strip()}  # OpenReview forum ids are 10 characters
    return {k: v for k, v in ids.items() if k != "github"}


def canonical_url(kind: str, value: str) -> str:
    """The URL an entry's ``Paper`` link gets for an identifier."""
    return {
        "arxiv": f"https://arxiv.org/abs/{value}",
        "doi": f"https://doi.org/{value}",
        "acl": f"https://aclanthology.org/{value}/",
        "openreview": f"https://openreview.net/forum?id={value}",
        "pmlr": f"https://proceedings.mlr.press/{value}.html",
        "aaai": f"https://ojs.aaai.org/index.php/AAAI/article/view/{value}",
    }.get(kind, value)
