"""A small, real site for web tests: a SQLite file with two employers, jobs, workers and users."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import waitress
from flask import Flask
from flask.testing import FlaskClient

from matcher import accounts
from matcher.config import Settings
from matcher.importing import import_rows
from matcher.store import open_database
from web import create_app

PASSWORD = "correct-horse-battery"
ACME_EMAIL = "recruiter@acme.example"
GLOBEX_EMAIL = "recruiter@globex.example"
WORKER_EMAIL = "worker@example.org"
OPERATOR_EMAIL = "ops@talentmatch.example"
CITY_ORDERS = ["Toronto;Montreal", "Montreal;Toronto", "Vancouver", "Toronto", "Montreal"]
AUTHORIZATIONS = ["citizen", "open_work_permit", "permanent_resident", "needs_permit"]
SKILL_SETS = ["python:5;sql:3", "python;django;postgresql", "java;sql", "python:2", "go;kubernetes"]


def worker_rows(count: int = 30) -> list[dict]:
    """Varied workers, deterministic, named so tests can check names stay hidden."""
    return [
        {
            "external_id": f"W{n}",
            "name": f"Secret Name {n}",
            "email": f"w{n}@private.example",
            "skills": SKILL_SETS[n % len(SKILL_SETS)],
            "years_experience": n % 12,
            "education": "bachelor",
            "city_preferences": CITY_ORDERS[n % len(CITY_ORDERS)],
            "open_to_remote": "yes" if n % 2 else "no",
            "english_level": 9,
            "french_level": n % 13,
            "salary_expectation_cad": 80_000 + 1000 * n,
            "work_authorization": AUTHORIZATIONS[n % len(AUTHORIZATIONS)],
            "available_from": f"2027-0{1 + n % 9}-01",
        }
        for n in range(1, count + 1)
    ]


JOB_ROWS = [
    {
        "external_id": "ACME-1",
        "employer": "Acme",
        "title": "Python developer",
        "required_skills": "python;sql",
        "nice_to_have_skills": "django",
        "city": "Toronto",
        "min_years_experience": 3,
        "salary_min_cad": 90000,
        "salary_max_cad": 120000,
        "french_level_required": 0,
    },
    {
        "external_id": "GLOBEX-1",
        "employer": "Globex",
        "title": "Go engineer",
        "required_skills": "go;kubernetes",
        "city": "Montreal",
        "french_level_required": 5,
    },
]


@dataclass
class Site:
    app: Flask
    db_path: Path
    models_dir: Path

    def db(self):
        return open_database(self.db_path)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def signed_in(self, email: str = ACME_EMAIL) -> FlaskClient:
        client = self.client()
        response = sign_in(client, email, PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def token(self, email: str) -> str:
        db = self.db()
        try:
            return accounts.create_api_token(db, accounts.find_user_by_email(db, email).id)
        finally:
            db.close()


def build_site(
    tmp_path: Path, *, workers: int = 30, settings: dict | None = None, **config: object
) -> Site:
    """A seeded database and an app on it (testing mode, CSRF on).

    Emails stay in the outbox unless `EMAIL_DELIVERY` says otherwise (and `settings` names
    an SMTP port), so no test mails a server someone else runs on the default port.
    """
    config.setdefault("EMAIL_DELIVERY", "off")
    db_path = tmp_path / "talentmatch.db"
    models_dir = tmp_path / "models"
    models_dir.mkdir(exist_ok=True)
    db = open_database(db_path)
    try:
        report = import_rows(db, "workers", worker_rows(workers))
        assert not report.rejected, report.rejected
        report = import_rows(db, "jobs", JOB_ROWS)
        assert not report.rejected, report.rejected
        accounts.create_user(db, email=ACME_EMAIL, password=PASSWORD, employer_name="Acme")
        accounts.create_user(db, email=GLOBEX_EMAIL, password=PASSWORD, employer_name="Globex")
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = 'W1'").fetchone()[0]
        accounts.create_user(
            db, email=WORKER_EMAIL, password=PASSWORD, role="worker", worker_id=worker_id
        )
        accounts.create_user(db, email=OPERATOR_EMAIL, password=PASSWORD, role="operator")
    finally:
        db.close()
    site_settings = Settings(
        db_path=db_path, models_dir=models_dir, secret_key="test-secret", **(settings or {})
    )
    app = create_app(test_config={"TESTING": True, **config}, settings=site_settings)
    return Site(app, db_path, models_dir)


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str, next_path: str | None = None):
    """Sign in through the real form, CSRF token included."""
    page = client.get("/sign-in").get_data(as_text=True)
    url = "/sign-in" + (f"?next={next_path}" if next_path else "")
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token_from(page)}
    )


def post_form(client: FlaskClient, page_url: str, action_url: str, data: dict):
    """Post to `action_url` with the CSRF token taken from `page_url`, as a browser would."""
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(action_url, data={**data, "csrf_token": token})


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app behind waitress on a free loopback port, in a background thread; yields its URL."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # Closing the sockets from this thread can land inside the loop's select().
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)


@contextlib.contextmanager
def catching_mail(site: Site) -> Iterator:
    """A real SMTP server (aiosmtpd) on loopback that the site's account emails go to."""
    from notification_fixtures import FaultySmtpHandler, start_smtp

    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    settings = site.app.config["SETTINGS"]
    site.app.config["SETTINGS"] = settings.with_overrides(
        smtp_port=controller.port, base_url="http://tm.test"
    )
    try:
        yield handler
    finally:
        controller.stop()


def sign_up_link(handler, email: str) -> str:
    """The path of the newest sign-up link mailed to `email`."""
    for message in reversed(handler.received):
        found = re.search(r"http://tm\.test(/sign-up/confirm/\S+)", message.get_content())
        if message["To"] == email and found:
            return found.group(1)
    raise AssertionError(f"no sign-up link was mailed to {email}")


def sign_up_worker(client: FlaskClient, handler, data: dict):
    """Sign up through the form and the mailed link, as a worker does; the link's answer."""
    answer = post_form(client, "/sign-up", "/sign-up", data)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    link = sign_up_link(handler, data["email"])
    return post_form(client, link, link, {})
