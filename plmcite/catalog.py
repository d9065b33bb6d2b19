"""Reading and writing the catalog, and laying the user's overrides over it.

The catalog (the model is in ``plmcite.model``) is the contract between the resolver, which
writes it, and every renderer (BibTeX, CSL-JSON, LaTeX, Zotero), which only read it. It lives in
``refs/catalog.json``: one deterministic, human-reviewable JSON file, works sorted by citation key,
fields in a fixed order, empty fields left out, so that a re-run with nothing new changes no byte
and a pull-request diff shows exactly what changed. ``load`` checks shape and types: a catalog
that is valid JSON of the wrong shape is a :class:`CatalogError` naming the file and the work.

User corrections live in an overrides file (``refs/overrides.toml``) that plmcite only reads:
``apply_overrides`` lays them over the resolved works each time they are used.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable

from .atomic import Snapshot, folder_lock, write_atomic
from .errors import PlmciteError
from .model import Catalog, Provenance, Work, check_field
from .names import parse_person


class CatalogError(PlmciteError):
    """The catalog or overrides file is missing or malformed; the message names the file."""


def load(path: str | os.PathLike, overrides: str | os.PathLike | None = None) -> Catalog:
    """Read a catalog (and lay the overrides file over it, when given and present)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{path}: no catalog here; run `plmcite resolve` first") from None
    cat = parse(raw, path)
    if overrides is not None and Path(overrides).exists():
        apply_overrides(cat, load_overrides(overrides))
    return cat


def parse(raw: bytes, path: str | os.PathLike) -> Catalog:
    """A catalog from the bytes of its file (``path`` names it in messages)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as e:
        raise CatalogError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: not UTF-8 text; restore it from git or run `plmcite resolve`") from None
    try:
        return Catalog.from_json(data)
    except (ValueError, KeyError, TypeError) as e:
        raise CatalogError(f"{path}: {e} (fix it, or restore it from git)") from None


def read_for_update(path: str | os.PathLike) -> tuple[Snapshot, Catalog | None]:
    """The catalog as it is now (None when there is none yet) and a snapshot of its bytes, for a
    later :func:`save` that must not overwrite what another run wrote in the meantime."""
    snap, raw = Snapshot.take(path)
    return snap, (parse(raw, path) if raw is not None else None)


def save(catalog: Catalog, path: str | os.PathLike, *, expect: Snapshot | None = None) -> bool:
    """Write the catalog atomically; return False (and write nothing) when no byte would change.

    With ``expect`` (from :func:`read_for_update`) the write is a compare-and-swap: when the file
    is no longer what was read, :class:`ConcurrentModificationError` is raised and nothing is
    written, so the caller can merge with what the other run wrote.
    """
    path = Path(path)
    text = catalog.dumps()
    with folder_lock(path):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        if expect is not None:
            expect.check(raw)
        if raw is not None and _as_text(raw) == text:
            return False
        write_atomic(path, text)
    return True


def _as_text(raw: bytes) -> str | None:
    """The file's text as a text-mode read gives it (universal newlines: a catalog saved with
    CRLF by an editor is the same catalog), None when it is not UTF-8."""
    try:
        return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None


# --- overrides -----------------------------------------------------------------------------

#: fields an override may set; ``authors`` takes a list of "Family, Given" strings
OVERRIDABLE = {f.name for f in fields(Work)} - {"provenance", "entries", "sections"}


def load_overrides(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Read ``[<key or identifier>]`` tables of field pins from a TOML overrides file.

    A table is addressed by citation key or by an identifier (``"arxiv:2410.04070"``,
    ``"doi:10.18653/v1/..."``) so a pin can be written before the work has a key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: not valid TOML: {e}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: not UTF-8 text") from None
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CatalogError(f"{path}: [{name}] must be a table of field = value pins")
        bad = set(table) - OVERRIDABLE
        if bad:
            raise CatalogError(f"{path}: [{name}]: cannot override {', '.join(sorted(bad))}")
        for k, v in table.items():
            try:
                if k == "authors":
                    if not isinstance(v, list) or not all(isinstance(a, str) for a in v):
                        raise ValueError('authors must be a list of "Family, Given" strings')
                else:
                    check_field(k, v)
            except ValueError as e:
                raise CatalogError(f"{path}: [{name}]: {e}") from None
    return data


def override_target(works: Iterable[Work], name: str) -> Work | None:
    for w in works:
        if w.key == name:
            return w
        if ":" in name:
            kind, value = name.split(":", 1)
            if w.ids.get(kind, "").lower() == value.lower():
                return w
    return None


def apply_overrides(catalog: Catalog, overrides: dict[str, dict[str, Any]]) -> list[str]:
    """Pin fields from overrides; return the names of tables that matched no work."""
    missing = []
    for name, table in overrides.items():
        work = override_target(catalog.works, name)
        if work is None:
            missing.append(name)
            continue
        apply_pins(work, table)
    return missing


def apply_pins(work: Work, table: dict[str, Any]) -> None:
    for k, v in table.items():
        if k == "authors":
            v = [parse_person(a) for a in v]
        elif k == "ids":
            v = {**work.ids, **v}
        setattr(work, k, v)
        work.provenance[k] = Provenance("override", "pinned")
