"""Resolving list entries into works: identifiers first, then title search, then merge.

The package follows the pipeline of one run:

* ``roles``  which source answers which identifier, and whose word wins (``data/roles.toml``);
* ``engine`` rounds of claims and batched, parallel fetches (``Knowledge``, ``Sources``);
* ``claim``  the decision procedure for one entry (an :class:`Outcome`: records by role);
* ``merge``  one work from the records of its versions;
* ``build``  the catalog: duplicates grouped, keys pinned, provenance kept, failures never
  degrading what the previous run found;
* ``run``    the whole run over a parsed list, and ``lookup_identifier`` for ``plmcite add``.
"""

from .build import Summary, build_catalog, field_value
from .claim import Claim, EntryInfo, Outcome
from .engine import Sources, open_sources
from .merge import merge
from .run import catalog_from, count_requests, entry_infos, lookup_identifier, resolve_list, run_claims

__all__ = [
    "Claim", "EntryInfo", "Outcome", "Sources", "Summary", "build_catalog", "catalog_from", "count_requests",
    "entry_infos", "field_value",
    "lookup_identifier", "merge", "open_sources", "resolve_list", "run_claims",
]
