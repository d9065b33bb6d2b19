"""plmcite: turn a curated awesome list of papers into a trustworthy bibliography.

Pipeline: list (``listfile``, ``ids``) -> resolve (``sources/``) -> catalog -> renderers
(``bibtex``, ``zotero``, ``latex``) -> ``cli``. Modules import lazily so that ``plmcite export``
never loads network or Zotero code.
"""

__version__ = "0.1.0"
