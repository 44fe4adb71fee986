"""The candidate page's "Emails": what the service sent about this candidate for this job
(the contact request, the worker's answer to the employer), with the date on the employer's
clock and the outbox status, for the owning employer only. Real SMTP (aiosmtpd), real HTTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, GLOBEX_EMAIL, WORKER_EMAIL, build_site, post_form

from matcher.hiring.contact_requests import answer_contact_request
from matcher.hiring.emails import candidate_emails
from matcher.notifications import delivery
from matcher.worker_privacy import delete_worker_account

PAGE = "/jobs/ACME-1/candidates/W2"
W2_EMAIL = "w2@private.example"
# 03:30 UTC on 2 December is 22:30 on 1 December in Toronto, Acme's city.
QUEUED_AT = "2026-12-02T03:30:00Z"
SENT_AT = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)  # 09:05 in Toronto


@pytest.fixture
def smtp():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def site(tmp_path, smtp):
    return build_site(tmp_path, workers=8, settings={"smtp_port": smtp[1]})


def emails_section(client, path: str = PAGE) -> str:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = re.search(r'<ul class="email-history".*?</ul>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip() if match else ""


def deliver(site) -> delivery.DeliveryReport:
    db = site.db()
    try:
        settings = site.app.config["SETTINGS"]
        return delivery.deliver_due(db, settings, settings.secret_key, clock=lambda: SENT_AT)
    finally:
        db.close()


def ids(site, worker: str = "W2") -> tuple[int, int, int]:
    db = site.db()
    try:
        job_id, employer_id = db.execute(
            "SELECT id, employer_id FROM jobs WHERE external_id = 'ACME-1'"
        ).fetchone()
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = ?", [worker]).fetchone()
        return employer_id, job_id, worker_id[0]
    finally:
        db.close()


def test_the_contact_request_and_the_answer_with_dates_and_status(site, smtp):
    handler, _ = smtp
    employer = site.signed_in()
    assert emails_section(employer) == "", "no email yet, no section"

    post_form(employer, PAGE, f"{PAGE}/decisions", {"stage": "contacted", "message": "Hi"})
    db = site.db()
    db.execute("UPDATE email_outbox SET created_at = ?", [QUEUED_AT])
    db.close()
    assert emails_section(employer) == (
        "Contact request to the candidate · Dec 1, 2026, 10:30 PM · queued"
    )

    assert deliver(site).sent == 1 and handler.recipients() == [W2_EMAIL]
    assert emails_section(employer) == (
        "Contact request to the candidate · Dec 2, 2026, 9:05 AM · sent"
    )

    employer_id, job_id, worker_id = ids(site)
    db = site.db()
    [request_id] = [r[0] for r in db.execute("SELECT id FROM contact_requests")]
    answer_contact_request(db, worker_id, request_id, "accepted")
    db.close()
    db = site.db()
    db.execute("UPDATE email_outbox SET created_at = ? WHERE kind = 'contact_answer'", [QUEUED_AT])
    db.close()
    request_line = "Contact request to the candidate · Dec 2, 2026, 9:05 AM · sent"
    answer_line = f"The candidate’s answer, to {ACME_EMAIL} · Dec 1, 2026, 10:30 PM"
    assert emails_section(employer) == f"{request_line} {answer_line} · queued"

    handler.faults[ACME_EMAIL] = "550 5.1.1 no such mailbox"
    assert deliver(site).failed == 1
    assert emails_section(employer) == f"{request_line} {answer_line} · failed"


def test_the_workers_address_never_shows_and_the_page_is_french_for_a_french_employer(site):
    employer = site.signed_in()
    post_form(employer, PAGE, f"{PAGE}/decisions", {"stage": "contacted"})
    html = employer.get(PAGE).get_data(as_text=True)
    assert W2_EMAIL not in html, "blind until the worker accepts"
    post_form(employer, PAGE, "/language", {"language": "fr", "next": PAGE})
    assert "Demande de contact au candidat" in emails_section(employer)
    assert "en file d’attente" in emails_section(employer)


def test_only_the_owning_employer_sees_them(site):
    employer = site.signed_in()
    post_form(employer, PAGE, f"{PAGE}/decisions", {"stage": "contacted"})
    assert emails_section(employer) != ""

    assert site.signed_in(GLOBEX_EMAIL).get(PAGE).status_code == 404
    assert site.signed_in(WORKER_EMAIL).get(PAGE).status_code in (403, 404)
    assert site.client().get(PAGE).status_code in (302, 401)

    employer_id, job_id, worker_id = ids(site)
    db = site.db()
    try:
        assert [e.kind for e in candidate_emails(db, employer_id, job_id, worker_id)] == [
            "contact_request"
        ]
        globex = db.execute("SELECT id FROM employers WHERE name = 'Globex'").fetchone()[0]
        assert candidate_emails(db, globex, job_id, worker_id) == []
        assert candidate_emails(db, employer_id, job_id, ids(site, "W3")[2]) == []
    finally:
        db.close()


def test_deleting_the_account_removes_the_employers_copy_of_their_answer(site, smtp):
    handler, _ = smtp
    employer = site.signed_in()
    post_form(employer, PAGE, f"{PAGE}/decisions", {"stage": "contacted"})
    employer_id, job_id, worker_id = ids(site)
    db = site.db()
    [request_id] = [r[0] for r in db.execute("SELECT id FROM contact_requests")]
    answer_contact_request(db, worker_id, request_id, "accepted")
    db.close()
    assert deliver(site).sent == 2
    db = site.db()
    try:
        [answer] = db.execute(
            "SELECT body_text FROM email_outbox WHERE kind = 'contact_answer'"
        ).fetchall()
        assert W2_EMAIL in answer[0] and "Secret Name 2" in answer[0]
        delete_worker_account(db, worker_id)
        kept = " ".join(
            " ".join(str(v) for v in row) for row in db.execute("SELECT * FROM email_outbox")
        )
        assert W2_EMAIL not in kept and "Secret Name 2" not in kept
        assert candidate_emails(db, employer_id, job_id, worker_id) == []
    finally:
        db.close()
    assert employer.get(PAGE).status_code == 404
