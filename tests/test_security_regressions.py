"""Issue 13's attacks tried again from outside: real HTTP against the served app, real CLI."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from http.cookies import SimpleCookie

import pytest
from web_support import ACME_EMAIL, GLOBEX_EMAIL, PASSWORD, build_site, serving

from matcher.records.jobs import load_job


class Browser:
    """A cookie-keeping HTTP client that never follows redirects."""

    def __init__(self, base_url: str) -> None:
        self.host = urllib.parse.urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | dict | None = None, headers=None):
        connection = http.client.HTTPConnection(self.host, timeout=30)
        sent = dict(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, text

    def csrf(self, path: str) -> str:
        _, _, page = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def sign_in(self, email: str, password: str, next_path: str = ""):
        token = self.csrf("/sign-in")
        query = f"?next={next_path}" if next_path else ""
        data = {"email": email, "password": password, "csrf_token": token}
        return self.request("POST", "/sign-in" + query, data)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("regressions"), workers=5)


@pytest.fixture(scope="module")
def base_url(site):
    with serving(site.app) as url:
        yield url


@pytest.mark.parametrize("next_path", ["/%09/evil.example", "/%0a/x", "/%5C%5Cevil.example"])
def test_open_redirect_after_sign_in_is_closed(base_url, next_path):
    status, headers, _ = Browser(base_url).sign_in(ACME_EMAIL, PASSWORD, next_path)

    assert (status, headers["Location"]) == (302, "/jobs")


def test_cookie_session_with_a_junk_bearer_header_still_needs_csrf(site, base_url):
    browser = Browser(base_url)
    assert browser.sign_in(ACME_EMAIL, PASSWORD)[0] == 302

    status, _, _ = browser.request(
        "POST", "/jobs/ACME-1/close", {}, headers={"Authorization": "Bearer junk"}
    )

    assert status == 400
    assert load_job(site.db(), "ACME-1").status == "open"


def test_deeply_nested_json_is_400_and_bad_link_signatures_404(site, base_url):
    browser = Browser(base_url)
    token = site.token(ACME_EMAIL)
    status, _, body = browser.request(
        "POST",
        "/api/v1/outcomes",
        "[" * 100_000,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert status == 400 and json.loads(body)["error"]

    path = "/email/unsubscribe/" + urllib.parse.quote("dW5zdWJzY3JpYmU6MTo.é")
    assert browser.request("GET", path)[0] == 404


def test_strangers_failures_do_not_lock_the_owner_out(base_url):
    owner = Browser(base_url)
    assert owner.sign_in(GLOBEX_EMAIL, PASSWORD)[0] == 302
    owner.request("POST", "/sign-out", {"csrf_token": owner.csrf("/jobs")})

    attacker = Browser(base_url)
    codes = [attacker.sign_in(GLOBEX_EMAIL, f"guess-{n}")[0] for n in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}

    assert owner.sign_in(GLOBEX_EMAIL, PASSWORD)[0] == 302


def test_hostile_rows_are_rejected_by_line_and_field_and_the_rest_land(tmp_path, run_cli):
    jobs = tmp_path / "jobs.jsonl"
    good = {"external_id": "OK", "employer": "E", "title": "Dev", "city": "Toronto"}
    rows = [
        {**good, "external_id": "X", "title": "Dev\r\nBcc: a@b.example"},
        {**good, "external_id": "S", "title": "Dev \ud800"},
        {**good, "external_id": "N", "description": "a\x00b"},
        {**good, "external_id": "BIG", "description": "x" * 10_000_000},
        good,
    ]
    jobs.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")

    result = run_cli("import", "jobs", str(jobs))

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "1 inserted" in result.stdout
    for line, field in [(1, "title"), (2, "title"), (3, "description"), (4, "description")]:
        assert f"line {line}: {field}:" in result.stdout


def test_csv_export_is_spreadsheet_safe_only_when_asked(tmp_path, run_cli):
    workers = tmp_path / "w.csv"
    workers.write_text(
        "external_id,name,email,work_authorization\n"
        'W1,"=HYPERLINK(""http://evil.example"")",w1@example.org,citizen\n',
        encoding="utf-8",
    )
    run_cli("import", "workers", str(workers), check=True)
    plain, safe = tmp_path / "plain.csv", tmp_path / "safe.csv"

    run_cli("export", "workers", str(plain), check=True)
    run_cli("export", "workers", str(safe), "--spreadsheet-safe", check=True)

    assert ',"=HYPERLINK(' in plain.read_text() and ",\"'=HYPERLINK(" in safe.read_text()
