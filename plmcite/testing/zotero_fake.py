"""A local fake of the Zotero Web API v3, faithful enough to drive the real pyzotero client.

It follows ``docs/api-protocols.md`` section 1: libraries with one integer version each and objects
carrying their own; reads with ``since``, ``format=json|versions|keys``, ``limit``/``start``
pagination and a ``Link`` header; ``includeTrashed``, ``itemKey``, ``/deleted``; multi-object
writes of at most 50 objects answered with the four-map write report; write tokens;
``If-Unmodified-Since-Version`` (412/428); single-object PATCH/PUT/DELETE; Bearer,
``Zotero-API-Key`` and ``?key=`` authentication; and switches to inject 429 + ``Retry-After``,
``Backoff`` on a success, or any other status, so clients can be tested against the server's
bad days.

A multi-object POST that names an existing object changes only the properties it sends (PATCH
semantics). Changing an item's type drops the fields the new type does not have.

Tests talk to it over real HTTP on 127.0.0.1 and may also edit the data directly (``edit_item``,
``add_item``) to play a person working in Zotero: such edits bump versions like a Zotero client's
sync would.

Run it by hand with ``python -m plmcite.testing.zotero_fake --key SECRET --group 1``.
"""

from __future__ import annotations

from ..errors import PlmciteError, Signal

import datetime as _dt
import html
import json
import random
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlparse

SCHEMA_VERSION = 41
KEY_CHARS = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")
MAX_WRITE = 50
PUBLIC_BASE = "https://api.zotero.org"

#: item types -> (fields in schema order, creator types with the primary one first); schema 41
ITEM_TYPES: dict[str, tuple[list[str], list[str]]] = {
    "preprint": (
        "title abstractNote genre repository archiveID place date series seriesNumber DOI "
        "citationKey url accessDate archive archiveLocation shortTitle language libraryCatalog "
        "callNumber rights extra".split(),
        ["author", "contributor", "editor", "translator", "reviewedAuthor"],
    ),
    "conferencePaper": (
        "title abstractNote proceedingsTitle conferenceName publisher place date eventPlace volume "
        "issue numberOfVolumes pages series seriesNumber DOI ISBN citationKey url accessDate ISSN "
        "archive archiveLocation shortTitle language libraryCatalog callNumber rights extra".split(),
        ["author", "contributor", "editor", "translator", "seriesEditor"],
    ),
    "journalArticle": (
        "title abstractNote publicationTitle publisher place date volume issue section partNumber "
        "partTitle pages series seriesTitle seriesText journalAbbreviation DOI citationKey url "
        "accessDate PMID PMCID ISSN archive archiveLocation shortTitle language libraryCatalog "
        "callNumber rights extra".split(),
        ["author", "contributor", "editor", "translator", "reviewedAuthor"],
    ),
    "book": (
        "title abstractNote series seriesNumber volume numberOfVolumes edition place publisher date "
        "numPages language ISBN shortTitle url accessDate archive archiveLocation libraryCatalog "
        "callNumber rights extra".split(),
        ["author", "contributor", "editor", "translator", "seriesEditor"],
    ),
    "document": (
        "title abstractNote publisher place date language shortTitle url accessDate archive "
        "archiveLocation libraryCatalog callNumber rights extra".split(),
        ["author", "contributor", "editor", "translator", "reviewedAuthor"],
    ),
    "note": (["note"], []),
    "attachment": (
        "title accessDate url note linkMode contentType charset filename md5 mtime".split(), []
    ),
}
CHILD_TYPES = {"note", "attachment"}
#: properties every item may carry besides its type's fields
COMMON_PROPS = {"key", "version", "itemType", "creators", "tags", "collections", "relations",
                "dateAdded", "dateModified", "deleted", "parentItem", "inPublications"}
FIELD_LABELS = {"DOI": "DOI", "url": "URL", "ISBN": "ISBN", "ISSN": "ISSN"}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_key(rng: random.Random) -> str:
    return "".join(rng.choice(KEY_CHARS) for _ in range(8))


class WriteError(PlmciteError):
    """A per-object failure in a multi-object write (goes into the report's ``failed`` map)."""

    def __init__(self, code: int, message: str, key: str | None = None):
        super().__init__(message)
        self.code, self.message, self.key = code, message, key


@dataclass
class Library:
    kind: str  # "user" | "group"
    id: int
    name: str
    version: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> data
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[tuple[int, str, str]] = field(default_factory=list)  # (version, "items"|..., key)
    public: bool = False

    @property
    def prefix(self) -> str:
        return f"/{self.kind}s/{self.id}"


