"""The fake Zotero Web API speaks the protocol of api-protocols.md section 1 (checked with pyzotero and raw HTTP)."""

from __future__ import annotations

import json

import httpx2
import pytest
from pyzotero import errors as ze
from pyzotero import zotero

from plmcite.testing.zotero_fake import FakeZotero

KEY = "fakeproto123"


@pytest.fixture
def fake(fake_zotero) -> FakeZotero:
    return fake_zotero({KEY: 3}, "group:9", "user:3")


@pytest.fixture
def zot(fake):
    z = zotero.Zotero(9, "group", KEY)
    z.endpoint = fake.url
    return z


def make(zot, n: int, **fields):
    tmpl = zot.item_template("preprint")
    for i in range(0, n, 50):
        report = zot.create_items([dict(tmpl, title=f"Item {j}", **fields) for j in range(i, min(n, i + 50))])
        assert not report["failed"]


def raw(fake, method, path, headers=None, **kw):
    return httpx2.request(method, fake.url + path, headers={"Authorization": f"Bearer {KEY}", **(headers or {})}, **kw)


def test_pagination_and_since_through_pyzotero(fake, zot):
    make(zot, 250)
    v = zot.last_modified_version()
    assert len(zot.everything(zot.top(limit=100))) == 250
    assert zot.num_items() == 250
    make(zot, 30, date="2024")
    got = zot.everything(zot.top(since=v, limit=10))
    assert len(got) == 30 and all(d["data"]["date"] == "2024" for d in got)
    paged = [r for r in fake.requests if r.path.endswith("/items/top") and r.query.get("since") == str(v)]
    assert len(paged) == 3 and paged[-1].query["start"] == "20"
    assert len(zot.item_versions(since=v)) == 30  # format=versions has no limit
    link = raw(fake, "GET", "/groups/9/items?limit=100&start=100").headers["Link"]
    assert 'rel="next"' in link and 'rel="prev"' in link and "https://api.zotero.org/groups/9/items?limit=100&start=200" in link


def test_write_report_versions_and_preconditions(fake, zot):
    tmpl = zot.item_template("journalArticle")
    report = zot.create_items([dict(tmpl, title="A"), dict(tmpl, title="B", proceedingsTitle="X")])
    assert set(report) == {"successful", "success", "unchanged", "failed"}
    assert list(report["successful"]) == ["0"] and report["failed"]["1"]["code"] == 400
    assert "not a valid field" in report["failed"]["1"]["message"]
    item = report["successful"]["0"]
    key, version = item["key"], item["version"]
    assert item["data"]["version"] == version == fake.library("group:9").version
    # keyed write without version or header: 428 in the report; stale version: 412
    r = raw(fake, "POST", "/groups/9/items", json=[{"key": key, "title": "C"}])
    assert r.json()["failed"]["0"]["code"] == 428
    zot.update_item(dict(item["data"], title="A2"))
    r = raw(fake, "POST", "/groups/9/items", json=[{"key": key, "version": version, "title": "C"}])
    assert r.json()["failed"]["0"]["code"] == 412
    # library-level precondition and write tokens
    r = raw(fake, "POST", "/groups/9/items", headers={"If-Unmodified-Since-Version": str(version)}, json=[dict(tmpl, title="D")])
    assert r.status_code == 412 and int(r.headers["Last-Modified-Version"]) > version
    headers = {"Zotero-Write-Token": "a" * 32}
    assert raw(fake, "POST", "/groups/9/items", headers=headers, json=[dict(tmpl, title="E")]).status_code == 200
    assert raw(fake, "POST", "/groups/9/items", headers=headers, json=[dict(tmpl, title="E")]).status_code == 412
    assert raw(fake, "POST", "/groups/9/items", json=[dict(tmpl, title=str(i)) for i in range(51)]).status_code == 413
    # unchanged objects
    current = zot.item(key)["data"]
    r = raw(fake, "POST", "/groups/9/items", json=[{"key": key, "version": current["version"], "title": "A2"}])
    assert r.json()["unchanged"] == {"0": key}


def test_single_object_writes_and_deletes(fake, zot):
    make(zot, 3)
    items = zot.top()
    one = items[0]
    assert raw(fake, "PATCH", f"/groups/9/items/{one['key']}", json={"title": "x"}).status_code == 428
    assert zot.update_item(dict(one["data"], title="patched")) is True
    with pytest.raises(ze.PreConditionFailedError):
        zot.update_item(dict(one["data"], title="stale"))
    v = zot.last_modified_version()
    assert raw(fake, "DELETE", f"/groups/9/items/{items[1]['key']}").status_code == 428
    assert zot.delete_item(zot.item(items[1]["key"])) is True
    assert zot.deleted(since=v)["items"] == [items[1]["key"]]
    assert raw(fake, "GET", "/groups/9/deleted").status_code == 400
    # a trashed item is out of /items unless includeTrashed=1
    zot.update_item(dict(zot.item(items[2]["key"])["data"], deleted=1))
    assert len(zot.top()) == 1 and len(zot.top(includeTrashed=1)) == 2 and len(zot.trash()) == 1


def test_conditional_read_and_mappings(fake, zot):
    make(zot, 2)
    v = zot.last_modified_version()
    assert raw(fake, "GET", "/groups/9/items", headers={"If-Modified-Since-Version": str(v)}).status_code == 304
    assert {f["field"] for f in zot.item_fields()} >= {"title", "proceedingsTitle", "archiveID", "extra", "DOI"}
    assert any(r.path == "/itemFields" and r.query.get("timeout") == "30" for r in fake.requests)
    tmpl = zot.item_template("conferencePaper")
    assert list(tmpl)[:3] == ["itemType", "title", "creators"] and tmpl["tags"] == []
    assert raw(fake, "GET", "/items/new?itemType=nope").status_code == 400


def test_authentication_forms(fake):
    assert httpx2.get(fake.url + "/groups/9/items", headers={"Zotero-API-Key": KEY}).status_code == 200
    assert httpx2.get(fake.url + f"/groups/9/items?key={KEY}").status_code == 200
    assert httpx2.get(fake.url + "/groups/9/items?key=other", headers={"Zotero-API-Key": KEY}).status_code == 400
    assert httpx2.get(fake.url + "/groups/9/items", headers={"Authorization": "Bearer not-alnum!"}).status_code == 400
    r = httpx2.get(fake.url + "/groups/9/items", headers={"Authorization": "Bearer unknown1"})
    assert r.status_code == 403 and r.text == "Invalid key"
    assert httpx2.get(fake.url + "/groups/9/items").status_code == 403
    assert httpx2.get(fake.url + "/users/4/items", headers={"Zotero-API-Key": KEY}).status_code == 403


def test_rate_limit_injection_as_pyzotero_sees_it(fake, zot):
    """Why plmcite does its own POST: pyzotero's create_items cannot survive a 429."""
    fake.inject("GET", r"/items$", 429, headers={"Retry-After": "0.2"})
    assert zot.items() == []  # reads wait and retry
    fake.inject("POST", r"/items$", 429, headers={"Retry-After": "0.1"})
    with pytest.raises(json.JSONDecodeError):
        zot.create_items([dict(zot.item_template("preprint"), title="x")])
    fake.backoff_next = ["0.1"]
    zot.items()
    assert fake.requests[-1].headers.get("Backoff") == "0.1"
