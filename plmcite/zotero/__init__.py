"""Mirror the catalog into a Zotero library: mapping, tag scheme, state, plan, and the sync itself.

Importing this package imports nothing from pyzotero; only ``plmcite.zotero.sync`` does.
"""
