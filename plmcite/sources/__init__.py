"""Bibliographic sources behind one small interface (``plmcite.sources.base.Source``).

Each module turns one service's answers into :class:`plmcite.model.Record` objects: the same
small shape whatever the service, so that matching and merging (``plmcite.resolve``) never look
at wire formats. Which source answers which identifier, and whose word wins for which field, is
data: ``plmcite/data/roles.toml``.

Adding a source is one module here plus one line in :data:`REGISTRY` (and its rows in
``roles.toml``). Modules are imported only when a run needs them.
"""

from __future__ import annotations

import importlib

#: source name -> "module:class" under plmcite.sources; the name is also the config key
#: (``[sources.<name>] url``, ``PLMCITE_<NAME>_URL``)
REGISTRY = {
    "arxiv": "arxiv:ArxivSource",
    "crossref": "crossref:CrossrefSource",
    "dblp": "dblp:DblpSource",
    "openreview": "openreview:OpenReviewSource",
    "acl": "acl:AclSource",
    "s2": "s2:SemanticScholarSource",
}


def source_class(name: str):
    module, cls = REGISTRY[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)