@dataclass
class Fault:
    """An injected answer: the next ``times`` requests matching method and path get it."""

    method: str
    path_re: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    times: int = 1
    apply_write: bool = False  # apply the request first (answer lost on the way back)


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class FakeZotero:
    """The server state plus an HTTP front end on 127.0.0.1 (random port)."""

    def __init__(self, keys: dict[str, dict[str, Any]] | None = None, seed: int = 1):
        #: api key -> {"userID": int, "write": bool, "groups": set|None (None: all)}
        self.keys: dict[str, dict[str, Any]] = keys or {}
        self.libraries: dict[tuple[str, int], Library] = {}
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.requests: list[RequestRecord] = []
        self.faults: list[Fault] = []
        #: share of requests answered with a random server error (500/502/503/504); a write so
        #: answered is applied half of the time first (the answer is lost on the way back)
        self.fault_rate = 0.0
        #: write reports with only ``success`` (index -> key), as older servers and some recorded
        #: answers have them (tests/fixtures/wire/zotero/write-post-items-legacy-success-only.json)
        self.keys_only_reports = False
        self.backoff_next: list[str] = []  # Backoff header values for the next 2xx answers
        self.write_tokens: dict[str, set[str]] = {}
        self.before_write: Callable[["FakeZotero", str, str], None] | None = None
        self.after_write: Callable[["FakeZotero", str, str], None] | None = None
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- setup -------------------------------------------------------------------------------

    def add_library(self, kind: str, lib_id: int, name: str = "", public: bool = False) -> Library:
        lib = Library(kind, int(lib_id), name or f"{kind} {lib_id}", public=public)
        self.libraries[(kind, int(lib_id))] = lib
        return lib

    def add_key(self, key: str, user_id: int = 1, write: bool = True, groups: set[int] | None = None):
        self.keys[key] = {"userID": user_id, "write": write, "groups": groups}

    def library(self, spec: str) -> Library:
        kind, _, lib_id = spec.partition(":")
        return self.libraries[(kind, int(lib_id))]

    def start(self) -> "FakeZotero":
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> "FakeZotero":
        return self.start() if self.server is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- observation -------------------------------------------------------------------------

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def count(self, method: str | None = None, path_contains: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests
                       if (method is None or r.method == method) and path_contains in r.path)

    def inject(self, method: str, path_re: str, status: int, *, headers: dict[str, str] | None = None,
               body: str = "", times: int = 1, apply_write: bool = False) -> None:
        with self.lock:
            self.faults.append(Fault(method, path_re, status, headers or {}, body, times, apply_write))

    def top_items(self, spec: str, include_trashed: bool = False) -> list[dict[str, Any]]:
        lib = self.library(spec)
        with self.lock:
            return [json.loads(json.dumps(d)) for d in lib.items.values()
                    if d["itemType"] not in CHILD_TYPES and (include_trashed or not d.get("deleted"))]

    # --- direct edits (a person working in Zotero) ---------------------------------------------

    def edit_item(self, spec: str, key: str, **changes: Any) -> dict[str, Any]:
        lib = self.library(spec)
        with self.lock:
            data = lib.items[key]
            lib.version += 1
            data.update(changes)
            data["version"] = lib.version
            data["dateModified"] = _now()
            return json.loads(json.dumps(data))

    def add_item(self, spec: str, data: dict[str, Any]) -> str:
        lib = self.library(spec)
        with self.lock:
            key = data.get("key") or new_key(self.rng)
            return self._write_item(lib, {**data, "key": key}, None, create_only=True)[1]

    def delete_item(self, spec: str, key: str) -> None:
        lib = self.library(spec)
        with self.lock:
            lib.version += 1
            del lib.items[key]
            lib.deleted.append((lib.version, "items", key))

    # --- object model --------------------------------------------------------------------------

    def _validate_item(self, data: dict[str, Any]) -> None:
        itype = data.get("itemType")
        if itype not in ITEM_TYPES:
            raise WriteError(400, f"Invalid item type '{itype}'" if itype else "'itemType' property not provided")
        fields, creator_types = ITEM_TYPES[itype]
        for k in data:
            if k in COMMON_PROPS or k in fields:
                continue
            if any(k in f for f, _ in ITEM_TYPES.values()):
                raise WriteError(400, f"'{k}' is not a valid field for type '{itype}'")
            raise WriteError(400, f"Invalid property '{k}'")
        for c in data.get("creators", []):
            if not isinstance(c, dict) or c.get("creatorType") not in creator_types:
                raise WriteError(400, f"'{c.get('creatorType') if isinstance(c, dict) else c}' is not a valid creator type for item type '{itype}'")
            if not (("name" in c) ^ ("lastName" in c or "firstName" in c)):
                raise WriteError(400, "Creator must have either 'name' or 'firstName'/'lastName'")
        for t in data.get("tags", []):
            if not isinstance(t, dict) or not str(t.get("tag", "")).strip():
                raise WriteError(400, "Tag must be an object with a non-empty 'tag'")
            if len(t["tag"]) > 255:
                raise WriteError(413, f"Tag '{t['tag'][:50]}…' too long")
        if data.get("title") and len(data["title"]) > 65535:
            raise WriteError(413, "Field 'title' too long")

    def _write_item(self, lib: Library, obj: dict[str, Any], req_iusv: int | None,
                    create_only: bool = False, patch: bool = True) -> tuple[str, str]:
        """Create or update one item; return ("successful" | "unchanged", key). Raises WriteError."""
        if not isinstance(obj, dict):
            raise WriteError(400, "Invalid value for index 0 in uploaded data; expected JSON item object")
        key = obj.get("key")
        if key is not None and not KEY_RE.match(str(key)):
            raise WriteError(400, f"'{key}' is not a valid item key", key)
        existing = lib.items.get(key) if key else None
        version = obj.get("version")
        if existing is None:
            if version not in (None, 0) and key:
                raise WriteError(404, f"Item {key} doesn't exist (expected version {version}; use 0 instead)", key)
            data = {k: v for k, v in obj.items() if k not in ("version",)}
            self._validate_item(data)
            for coll in data.get("collections", []):
                if coll not in lib.collections:
                    raise WriteError(409, f"Collection {coll} doesn't exist", key)
            parent = data.get("parentItem")
            if parent and parent not in lib.items:
                raise WriteError(409, f"Parent item {parent} doesn't exist", key)
            key = key or new_key(self.rng)
            lib.version += 1
            fields, _ = ITEM_TYPES[data["itemType"]]
            full = {"key": key, "version": lib.version, "itemType": data["itemType"]}
            if "title" in fields:
                full["title"] = data.get("title", "")
            if data["itemType"] not in CHILD_TYPES:
                full["creators"] = data.get("creators", [])
            for f in fields:
                if f != "title":
                    full[f] = data.get(f, "")
            if parent:
                full["parentItem"] = parent
            full["tags"] = data.get("tags", [])
            if data["itemType"] not in CHILD_TYPES:
                full["collections"] = data.get("collections", [])
            full["relations"] = data.get("relations", {})
            full["dateAdded"] = full["dateModified"] = _now()
            if data.get("deleted"):
                full["deleted"] = 1
            lib.items[key] = full
            return "successful", key
        if create_only:
            raise WriteError(412, f"Item {key} already exists", key)
        if version is None and req_iusv is None:
            raise WriteError(428, "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes", key)
        if version is not None and existing["version"] > int(version):
            raise WriteError(412, f"Item has been modified since specified version (expected {version}, found {existing['version']})", key)
        new = dict(existing) if patch else {k: existing[k] for k in ("key", "itemType", "dateAdded")}
        for k, v in obj.items():
            if k in ("version", "key", "dateAdded", "dateModified"):
                continue
            new[k] = v
        if new["itemType"] != existing["itemType"]:
            fields, _ = ITEM_TYPES.get(new["itemType"], ([], []))
            for f in ITEM_TYPES[existing["itemType"]][0]:
                if f not in fields and f not in obj:
                    new.pop(f, None)
            for f in fields:
                new.setdefault(f, "")
        if "deleted" in new and not new["deleted"]:
            del new["deleted"]
        elif new.get("deleted"):
            new["deleted"] = 1
        self._validate_item({k: v for k, v in new.items() if k not in ("dateAdded", "dateModified")})
        for coll in new.get("collections", []):
            if coll not in lib.collections:
                raise WriteError(409, f"Collection {coll} doesn't exist", key)
        comparable = lambda d: {k: v for k, v in d.items() if k not in ("version", "dateModified")}  # noqa: E731
        if comparable(new) == comparable(existing):
            return "unchanged", key
        lib.version += 1
        new["version"] = lib.version
        new["dateModified"] = _now()
        lib.items[key] = self._ordered(new)
        return "successful", key

    def _ordered(self, data: dict[str, Any]) -> dict[str, Any]:
        fields, _ = ITEM_TYPES[data["itemType"]]
        order = ["key", "version", "itemType", "title", "creators", *fields, "parentItem", "tags",
                 "collections", "relations", "dateAdded", "dateModified", "deleted"]
        out = {k: data[k] for k in order if k in data}
        out.update({k: v for k, v in data.items() if k not in out})
        return out

    def _write_collection(self, lib: Library, obj: dict[str, Any], req_iusv: int | None) -> tuple[str, str]:
        if not isinstance(obj, dict):
            raise WriteError(400, "Uploaded collection must be a JSON object")
        key = obj.get("key")
        bad = set(obj) - {"key", "version", "name", "parentCollection", "relations"}
        if bad:
            raise WriteError(400, f"Invalid property '{sorted(bad)[0]}'", key)
        parent = obj.get("parentCollection")
        if parent and parent not in lib.collections:
            raise WriteError(409, f"Parent collection {parent} doesn't exist", key)
        existing = lib.collections.get(key) if key else None
        if existing is None:
            if not str(obj.get("name", "")).strip():
                raise WriteError(400, "Collection name cannot be empty", key)
            if obj.get("version") not in (None, 0) and key:
                raise WriteError(404, f"Collection {key} doesn't exist", key)
            key = key or new_key(self.rng)
            lib.version += 1
            lib.collections[key] = {"key": key, "version": lib.version, "name": obj["name"],
                                    "parentCollection": parent or False, "relations": obj.get("relations", {})}
            return "successful", key
        version = obj.get("version")
        if version is None and req_iusv is None:
            raise WriteError(428, "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes", key)
        if version is not None and existing["version"] > int(version):
            raise WriteError(412, f"Collection has been modified since specified version (expected {version}, found {existing['version']})", key)
        new = dict(existing)
        for k in ("name", "parentCollection", "relations"):
            if k in obj:
                new[k] = obj[k] or False if k == "parentCollection" else obj[k]
        if new == existing:
            return "unchanged", key
        lib.version += 1
        new["version"] = lib.version
        lib.collections[key] = new
        return "successful", key

    # --- JSON views ------------------------------------------------------------------------------

    def _library_json(self, lib: Library) -> dict[str, Any]:
        return {"type": lib.kind, "id": lib.id, "name": lib.name,
                "links": {"alternate": {"href": f"https://www.zotero.org/{lib.kind}s/{lib.id}", "type": "text/html"}}}

    def item_json(self, lib: Library, data: dict[str, Any], children: dict[str, int] | None = None) -> dict[str, Any]:
        key = data["key"]
        meta: dict[str, Any] = {}
        creators = data.get("creators", [])
        if creators:
            names = [c.get("lastName") or c.get("name", "") for c in creators]
            meta["creatorSummary"] = (names[0] if len(names) == 1 else
                                      f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al.")
        date = data.get("date", "")
        if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", date or ""):
            meta["parsedDate"] = date
        if data["itemType"] not in CHILD_TYPES:
            if children is None:
                children = self.children_counts(lib)
            meta["numChildren"] = children.get(key, 0)
        return {"key": key, "version": data["version"], "library": self._library_json(lib),
                "links": {"self": {"href": f"{PUBLIC_BASE}{lib.prefix}/items/{key}", "type": "application/json"},
                          "alternate": {"href": f"https://www.zotero.org{lib.prefix}/items/{key}", "type": "text/html"}},
                "meta": meta, "data": json.loads(json.dumps(data))}

    def children_counts(self, lib: Library) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in lib.items.values():
            if d.get("parentItem"):
                counts[d["parentItem"]] = counts.get(d["parentItem"], 0) + 1
        return counts

    def collection_json(self, lib: Library, data: dict[str, Any], children: Any = None) -> dict[str, Any]:
        key = data["key"]
        return {"key": key, "version": data["version"], "library": self._library_json(lib),
                "links": {"self": {"href": f"{PUBLIC_BASE}{lib.prefix}/collections/{key}", "type": "application/json"}},
                "meta": {"numCollections": sum(1 for c in lib.collections.values() if c["parentCollection"] == key),
                         "numItems": sum(1 for d in lib.items.values() if key in d.get("collections", []) and not d.get("deleted"))},
                "data": dict(data)}


class _Response(Signal):
    """Raised inside the handler to answer with a status, headers and a body."""

    def __init__(self, status: int, body: Any = "", headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeZotero
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: without TCP_NODELAY every keep-alive request
    # stalls ~40 ms on Nagle + delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- plumbing --------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        fake = self.server_fake
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = RequestRecord(method, url.path, query)
        with fake.lock:
            fake.requests.append(rec)
        status, payload, headers = 500, "Internal error", {}
        try:
            fault = self._take_fault(method, url.path)
            if fault and not fault.apply_write:
                raise _Response(fault.status, fault.body or _default_text(fault.status), fault.headers)
            try:
                status, payload, headers = self._route(method, url.path, query, body)
            except _Response as r:
                if not fault:
                    raise
                status, payload, headers = r.status, r.body, r.headers
            if fault:  # the write happened, but the client only sees the fault
                raise _Response(fault.status, fault.body or _default_text(fault.status), fault.headers)
        except _Response as r:
            status, payload, headers = r.status, r.body, dict(r.headers)
        except Exception as e:  # a bug in the fake: say so loudly
            status, payload, headers = 500, f"fake zotero error: {type(e).__name__}: {e}", {}
        if 200 <= status < 300:
            with fake.lock:
                if fake.backoff_next:
                    headers["Backoff"] = fake.backoff_next.pop(0)
        rec.status, rec.headers = status, headers
        try:
            self._send(status, payload, headers)
        except (BrokenPipeError, ConnectionResetError):  # the client is gone (a killed sync): fine
            self.close_connection = True

    def _take_fault(self, method: str, path: str) -> Fault | None:
        fake = self.server_fake
        with fake.lock:
            for f in fake.faults:
                if f.method == method and re.search(f.path_re, path) and f.times > 0:
                    f.times -= 1
                    if f.times == 0:
                        fake.faults.remove(f)
                    return f
            if fake.fault_rate and fake.rng.random() < fake.fault_rate:
                status = fake.rng.choice((500, 502, 503, 504))
                return Fault(method, "", status, apply_write=method != "GET" and fake.rng.random() < 0.5)
        return None

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        if isinstance(payload, (dict, list)):
            raw = json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            raw = str(payload).encode()
            if status == 204 or status == 304:
                raw = b""
            else:
                headers.setdefault("Content-Type", "text/plain" if status < 300 else "text/html; charset=UTF-8")
        self.send_response(status)
        headers.setdefault("Zotero-API-Version", "3")
        headers.setdefault("Zotero-Schema-Version", str(SCHEMA_VERSION))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)

    def _api_key(self, query: dict[str, str]) -> str | None:
        header = self.headers.get("Zotero-API-Key")
        param = query.get("key")
        if header and param and header != param:
            raise _Response(400, "Zotero-API-Key header and 'key' parameter differ")
        if header or param:
            return header or param
        auth = self.headers.get("Authorization")
        if auth:
            m = re.match(r"^bearer +([a-z0-9]+)$", auth, re.I)
            if not m:
                raise _Response(400, "Invalid Authorization header format")
            return m.group(1)
        return None

    def _access(self, lib: Library, query: dict[str, str], write: bool) -> str | None:
        fake = self.server_fake
        key = self._api_key(query)
        if key is None:
            if lib.public and not write:
                return None
            raise _Response(403, "Forbidden")
        info = fake.keys.get(key)
        if info is None:
            raise _Response(403, "Invalid key")
        if lib.kind == "user" and info["userID"] != lib.id:
            raise _Response(403, "Forbidden")
        if lib.kind == "group" and info.get("groups") is not None and lib.id not in info["groups"]:
            raise _Response(403, "Forbidden")
        if write and not info.get("write"):
            raise _Response(403, "Write access denied")
        return key

    # --- routing -----------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, str], body: bytes):
        fake = self.server_fake
        if "v" in query and query["v"] != "3":
            raise _Response(400, "Invalid API version")
        if path.startswith("/keys/"):
            key = path[len("/keys/"):]
            info = fake.keys.get(key)
            if info is None:
                raise _Response(404, "Key not found")
            return 200, {"key": key, "userID": info["userID"], "username": f"user{info['userID']}",
                         "access": {"user": {"library": True, "write": info["write"]},
                                    "groups": {"all": {"library": True, "write": info["write"]}}}}, {}
        if path in ("/itemTypes", "/itemFields", "/itemTypeFields", "/itemTypeCreatorTypes", "/creatorFields", "/items/new"):
            return self._mappings(path, query)
        m = re.match(r"^/(users|groups)/(\d+)(/.*)?$", path)
        if not m:
            raise _Response(404, "Not found")
        lib = fake.libraries.get((m.group(1)[:-1], int(m.group(2))))
        if lib is None:
            if m.group(1) == "groups":
                raise _Response(404, "Group not found")
            raise _Response(403, "Forbidden")  # another user's library
        rest = (m.group(3) or "").rstrip("/")
        with fake.lock:
            if method == "GET":
                self._access(lib, query, write=False)
                return self._read(lib, rest, query)
            api_key = self._access(lib, query, write=True)
            hook_before, hook_after = fake.before_write, fake.after_write
        if hook_before:
            hook_before(fake, method, path)
        with fake.lock:
            result = self._write(lib, method, rest, query, body, api_key)
        if hook_after:
            hook_after(fake, method, path)
        return result

    def _mappings(self, path: str, query: dict[str, str]):
        if path == "/itemTypes":
            return 200, [{"itemType": t, "localized": t} for t in ITEM_TYPES], {}
        if path == "/itemFields":
            names = sorted({f for fs, _ in ITEM_TYPES.values() for f in fs})
            return 200, [{"field": f, "localized": FIELD_LABELS.get(f, f)} for f in names], {}
        if path == "/creatorFields":
            return 200, [{"field": "firstName", "localized": "First"}, {"field": "lastName", "localized": "Last"},
                         {"field": "name", "localized": "Name"}], {}
        itype = query.get("itemType")
        if not itype:
            raise _Response(400, "'itemType' not provided")
        if itype not in ITEM_TYPES:
            raise _Response(400, f"Invalid item type '{itype}'")
        fields, creators = ITEM_TYPES[itype]
        if path == "/itemTypeFields":
            return 200, [{"field": f, "localized": FIELD_LABELS.get(f, f)} for f in fields], {}
        if path == "/itemTypeCreatorTypes":
            return 200, [{"creatorType": c, "localized": c} for c in creators], {}
        tmpl: dict[str, Any] = {"itemType": itype}
        for i, f in enumerate(fields):
            tmpl[f] = ""
            if i == 0 and creators:
                tmpl["creators"] = [{"creatorType": creators[0], "firstName": "", "lastName": ""}]
        tmpl.update({"tags": [], "collections": [], "relations": {}})
        return 200, tmpl, {}

    def _check_modified_since(self, lib: Library) -> None:
        ims = self.headers.get("If-Modified-Since-Version")
        if ims is not None and lib.version <= int(ims):
            raise _Response(304, "", {"Last-Modified-Version": str(lib.version)})

    def _read(self, lib: Library, rest: str, query: dict[str, str]):
        fake = self.server_fake
        since = query.get("since")
        if since is not None and not since.lstrip("-").isdigit():
            raise _Response(400, "Invalid 'since' value")
        since_v = int(since) if since is not None else None
        trashed = query.get("includeTrashed") in ("1", "true")
        if rest == "/deleted":
            if since_v is None:
                raise _Response(400, "'since' parameter must be provided")
            out = {"collections": [], "items": [], "searches": [], "tags": [], "settings": []}
            for v, kind, key in lib.deleted:
                if v > since_v:
                    out[kind].append(key)
            return 200, out, {"Last-Modified-Version": str(lib.version)}
        if rest in ("/searches", "/settings"):
            self._check_modified_since(lib)
            return 200, ([] if rest == "/searches" else {}), {"Last-Modified-Version": str(lib.version), "Total-Results": "0"}
        m = re.match(r"^/items/([A-Z0-9]{8})$", rest)
        if m:
            data = lib.items.get(m.group(1))
            if data is None:
                raise _Response(404, "Item does not exist")
            return 200, fake.item_json(lib, data), {"Last-Modified-Version": str(data["version"])}
        m = re.match(r"^/collections/([A-Z0-9]{8})$", rest)
        if m:
            data = lib.collections.get(m.group(1))
            if data is None:
                raise _Response(404, "Collection not found")
            return 200, fake.collection_json(lib, data), {"Last-Modified-Version": str(data["version"])}
        items_views = {
            "/items": lambda d: not d.get("deleted") or trashed,
            "/items/top": lambda d: d["itemType"] not in CHILD_TYPES and (not d.get("deleted") or trashed),
            "/items/trash": lambda d: bool(d.get("deleted")),
        }
        m_children = re.match(r"^/items/([A-Z0-9]{8})/children$", rest)
        m_coll_items = re.match(r"^/collections/([A-Z0-9]{8})/items(/top)?$", rest)
        m_subcoll = re.match(r"^/collections/([A-Z0-9]{8})/collections$", rest)
        if rest in items_views or m_children or m_coll_items:
            if rest in items_views:
                pred = items_views[rest]
            elif m_children:
                parent = m_children.group(1)
                pred = lambda d: d.get("parentItem") == parent  # noqa: E731
            else:
                coll, top = m_coll_items.group(1), bool(m_coll_items.group(2))
                if coll not in lib.collections:
                    raise _Response(404, "Collection not found")
                pred = lambda d: coll in d.get("collections", []) and (not d.get("deleted") or trashed) and (  # noqa: E731
                    not top or d["itemType"] not in CHILD_TYPES)
            objs = [d for d in lib.items.values() if pred(d)]
            if query.get("itemKey"):
                wanted = {k for k in query["itemKey"].split(",") if KEY_RE.match(k)}
                objs = [d for d in objs if d["key"] in wanted]
            if query.get("tag"):
                alts = {t.strip() for t in query["tag"].split("||")}
                objs = [d for d in objs if alts & {t["tag"] for t in d.get("tags", [])}]
            if query.get("itemType"):
                objs = [d for d in objs if d["itemType"] == query["itemType"]]
            if query.get("q"):
                q = query["q"].lower()
                objs = [d for d in objs if q in d.get("title", "").lower()]
            children = fake.children_counts(lib)
            return self._list(lib, rest, query, objs, since_v, lambda lib_, d: fake.item_json(lib_, d, children))
        if rest in ("/collections", "/collections/top") or m_subcoll:
            if rest == "/collections":
                objs = list(lib.collections.values())
            elif rest == "/collections/top":
                objs = [c for c in lib.collections.values() if not c["parentCollection"]]
            else:
                parent = m_subcoll.group(1)
                objs = [c for c in lib.collections.values() if c["parentCollection"] == parent]
            if query.get("collectionKey"):
                wanted = set(query["collectionKey"].split(","))
                objs = [c for c in objs if c["key"] in wanted]
            return self._list(lib, rest, query, objs, since_v, fake.collection_json)
        if rest == "/tags":
            self._check_modified_since(lib)
            counts: dict[str, int] = {}
            for d in lib.items.values():
                if since_v is not None and d["version"] <= since_v:
                    continue
                for t in d.get("tags", []):
                    counts[t["tag"]] = counts.get(t["tag"], 0) + 1
            tags = [{"tag": t, "links": {}, "meta": {"type": 0, "numItems": n}} for t, n in sorted(counts.items())]
            return self._page(lib, rest, query, tags, lambda x: x, json_list=True)
        raise _Response(404, "Not found")

    def _list(self, lib, rest, query, objs, since_v, to_json):
        self._check_modified_since(lib)
        if since_v is not None:
            objs = [d for d in objs if d["version"] > since_v]
        objs.sort(key=lambda d: (-d["version"], d["key"]))
        fmt = query.get("format", "json")
        if fmt == "versions":
            return 200, {d["key"]: d["version"] for d in objs}, {
                "Last-Modified-Version": str(lib.version), "Total-Results": str(len(objs))}
        if fmt == "keys":
            return 200, "\n".join(d["key"] for d in objs) + "\n", {
                "Last-Modified-Version": str(lib.version), "Total-Results": str(len(objs)), "Content-Type": "text/plain"}
        if fmt != "json":
            raise _Response(400, f"Invalid 'format' value '{fmt}'")
        return self._page(lib, rest, query, objs, lambda d: to_json(lib, d))

    def _page(self, lib, rest, query, objs, to_json, json_list=False):
        try:
            limit = int(query.get("limit", 25))
            start = int(query.get("start", 0))
        except ValueError:
            raise _Response(400, "Invalid 'limit' or 'start'") from None
        if limit <= 0:
            limit = 25
        if query.get("itemKey") or query.get("collectionKey"):
            limit = 100
        limit = min(limit, 100)
        total = len(objs)
        page = [to_json(d) for d in objs[start:start + limit]]
        headers = {"Last-Modified-Version": str(lib.version), "Total-Results": str(total)}
        params = {k: v for k, v in query.items() if k not in ("start", "key", "locale", "timeout")
                  and not (k == "format" and v == "json") and not (k == "limit" and v == "25")}
        base = f"{PUBLIC_BASE}{lib.prefix}{rest}"

        def link(s: int) -> str:
            p = dict(params)
            if s > 0:
                p["start"] = str(s)
            return f"{base}?{urlencode(sorted(p.items()))}" if p else base

        links = []
        if start > 0:
            links.append(f'<{link(0)}>; rel="first"')
            links.append(f'<{link(max(start - limit, 0))}>; rel="prev"')
        if start + limit < total:
            links.append(f'<{link(start + limit)}>; rel="next"')
            last = ((total - 1) // limit) * limit
            if last != start:
                links.append(f'<{link(last)}>; rel="last"')
        links.append(f'<https://www.zotero.org{lib.prefix}{rest}>; rel="alternate"')
        headers["Link"] = ", ".join(links)
        return 200, page, headers

    # --- writes --------------------------------------------------------------------------------

    def _iusv(self, lib: Library) -> int | None:
        v = self.headers.get("If-Unmodified-Since-Version")
        if v is None:
            return None
        if not v.isdigit():
            raise _Response(400, "Invalid If-Unmodified-Since-Version value")
        return int(v)

    def _write(self, lib: Library, method: str, rest: str, query: dict[str, str], body: bytes, api_key: str | None):
        fake = self.server_fake
        iusv = self._iusv(lib)
        if method == "POST" and rest in ("/items", "/collections"):
            if not body:
                raise _Response(400, "POST data not provided")
            try:
                objs = json.loads(body)
            except ValueError:
                raise _Response(400, "Invalid JSON") from None
            if not isinstance(objs, list):
                raise _Response(400, "Uploaded data must be a JSON array")
            if len(objs) > MAX_WRITE:
                raise _Response(413, f"Cannot add more than {MAX_WRITE} {rest[1:]} at a time")
            token = self.headers.get("Zotero-Write-Token")
            if token is not None:
                if not 5 <= len(token) <= 32:
                    raise _Response(400, "Write token must be 5-32 characters")
                if api_key is None:
                    raise _Response(400, "Write token cannot be used without an API key")
                if token in fake.write_tokens.get(api_key, set()):
                    raise _Response(412, "Write token already used")
            if iusv is not None and lib.version > iusv:
                raise _Response(412, f"Library has been modified since specified version (expected {iusv}, found {lib.version})",
                                {"Last-Modified-Version": str(lib.version)})
            report: dict[str, dict[str, Any]] = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
            writer = fake._write_item if rest == "/items" else fake._write_collection
            children = fake.children_counts(lib) if rest == "/items" else None
            to_json = (lambda lib_, d: fake.item_json(lib_, d, children)) if rest == "/items" else fake.collection_json
            store = lib.items if rest == "/items" else lib.collections
            for i, obj in enumerate(objs):
                idx = str(i)
                try:
                    outcome, key = writer(lib, obj, iusv)
                    if outcome == "unchanged":
                        report["unchanged"][idx] = key
                    else:
                        report["successful"][idx] = to_json(lib, store[key])
                        report["success"][idx] = key
                except WriteError as e:
                    entry: dict[str, Any] = {"code": e.code, "message": html.escape(e.message, quote=True).replace("&#x27;", "'")}
                    k = e.key or (obj.get("key") if isinstance(obj, dict) else None)
                    if k:
                        entry = {"key": k, **entry}
                    report["failed"][idx] = entry
            if token is not None and api_key is not None:
                fake.write_tokens.setdefault(api_key, set()).add(token)
            if fake.keys_only_reports:
                del report["successful"]
            return 200, report, {"Last-Modified-Version": str(lib.version)}
        m = re.match(r"^/(items|collections)/([A-Z0-9]{8})$", rest)
        if m and method in ("PUT", "PATCH"):
            kind, key = m.groups()
            try:
                obj = json.loads(body or b"null")
            except ValueError:
                raise _Response(400, "Invalid JSON") from None
            if not isinstance(obj, dict):
                raise _Response(400, "Uploaded data must be a JSON object")
            if set(obj) == {"key", "version", "library", "links", "meta", "data"}:
                obj = obj["data"]
            if "version" in obj and iusv is not None and int(obj["version"]) != iusv:
                raise _Response(400, "If-Unmodified-Since-Version does not match object version")
            store = lib.items if kind == "items" else lib.collections
            version = iusv if iusv is not None else obj.get("version")
            if key not in store:
                if method == "PATCH" and not version:
                    raise _Response(404, "Item does not exist" if kind == "items" else "Collection not found")
            elif version is None:
                raise _Response(428, "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes")
            elif store[key]["version"] > int(version):
                raise _Response(412, f"{'Item' if kind == 'items' else 'Collection'} has been modified since specified version (expected {version}, found {store[key]['version']})",
                                {"Last-Modified-Version": str(store[key]["version"])})
            obj = {**obj, "key": key, "version": store[key]["version"] if key in store else 0}
            try:
                if kind == "items":
                    fake._write_item(lib, obj, None, patch=(method == "PATCH"))
                else:
                    fake._write_collection(lib, obj, None)
            except WriteError as e:
                raise _Response(e.code, e.message) from None
            return 204, "", {"Last-Modified-Version": str(lib.version)}
        if method == "DELETE":
            if m:
                kind, key = m.groups()
                if iusv is None:
                    raise _Response(428, "If-Unmodified-Since-Version must be provided for delete requests")
                store = lib.items if kind == "items" else lib.collections
                if key not in store:
                    raise _Response(404, "Not found")
                if store[key]["version"] > iusv:
                    raise _Response(412, f"Object has been modified since specified version (expected {iusv}, found {store[key]['version']})",
                                    {"Last-Modified-Version": str(store[key]["version"])})
                self._delete(lib, kind, [key])
                return 204, "", {"Last-Modified-Version": str(lib.version)}
            if rest in ("/items", "/collections"):
                param = "itemKey" if rest == "/items" else "collectionKey"
                keys = [k for k in query.get(param, "").split(",") if KEY_RE.match(k)]
                if iusv is not None and lib.version > iusv:
                    raise _Response(412, f"Library has been modified since specified version (expected {iusv}, found {lib.version})",
                                    {"Last-Modified-Version": str(lib.version)})
                self._delete(lib, rest[1:], keys)
                return 204, "", {"Last-Modified-Version": str(lib.version)}
            if rest == "/tags":
                if iusv is None:
                    raise _Response(428, "If-Unmodified-Since-Version not provided")
                if lib.version > iusv:
                    raise _Response(412, "Library has been modified since specified version", {"Last-Modified-Version": str(lib.version)})
                names = {t.strip() for t in query.get("tag", "").split("||")}
                for d in lib.items.values():
                    kept = [t for t in d.get("tags", []) if t["tag"] not in names]
                    if len(kept) != len(d.get("tags", [])):
                        lib.version += 1
                        d["tags"], d["version"] = kept, lib.version
                return 204, "", {"Last-Modified-Version": str(lib.version)}
        raise _Response(405, "Method not allowed")

    def _delete(self, lib: Library, kind: str, keys: list[str]) -> None:
        store = lib.items if kind == "items" else lib.collections
        present = [k for k in keys if k in store]
        if not present:
            return
        lib.version += 1
        for k in present:
            del store[k]
            lib.deleted.append((lib.version, kind, k))
            if kind == "items":  # children go with their parent
                for ck in [c for c, d in store.items() if d.get("parentItem") == k]:
                    del store[ck]
                    lib.deleted.append((lib.version, kind, ck))
            else:
                for d in lib.items.values():
                    if k in d.get("collections", []):
                        d["collections"] = [c for c in d["collections"] if c != k]


def _default_text(status: int) -> str:
    return {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict",
            412: "Precondition failed", 428: "Precondition required", 429: "Too many requests",
            500: "An error occurred", 503: "Service unavailable"}.get(status, "Error")


def main(argv: list[str] | None = None) -> None:
    import argparse
    import time

    ap = argparse.ArgumentParser(description="Run a fake Zotero Web API v3 on 127.0.0.1.")
    ap.add_argument("--key", required=True, help="API key the fake accepts (write access)")
    ap.add_argument("--group", type=int, action="append", default=[], help="group library id (repeatable)")
    ap.add_argument("--user", type=int, default=1, help="user library id")
    args = ap.parse_args(argv)
    fake = FakeZotero()
    fake.add_key(args.key, user_id=args.user)
    fake.add_library("user", args.user)
    for g in args.group:
        fake.add_library("group", g)
    fake.start()
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
