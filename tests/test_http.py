"""plmcite.http: retries, Retry-After, spacing, User-Agent, offline, cache — over real HTTP.

Every test talks to the local fake services (plmcite.testing) through the real client code;
faults are scripted on the server side with ``net.inject``.
"""

from __future__ import annotations

import email.utils
import json
import time
from pathlib import Path

import pytest

from plmcite.http import Cache, FetchError, Http, HttpSettings, Malformed, OfflineError, Refused, namespace, parse_retry_after
from plmcite.testing.fakes import FakeInternet

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


@pytest.fixture(scope="module")
def net():
    with FakeInternet(FIXTURES, services=["dblp"], hang_s=1.0) as net:
        yield net


@pytest.fixture
def dblp(net):
    net.reset_log()
    return net.urls["dblp"] + "/search/publ/api"


def settings(**kw) -> HttpSettings:
    base = dict(contact="tester@example.org", timeout=0.4, retries=4, backoff=0.01, max_backoff=0.05, min_interval={})
    base.update(kw)
    return HttpSettings(**base)


def parse_hits(resp):
    data = resp.json()
    if "result" not in data:
        raise Malformed("no result")
    return int(data["result"]["hits"]["@total"])


PARAMS = {"q": "guided profile", "format": "json"}


def test_plain_get_counts_and_sends_contact_user_agent(net, dblp):
    with Http(settings()) as http:
        assert http.get("dblp", dblp, PARAMS, parse=parse_hits) >= 1
        assert http.requests["dblp"] == 1
    ua = net.requests("dblp")[0].user_agent
    assert ua.startswith("plmcite/") and "mailto:tester@example.org" in ua


@pytest.mark.parametrize("fault", ["500", "502", "503", "504", "malformed", "reset", "timeout"])
def test_transient_faults_are_retried(net, dblp, fault):
    net.inject("dblp", fault, times=2)
    with Http(settings()) as http:
        assert http.get("dblp", dblp, PARAMS, parse=parse_hits) >= 1
        assert http.requests["dblp"] == 3 and http.retried["dblp"] == 2
    statuses = [r.status for r in net.requests("dblp")]
    assert statuses[-1] == 200 and len(statuses) == 3


def test_retry_after_is_honoured(net, dblp):
    net.inject("dblp", "429", times=1, retry_after=7)
    waits: list[float] = []
    with Http(settings(), sleep=waits.append) as http:
        http.get("dblp", dblp, PARAMS, parse=parse_hits)
    assert waits and max(waits) >= 7  # the server asked for 7 s: backoff alone would be 0.01 s


def test_too_long_retry_after_fails_instead_of_hanging(net, dblp):
    net.inject("dblp", "429", times=1, retry_after=3600)
    waits: list[float] = []
    with Http(settings(max_retry_after=60), sleep=waits.append) as http:
        with pytest.raises(FetchError, match="429"):
            http.get("dblp", dblp, PARAMS, parse=parse_hits)
        assert http.failures["dblp"] == 1
    assert not any(w >= 60 for w in waits)


def test_gives_up_after_the_retry_budget(net, dblp):
    net.inject("dblp", "503", times=3)  # exactly the budget: nothing left over for later tests
    with Http(settings(retries=2)) as http:
        with pytest.raises(FetchError, match="gave up after 3 attempt"):
            http.get("dblp", dblp, PARAMS, parse=parse_hits)
        assert http.requests["dblp"] == 3


def test_backoff_grows_exponentially_with_jitter():
    import random

    http = Http(settings(backoff=1.0, max_backoff=100), rng=random.Random(1))
    waits = [http._backoff(a, None) for a in range(5)]
    for a, w in enumerate(waits):
        assert 0.5 * 2**a <= w <= 2**a
    assert http._backoff(10, None) <= 100


def test_min_interval_spaces_requests_to_one_host(net, dblp):
    with Http(settings(min_interval={"dblp": 0.25})) as http:
        for _ in range(3):
            http.get("dblp", dblp, PARAMS, parse=parse_hits)
    times = [r.time for r in net.requests("dblp")]
    assert len(times) == 3
    assert all(b - a >= 0.24 for a, b in zip(times, times[1:]))


