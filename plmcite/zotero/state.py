"""What plmcite remembers between Zotero syncs, one file per library.

The file lives next to the catalog (``refs/.zotero-state.group-1234.json``): it belongs to the
catalog it mirrors, and a checkout that lacks it (a teammate's, a fresh clone) still syncs without
duplicates because items are found again by citation key, DOI and arXiv id. It never holds the
API key, only library data: the library version seen last, and per citation key the Zotero item
key and version, a digest of each field value plmcite last meant (its *base*) and, where Zotero
holds something else, a digest of that (to tell a field edited in Zotero from one plmcite changed), the tags and collections the item carries and which of them
plmcite added. It is written atomically, so a killed sync leaves the previous state or the new one.
"""

from __future__ import annotations

from ..errors import PlmciteError

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_atomic

FORMAT = "plmcite-zotero-state/1"


def digest(value: Any) -> str:
    """A short, stable fingerprint of a field value (the state stores these, not the values)."""
    raw = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


@dataclass
class ItemState:
    """One Zotero item plmcite manages, as it was after the last sync."""

    zkey: str
    version: int
    item_type: str = ""
    base: dict[str, str] = field(default_factory=dict)  # field -> digest of the value plmcite last meant
    remote: dict[str, str] = field(default_factory=dict)  # field -> digest in Zotero, where it differs from base
    tags: list[dict[str, Any]] = field(default_factory=list)  # the item's whole tag list
    collections: list[str] = field(default_factory=list)  # the item's whole collection list
    extra: str = ""  # the item's whole extra field (other people's lines are kept on rewrite)
    our_tags: list[str] = field(default_factory=list)  # tags plmcite added
    our_collections: list[str] = field(default_factory=list)  # collections plmcite added
    deleted: bool = False  # in the trash
    trashed_by_us: bool = False  # put there by `--prune` (so plmcite may restore it)
    left: bool = False  # the work is no longer in the catalog
    created: bool = False  # plmcite created this item (only such items may ever be trashed by --prune)
    local: str = ""  # digest of the work as plmcite last reconciled it (see plan.fingerprint)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"zkey": self.zkey, "version": self.version, "item_type": self.item_type,
                             "base": dict(sorted(self.base.items()))}
        if self.remote:
            d["remote"] = dict(sorted(self.remote.items()))
        for name in ("tags", "collections", "extra", "our_tags", "our_collections", "local"):
            v = getattr(self, name)
            if v:
                d[name] = v
        for name in ("deleted", "trashed_by_us", "left", "created"):
            if getattr(self, name):
                d[name] = True
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "ItemState":
        return cls(**d)


@dataclass
class CollectionState:
    key: str
    version: int
    name: str  # the name plmcite gave it (a different name in Zotero is a person's rename)
    parent: str | None = None  # parent collection key

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "version": self.version, "name": self.name, "parent": self.parent}


@dataclass
class SyncState:
    library: str
    version: int = 0  # library version after the last complete read or write
    items: dict[str, ItemState] = field(default_factory=dict)  # citation key -> item
    collections: dict[str, CollectionState] = field(default_factory=dict)  # section key ("*" root) -> collection
    path: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "library": self.library,
            "version": self.version,
            "collections": {k: self.collections[k].to_json() for k in sorted(self.collections)},
            "items": {k: self.items[k].to_json() for k in sorted(self.items)},
        }

    def save(self, path: str | os.PathLike | None = None) -> bool:
        """Write atomically; return False (and write nothing) when no byte would change."""
        target = Path(path or self.path)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=0) + "\n"
        self.path = target
        try:
            if target.read_text(encoding="utf-8") == text:
                return False
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        write_atomic(target, text, private=True)
        return True


class StateError(PlmciteError):
    """The state file is unreadable or belongs to another library; the message names the file."""


def default_path(catalog_path: str | os.PathLike, library: str) -> Path:
    """``refs/.zotero-state.group-1234.json`` beside ``refs/catalog.json``."""
    return Path(catalog_path).parent / f".zotero-state.{library.replace(':', '-')}.json"


def load(path: str | os.PathLike, library: str) -> SyncState:
    """The state for ``library`` at ``path``, or an empty one when the file does not exist."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SyncState(library=library, path=path)
    except (OSError, ValueError) as e:
        raise StateError(f"{path}: unreadable sync state ({e}); delete it to re-identify items by citation key") from None
    if data.get("format") != FORMAT:
        raise StateError(f"{path}: not a plmcite Zotero state (format {data.get('format')!r})")
    if data.get("library") != library:
        raise StateError(f"{path}: state of library {data.get('library')}, not {library}")
    try:
        return SyncState(
            library=library,
            version=int(data.get("version", 0)),
            items={k: ItemState.from_json(v) for k, v in data.get("items", {}).items()},
            collections={k: CollectionState(**v) for k, v in data.get("collections", {}).items()},
            path=path,
        )
    except (TypeError, ValueError) as e:
        raise StateError(f"{path}: malformed sync state ({e}); delete it to re-identify items by citation key") from None
