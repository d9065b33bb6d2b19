"""Test doubles for the web services plmcite talks to, served over real HTTP on 127.0.0.1.

``FakeInternet`` (in :mod:`plmcite.testing.fakes`) runs fakes of arXiv, Crossref, DBLP,
OpenReview and the ACL Anthology, filled from a directory of paper records; ``python -m
plmcite.testing`` runs them standalone. See docs/fake-servers.md. Nothing here is imported by
plmcite itself: the package only depends on the standard library.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FakeInternet", "load_records"]


def __getattr__(name: str) -> Any:  # lazy, so `import plmcite.testing.zotero...` stays cheap
    if name == "FakeInternet":
        from .fakes import FakeInternet

        return FakeInternet
    if name == "load_records":
        from .records import load_records

        return load_records
    raise AttributeError(name)
