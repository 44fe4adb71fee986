"""Contact requests with a message: the worker's email, its signed answer links, and the
employer's email when the worker answers (real aiosmtpd on loopback, real HTTP)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from test_security_delivery import SlowToConfirmHandler
from web_support import ACME_EMAIL, build_site, csrf_token_from, post_form

from matcher.hiring.contact_requests import request_contact
from matcher.notifications import consent, links, outbox

BASE_URL = "https://tm.example"
KEY = "test-secret"
MESSAGE = "Bonjour!\r\nWe liked your Python work.\nBcc: evil@example.com\n\nCall?"
W2_EMAIL = "w2@private.example"


@pytest.fixture
def smtp():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def site(tmp_path, smtp):
    settings = {"smtp_port": smtp[1], "base_url": BASE_URL}
    return build_site(tmp_path, workers=8, settings=settings, EMAIL_DELIVERY="background")


def wait_for_mail(handler, count: int, seconds: float = 20.0) -> list:
    deadline = time.monotonic() + seconds
    while len(handler.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(handler.received) >= count, f"{len(handler.received)} emails, wanted {count}"
    return handler.received


def contact(client, worker: str, message: str = MESSAGE):
    page = f"/jobs/ACME-1/candidates/{worker}"
    return post_form(client, page, f"{page}/decisions", {"stage": "contacted", "message": message})


def link_in(text: str, answer: str) -> str:
    match = re.search(rf"{re.escape(BASE_URL)}(/email/contact-requests/\S+/{answer})", text)
    assert match, f"no {answer} link in:\n{text}"
    return match.group(1)


def bodies(message) -> tuple[str, str]:
    """The text and HTML parts, with the line breaks SMTP carried as CRLF back to LF."""
    parts = (message.get_body((kind,)).get_content() for kind in ("plain", "html"))
    return tuple(part.replace("\r\n", "\n") for part in parts)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def answer_by_link(client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page_text(page)
    return client.post(path, data={"csrf_token": csrf_token_from(page_text(page))})


def test_accepting_from_the_email_link_sends_the_employer_the_workers_contact(site, smtp):
    handler, _ = smtp
    employer = site.signed_in()
    db = site.db()
    worker_id = db.execute("SELECT id FROM workers WHERE external_id = 'W2'").fetchone()[0]
    assert not consent.may_email(db, worker_id), "transactional: sent without match consent"

    assert contact(employer, "W2").status_code == 302
    [to_worker] = wait_for_mail(handler, 1)

    assert to_worker["To"] == W2_EMAIL and to_worker["List-Unsubscribe"] is None
    assert to_worker["Subject"] == "Acme would like to contact you about Python developer"
    assert to_worker["Bcc"] is None
    text, html = bodies(to_worker)
    assert "Bonjour!\nWe liked your Python work.\nBcc: evil@example.com\n\nCall?" in text
    assert f"{BASE_URL}/me/jobs/ACME-1" in text and f'href="{BASE_URL}/me/jobs/ACME-1"' in html
    assert "Secret Name 2" not in text + html, "the worker's own name is not needed"
    accept = link_in(text, "accept")
    assert accept in html and link_in(text, "decline") in html

    visitor = site.client()  # the link works without signing in
    page = page_text(visitor.get(accept))
    assert "Bonjour!" in page and "Python developer" in page and "Accept" in page
    assert db.execute("SELECT status FROM contact_requests").fetchone()[0] == "pending"
    done = answer_by_link(visitor, accept)
    assert done.status_code == 200 and "can now see your name and email" in page_text(done)

    to_employer = wait_for_mail(handler, 2)[1]
    assert to_employer["To"] == ACME_EMAIL
    assert "W2 accepted your contact request for Python developer" in to_employer["Subject"]
    text, html = bodies(to_employer)
    for body in (text, html):
        assert "Secret Name 2" in body and W2_EMAIL in body
    assert f"{BASE_URL}/jobs/ACME-1/candidates/W2" in text
    candidate_page = page_text(employer.get("/jobs/ACME-1/candidates/W2"))
    assert "Secret Name 2" in candidate_page
    db.close()


def test_declining_tells_the_employer_without_the_name_or_email(site, smtp):
    handler, _ = smtp
    employer = site.signed_in()
    contact(employer, "W3", message="")
    text, html = bodies(wait_for_mail(handler, 1)[0])
    assert "Their message" not in text, "no message, no empty quote"
    answer_by_link(site.client(), link_in(text, "decline"))

    to_employer = wait_for_mail(handler, 2)[1]
    assert "W3 declined your contact request" in to_employer["Subject"]
    text, html = bodies(to_employer)
    for body in (text, html):
        assert "Secret Name 3" not in body and "w3@private.example" not in body
        assert "stays anonymous" in body


def test_answering_on_the_contact_requests_page_emails_the_employer_too(site, smtp):
    handler, _ = smtp
    contact(site.signed_in(), "W1", message="Hi")  # W1 is the worker with an account
    wait_for_mail(handler, 1)
    worker = site.signed_in("worker@example.org")
    page = "/me/contact-requests"
    assert "Hi" in page_text(worker.get(page))
    db = site.db()
    request_id = db.execute("SELECT id FROM contact_requests").fetchone()[0]
    post_form(worker, page, f"/me/contact-requests/{request_id}/accept", {})
    to_employer = wait_for_mail(handler, 2)[1]
    assert "Secret Name 1" in bodies(to_employer)[0]
    db.close()


def _token_path(worker_id: int, request_id: int, issued_at: dt.datetime, answer="accept") -> str:
    url = links.contact_answer_url("", KEY, worker_id, request_id, answer, issued_at=issued_at)
    return url


def test_expired_forged_and_other_workers_links_are_clear_errors(site):
    contact(site.signed_in(), "W2")
    db = site.db()
    request_id, worker_id = db.execute("SELECT id, worker_id FROM contact_requests").fetchone()
    other_worker = db.execute("SELECT id FROM workers WHERE external_id = 'W3'").fetchone()[0]
    visitor = site.client()
    now = dt.datetime.now(dt.UTC)

    expired = _token_path(worker_id, request_id, now - dt.timedelta(days=31))
    response = visitor.get(expired)
    assert response.status_code == 410 and "This link has expired" in page_text(response)
    valid = _token_path(worker_id, request_id, now)
    token = csrf_token_from(page_text(visitor.get(valid)))
    assert visitor.post(expired, data={"csrf_token": token}).status_code == 410

    forged = valid.replace("/accept", "").rsplit(".", 1)[0] + ".AAAA/accept"
    response = visitor.get(forged)
    assert response.status_code == 404 and "This link is not valid" in page_text(response)
    others = _token_path(other_worker, request_id, now)
    response = visitor.get(others)
    assert response.status_code == 404 and "not yours" in page_text(response)
    assert visitor.get(valid.replace("/accept", "/maybe")).status_code == 404
    worker = site.signed_in("worker@example.org")  # W1, not W2
    response = worker.get(valid)
    assert response.status_code == 403 and "another account" in page_text(response)
    assert db.execute("SELECT status FROM contact_requests").fetchone()[0] == "pending"
    db.close()


def test_contacting_twice_queues_one_email_and_keeps_the_first_message(site, smtp):
    handler, _ = smtp
    employer = site.signed_in()
    contact(employer, "W2", message="First")
    wait_for_mail(handler, 1)
    contact(employer, "W2", message="Second")
    db = site.db()
    job_id, worker_id = db.execute("SELECT job_id, worker_id FROM contact_requests").fetchone()
    assert request_contact(db, job_id, worker_id, None, "Third") is None
    time.sleep(0.5)
    assert len(handler.received) == 1
    assert db.execute("SELECT message FROM contact_requests").fetchall() == [("First",)]
    rows = db.execute("SELECT kind, dedupe_key, status FROM email_outbox").fetchall()
    assert rows == [("contact_request", "contact_request:1", "sent")]
    copy = outbox.transactional(
        outbox.CONTACT_REQUEST, "contact_request:1", W2_EMAIL, {"request_id": 1}, worker_id=2
    )
    assert outbox.enqueue(db, copy) is False
    db.close()


def test_a_too_long_message_is_refused_in_the_employers_language(site, smtp):
    db = site.db()
    db.execute("UPDATE users SET preferred_language = 'fr' WHERE email = ?", [ACME_EMAIL])
    db.close()
    employer = site.signed_in()
    response = contact(employer, "W2", message="x" * 1001)
    page = page_text(employer.get(response.headers["Location"]))
    assert "au plus 1000 caractères (1001 reçus)" in page, page[:400]


def test_a_too_long_message_is_refused_naming_it_and_sends_nothing(site, smtp):
    employer = site.signed_in()
    response = contact(employer, "W2", message="x" * 1001)
    assert response.status_code == 302
    page = page_text(employer.get(response.headers["Location"]))
    assert "Not sent: the message has at most 1000 characters (1001 given)." in page
    db = site.db()
    assert db.execute("SELECT count(*) FROM contact_requests").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM outcomes WHERE stage = 'contacted'").fetchone()[0] == 0
    db.close()


def test_the_api_takes_a_message_and_names_a_bad_one(site, smtp):
    handler, _ = smtp
    headers = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    client = site.client()
    body = {"job": "ACME-1", "worker": "W4", "stage": "contacted"}
    bad = client.post("/api/v1/outcomes", json={**body, "message": 5}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "message"
    long = client.post("/api/v1/outcomes", json={**body, "message": "y" * 1001}, headers=headers)
    assert long.status_code == 400 and long.get_json()["field"] == "message"
    ok = client.post("/api/v1/outcomes", json={**body, "message": "From the API"}, headers=headers)
    assert ok.status_code == 201
    assert "From the API" in bodies(wait_for_mail(handler, 1)[0])[0]


def test_a_deleted_worker_is_never_sent_the_email(site, smtp):
    handler, port = smtp
    site.app.config["EMAIL_DELIVERY"] = "off"
    contact(site.signed_in(), "W2")
    db = site.db()
    db.execute("UPDATE workers SET deleted_at = '2026-12-01T00:00:00Z' WHERE external_id = 'W2'")
    from matcher.notifications.delivery import deliver_due

    report = deliver_due(db, site.app.config["SETTINGS"], KEY)
    assert report.sent == 0 and report.skipped_no_consent == 1 and handler.received == []
    db.close()


def _three_contact_requests(tmp_path, smtp_port: int):
    """W2, W3 and W4 asked to be contacted; their emails wait in the outbox."""
    site = build_site(tmp_path, workers=6, settings={"smtp_port": smtp_port})
    db = site.db()
    job_id = db.execute("SELECT id FROM jobs WHERE external_id = 'ACME-1'").fetchone()[0]
    for worker in ("W2", "W3", "W4"):
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = ?", [worker])
        request_contact(db, job_id, worker_id.fetchone()[0], None, f"Hello {worker}")
    return site, db


def _sender(site, port: int) -> subprocess.Popen:
    env = {**os.environ, "TALENTMATCH_DB": str(site.db_path), "TALENTMATCH_SMTP_PORT": str(port)}
    env["TALENTMATCH_SECRET_KEY"] = KEY
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", "send-emails"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when_stalled(handler, sender: subprocess.Popen) -> None:
    try:
        assert handler.stalled.wait(60), "the sender never reached the stalled message"
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.wait(30)


def _outbox(db) -> dict[str, str]:
    return dict(db.execute("SELECT recipient, status FROM email_outbox").fetchall())


@pytest.mark.parametrize(
    ("fault", "w3_status", "w3_copies"),
    [
        ("accept-then-stall", "sent", 2),  # the server may have it: sent again, once
        ("stall-rcpt", "sent", 1),  # killed before the envelope: sent once on the rerun
    ],
)
def test_a_kill_mid_send_resends_at_most_that_message(tmp_path, fault, w3_status, w3_copies):
    handler = SlowToConfirmHandler()
    controller = start_smtp(handler)
    try:
        site, db = _three_contact_requests(tmp_path, controller.port)
        handler.faults["w3@private.example"] = fault
        _kill_when_stalled(handler, _sender(site, controller.port))
        del handler.faults["w3@private.example"]
        rerun = _sender(site, controller.port)
        assert rerun.wait(60) == 0
    finally:
        controller.stop()
    recipients = handler.recipients()
    assert recipients.count("w3@private.example") == w3_copies
    assert sorted(set(recipients)) == [f"w{n}@private.example" for n in (2, 3, 4)]
    assert len(recipients) == 2 + w3_copies, "nobody else got two copies"
    statuses = _outbox(db)
    assert statuses["w3@private.example"] == w3_status
    assert statuses["w2@private.example"] == statuses["w4@private.example"] == "sent"
    db.close()


def test_each_email_is_in_its_readers_language(site, smtp):
    handler, _ = smtp
    db = site.db()
    db.execute("UPDATE workers SET preferred_language = 'fr' WHERE external_id = 'W2'")
    db.execute("UPDATE users SET preferred_language = 'en' WHERE email = ?", [ACME_EMAIL])
    contact(site.signed_in(), "W2")
    text, html = bodies(wait_for_mail(handler, 1)[0])
    assert '<html lang="fr">' in html
    answer_by_link(site.client(), link_in(text, "accept"))
    assert '<html lang="en">' in bodies(wait_for_mail(handler, 2)[1])[1]
    db.close()
