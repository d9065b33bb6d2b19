"""Which Zotero library to sync, and the API key to do it with.

The key comes from the ``ZOTERO_API_KEY`` environment variable or, when the optional ``keyring``
package is installed, from the system keyring (service ``plmcite``, user ``zotero``). It is never
written to a file, never logged, and never part of an error message: every message that might
quote a server answer goes through :func:`redact` first.
"""

from __future__ import annotations

from ..errors import PlmciteError

import os
import re

ENV_KEY = "ZOTERO_API_KEY"
ENV_LIBRARY = "PLMCITE_ZOTERO_LIBRARY"
KEYRING_SERVICE, KEYRING_USER = "plmcite", "zotero"
_LIBRARY = re.compile(r"^(group|user)s?:(\d+)$")


class AuthError(PlmciteError):
    """No usable key or library; the message is one sentence that says what to do."""


def api_key() -> str:
    key = os.environ.get(ENV_KEY, "").strip()
    if key:
        return key
    try:
        import keyring  # optional
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            key = (keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or "").strip()
        except Exception:  # a broken keyring backend is the same as no key
            key = ""
        if key:
            return key
    raise AuthError(
        f"No Zotero API key: set {ENV_KEY} (or store one with `keyring set {KEYRING_SERVICE} {KEYRING_USER}`); "
        "create a key with write access at https://www.zotero.org/settings/keys."
    )


def parse_library(spec: str | None) -> tuple[str, int]:
    """``"group:1234"`` -> ``("group", 1234)``."""
    m = _LIBRARY.match((spec or "").strip())
    if not m:
        raise AuthError(
            f"Zotero library {spec!r} is not of the form group:ID or user:ID"
            if spec else f"No Zotero library: pass --library group:ID (or user:ID), set {ENV_LIBRARY}, "
            "or set [zotero] library in plmcite.toml."
        )
    return m.group(1), int(m.group(2))


def library_spec(cli_value: str | None, config_value: str | None) -> str:
    """The library to use: ``--library``, then the environment, then the config file."""
    spec = cli_value or os.environ.get(ENV_LIBRARY) or config_value
    kind, lib_id = parse_library(spec)
    return f"{kind}:{lib_id}"


def redact(text: str, key: str | None) -> str:
    """``text`` with the API key (if any) cut out."""
    if key:
        text = text.replace(key, "[redacted]")
    return text
