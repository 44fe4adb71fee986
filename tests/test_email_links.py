"""The links in match emails, over real HTTP against the real app: unsubscribe page,
RFC 8058 one-click POST (no session, no CSRF token), and "not relevant"."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from notification_fixtures import PYTHONISTA, add_subscriber, python_jobs
from werkzeug.serving import make_server

from matcher.config import Settings
from matcher.notifications import consent, links
from matcher.notifications.digests import queue_digests
from web import create_app

KEY = "email-links-test-key"


@pytest.fixture
def server(db, db_path, models_dir):
    """The real app served over HTTP on loopback; yields its base URL."""
    settings = Settings(db_path=db_path, models_dir=models_dir, secret_key=KEY)
    app = create_app(settings=settings)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(10)


def request(url: str, data: dict | None = None, opener=None):
    """(status, body) of a GET, or of a form POST when `data` is given."""
    body = None if data is None else urllib.parse.urlencode(data).encode()
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def ledger(db, worker: int) -> list[tuple]:
    return db.execute(
        "SELECT granted, method FROM consents WHERE worker_id = ? ORDER BY id", [worker]
    ).fetchall()


def test_one_click_post_unsubscribes_without_session_or_csrf_token(db, server):
    worker = add_subscriber(db, "W1", **PYTHONISTA)
    url = links.one_click_unsubscribe_url(server, KEY, worker)

    status, body = request(url, {"List-Unsubscribe": "One-Click"})

    assert (status, body) == (200, "Unsubscribed from match emails.\n")
    assert not consent.may_email(db, worker)
    assert ledger(db, worker) == [(1, "test"), (0, "one_click_unsubscribe")]
    assert request(url, {"List-Unsubscribe": "One-Click"})[0] == 200
    assert len(ledger(db, worker)) == 2, "a repeated click records nothing new"


def test_one_click_refuses_forged_token_and_wrong_body(db, server):
    worker = add_subscriber(db, "W1", **PYTHONISTA)
    forged = links.one_click_unsubscribe_url(server, "not the key", worker)
    assert request(forged, {"List-Unsubscribe": "One-Click"})[0] == 404
    url = links.one_click_unsubscribe_url(server, KEY, worker)
    assert request(url, {"something": "else"})[0] == 400
    status, _ = request(url)  # a GET (a link scanner) changes nothing
    assert status == 200
    assert consent.may_email(db, worker)


def test_unsubscribe_page_asks_then_posts_and_takes_effect_before_the_next_send(
    db, db_path, models_dir, server
):
    worker = add_subscriber(db, "W1", email="ana@example.com", **PYTHONISTA)
    python_jobs(db)
    settings = Settings(db_path=db_path, models_dir=models_dir, secret_key=KEY)
    import datetime as dt

    queue_digests(db, settings, dt.datetime.now(dt.UTC))
    url = links.unsubscribe_url(server, KEY, worker)
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    status, page = request(url, opener=browser)
    assert status == 200 and "Stop sending match emails to ana@example.com?" in page
    assert consent.may_email(db, worker), "showing the page changes nothing"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert request(url, {}, opener=browser)[0] == 400, "the page's own form keeps its CSRF check"
    status, page = request(url, {"csrf_token": token}, opener=browser)

    assert status == 200 and "You are unsubscribed" in page
    assert ledger(db, worker)[-1] == (0, "unsubscribe_page")
    assert db.execute("SELECT status FROM email_outbox").fetchall() == [("failed",)]
    assert "is not receiving match emails" in request(url, opener=browser)[1]


def test_not_relevant_link_records_feedback_on_post_only(db, server):
    worker = add_subscriber(db, "W1", **PYTHONISTA)
    job, _ = python_jobs(db)
    url = links.not_relevant_url(server, KEY, worker, job)
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    status, page = request(url, opener=browser)
    assert status == 200 and "Python developer 1 at Employer 1" in page
    assert db.execute("SELECT count(*) FROM match_feedback").fetchone() == (0,)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, page = request(url, {"csrf_token": token}, opener=browser)

    assert status == 200 and "will not suggest this job" in page
    assert db.execute("SELECT worker_id, job_id, kind FROM match_feedback").fetchall() == [
        (worker, job, "not_relevant")
    ]
    unsubscribe_token = links.unsubscribe_url(server, KEY, worker).rsplit("/", 1)[1]
    wrong_action = f"{server}/email/not-relevant/{unsubscribe_token}"
    assert request(wrong_action, opener=browser)[0] == 404
