"""Canonical text from what services send: the one place messy strings are tidied.

Sources call these on every string they take from a wire format, so that matching, merging and
every renderer see clean text: whitespace collapsed (arXiv titles carry raw line wraps),
NFC-normalised, page ranges written ``123--145``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "normalize_pages", "strip_period"]


def clean_text(text: str) -> str:
    """Collapse whitespace and NFC-normalise."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize_pages(pages: str | None) -> str | None:
    """"5998-6008" / "5998–6008" / "5998--6008" -> "5998--6008"; a single page stays as is."""
    if not pages:
        return None
    p = clean_text(str(pages))
    m = re.fullmatch(r"([A-Za-z]?\d+)\s*(?:-+|–|—)\s*([A-Za-z]?\d+)", p)
    if m:
        return f"{m.group(1)}--{m.group(2)}"
    return p or None


def strip_period(title: str) -> str:
    """DBLP titles end with a period that is not part of the title (keep "?" and "!")."""
    title = clean_text(title)
    return title[:-1] if title.endswith(".") and not title.endswith("...") else title