def test_offline_never_touches_the_network(net, dblp):
    with Http(settings(), offline=True) as http:
        with pytest.raises(OfflineError, match="offline"):
            http.get("dblp", dblp, PARAMS, parse=parse_hits)
    assert net.count("dblp") == 0


def test_non_retryable_status_goes_to_the_parser(net):
    seen = []
    with Http(settings()) as http:
        http.get("dblp", net.urls["dblp"] + "/rec/no/such/key.bib", parse=lambda r: seen.append(r.status))
    assert seen == [404]


def test_a_body_of_another_shape_is_malformed_never_a_crash(net, dblp):
    """A parser that trips on an unexpected body (a key it expects is missing, a list where an
    object was due) makes that one request fail after its retries, naming what it met."""
    with Http(settings(retries=2)) as http:
        with pytest.raises(FetchError, match=r"malformed body: unexpected shape \(KeyError: 'no_such_key'\)"):
            http.get("dblp", dblp, PARAMS, parse=lambda r: r.json()["no_such_key"])
        assert http.requests["dblp"] == 3 and http.failures["dblp"] == 1


def test_a_refusal_is_not_retried_and_is_counted_for_the_summary(net, dblp):
    def refuse(resp):
        raise Refused("the service refused the request (challenge)", status=403)

    with Http(settings()) as http:
        with pytest.raises(Refused):
            http.get("dblp", dblp, PARAMS, parse=refuse)
        http.note_refused("dblp", "the service refused the request (challenge)", n=2)
        assert http.requests["dblp"] == 1 and http.failures["dblp"] == 0
        assert http.refused["dblp"] == 2 and http.refusals == {"dblp": "the service refused the request (challenge)"}


def test_parse_retry_after_forms():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 25 <= parse_retry_after(date, now=lambda: now) <= 31


def test_cache_roundtrip_namespaces_and_damage(tmp_path):
    c = Cache(tmp_path)
    ns_real = namespace("dblp", "https://dblp.org", "search")
    ns_test = namespace("dblp", "http://127.0.0.1:1234", "search")
    assert ns_real != ns_test  # a test server's answers never stand in for the real service's
    c.put(ns_real, "q", {"records": [1]}, "2025-01-02")
    hit = c.get(ns_real, "q")
    assert hit.value == {"records": [1]} and hit.retrieved == "2025-01-02"
    assert c.get(ns_test, "q") is None
    # a damaged file is a miss, not a crash
    path = next(p for p in tmp_path.rglob("*.json"))
    path.write_text("{not json", encoding="utf-8")
    assert c.get(ns_real, "q") is None
    # and no temporary files are left behind by writes
    c.put(ns_real, "q", {"records": [2]}, "2025-01-03")
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert json.loads(path.read_text())["value"] == {"records": [2]}


def test_settings_from_config(tmp_path):
    from plmcite.config import load_config

    (tmp_path / "plmcite.toml").write_text(
        '[contact]\nemail = "a@b.org"\n[http]\ntimeout = 3\nretries = 2\n[sources.arxiv]\nmin_interval = 5\n',
        encoding="utf-8")
    s = HttpSettings.from_config(load_config(tmp_path / "plmcite.toml"))
    assert (s.contact, s.timeout, s.retries, s.min_interval["arxiv"], s.min_interval["dblp"]) == ("a@b.org", 3.0, 2, 5.0, 1.0)


def test_default_cache_dir_env(monkeypatch, tmp_path):
    from plmcite.http import default_cache_dir

    monkeypatch.setenv("PLMCITE_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("PLMCITE_CACHE_DIR")
    assert "plmcite" in str(default_cache_dir())


def test_spacing_counts_from_the_start_of_a_request():
    """arXiv's "one request every 3 s": a 2-second answer leaves 1 s (and the 0.1-s margin) to wait, not 3."""
    now = [100.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(round(s, 3))
        now[0] += s

    def slow_answer():
        now[0] += 2.0  # the service takes 2 s to answer
        return "ok"

    with Http(settings(min_interval={"arxiv": 3.0}), sleep=sleep, clock=lambda: now[0]) as http:
        assert http.call("arxiv", "export.arxiv.org", slow_answer, "q1") == "ok"
        assert http.call("arxiv", "export.arxiv.org", slow_answer, "q2") == "ok"
    assert waits == [1.1]
