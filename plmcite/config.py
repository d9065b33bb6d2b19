"""Configuration: ``plmcite.toml`` found by walking up from the current directory.

Paths in the file are relative to the file. Service base URLs come from the config's
``[sources.<name>] url`` and are overridden by ``PLMCITE_<NAME>_URL`` environment variables, so
tests (and self-hosted mirrors) can point every client at a local server. Secrets never live
here: the Zotero API key is read from the environment or the keyring only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PlmciteError

CONFIG_NAME = "plmcite.toml"

DEFAULT_URLS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "crossref": "https://api.crossref.org",
    "dblp": "https://dblp.org",
    "openreview": "https://api2.openreview.net",
    "acl": "https://aclanthology.org",
    "s2": "https://api.semanticscholar.org",
    "zotero": "https://api.zotero.org",
}


class ConfigError(PlmciteError):
    """plmcite.toml cannot be read; the message names the file."""


@dataclass
class Config:
    root: Path  # directory holding plmcite.toml (or cwd when there is none)
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def _path(self, section: str, key: str, default: str) -> Path:
        value = self.data.get(section, {}).get(key, default)
        return (self.root / value).resolve() if not os.path.isabs(value) else Path(value)

    @property
    def list_path(self) -> Path:
        return self._path("list", "path", "README.md")

    @property
    def catalog_path(self) -> Path:
        return self._path("catalog", "path", "refs/catalog.json")

    @property
    def overrides_path(self) -> Path:
        return self._path("catalog", "overrides", "refs/overrides.toml")

    @property
    def bib_dir(self) -> Path:
        return self._path("catalog", "bib_dir", "refs/bib")

    @property
    def contact_email(self) -> str | None:
        return os.environ.get("PLMCITE_CONTACT") or self.data.get("contact", {}).get("email")

    def source_url(self, name: str) -> str:
        """Base URL of a service: env ``PLMCITE_<NAME>_URL``, then config, then the real service."""
        env = os.environ.get(f"PLMCITE_{name.upper()}_URL")
        if env:
            return env.rstrip("/")
        url = self.data.get("sources", {}).get(name, {}).get("url")
        return (url or DEFAULT_URLS[name]).rstrip("/")

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))


def find_config(start: Path | None = None) -> Path | None:
    start = (start or Path.cwd()).resolve()
    for d in (start, *start.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load the given config file, or the nearest ``plmcite.toml`` above the cwd, or defaults."""
    cfg_path = Path(path) if path else find_config()
    if cfg_path is None:
        return Config(root=Path.cwd())
    try:
        data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{cfg_path}: config file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{cfg_path}: not valid TOML: {e}") from None
    return Config(root=cfg_path.parent.resolve(), data=data, path=cfg_path)
