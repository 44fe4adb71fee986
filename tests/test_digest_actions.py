"""Match emails people act on: each job's page, salary, fit and one line of reasons, the
signed "I'm interested" / "Not for me" links, a sign-in button, in the worker's language."""

from __future__ import annotations

import datetime as dt

from notification_fixtures import PYTHONISTA, add_subscriber, python_jobs

from matcher.config import Settings
from matcher.fit import STRONG, Fit
from matcher.notifications import links
from matcher.notifications.digest import Digest, DigestJob
from matcher.notifications.digests import queue_digests
from matcher.notifications.rendering import render_digest

KEY = "digest-actions-key"
BASE = "https://tm.example"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _digest(**job) -> Digest:
    facts = {
        "matched_skills": ["Python"],
        "missing_skills": ["Kubernetes"],
        "matched_nice_to_have_skills": [],
        "city": "Toronto",
        "city_preference_rank": 1,
        "remote": "hybrid",
        "open_to_remote": True,
        "remote_compatible": True,
        "years_experience": 4.0,
        "min_years_experience": None,
        "meets_min_experience": None,
        "french_level": None,
        "french_level_required": 0,
        "meets_french_requirement": True,
        "salary_expectation_cad": None,
        "salary_min_cad": None,
        "salary_max_cad": None,
        "salary_fit": "unknown",
        "work_authorization": "open_work_permit",
        "available_from": None,
    }
    entry = DigestJob(
        **{
            "job_id": 7,
            "external_id": "J 7/x",
            "title": "Platform engineer",
            "employer": "Acme",
            "city": "Toronto",
            "remote": "hybrid",
            "score": 0.9,
            "explanation": facts,
            "fit": Fit(STRONG, 93),
            "salary_min_cad": 120_000,
            "salary_max_cad": 150_000,
            **job,
        }
    )
    return Digest(3, "W3", "Ana", "ana@example.com", "daily:2026-11-25", (entry,))


def test_each_job_has_its_page_salary_fit_reasons_and_answers():
    rendered = render_digest(_digest(), base_url=BASE, secret_key=KEY)
    page = f"{BASE}/me/jobs/J%207%2Fx"
    interested = links.interest_url(BASE, KEY, 3, 7, links.INTERESTED)
    not_for_me = links.interest_url(BASE, KEY, 3, 7, links.NOT_FOR_ME)
    for body in (rendered.text, rendered.html):
        assert page in body and interested in body and not_for_me in body
        assert f"{BASE}/sign-in" in body
        assert "$120,000–$150,000 a year" in body
        assert "Strong fit · 93rd percentile" in body
    reason_line = "Skills: you have 1 of 2 required: ✓ Python ✗ Kubernetes ~ · City: Toronto"
    assert reason_line in rendered.text
    assert "Experience:" not in rendered.text  # one line, not every reason
    assert "max-width: 600px" in rendered.html and 'name="viewport"' in rendered.html
    assert f'<a href="{interested}"' in rendered.html


def test_salary_not_stated_and_one_sided_ranges():
    text = render_digest(
        _digest(salary_min_cad=None, salary_max_cad=None), base_url=BASE, secret_key=KEY
    ).text
    assert "salary not stated" in text
    text = render_digest(_digest(salary_max_cad=None), base_url=BASE, secret_key=KEY).text
    assert "from $120,000 a year" in text


def test_interest_links_are_signed_for_that_worker_job_and_choice():
    url = links.interest_url(BASE, KEY, 3, 7, links.INTERESTED)
    token = url.rsplit("/", 1)[1]
    claim = links.read_link_token(KEY, token, action=links.INTERESTED)
    assert (claim.worker_id, claim.job_id) == (3, 7)
    assert url.startswith(f"{BASE}/email/interested/")


def test_queued_digests_use_the_base_url_and_the_workers_language(db, db_path, models_dir):
    settings = Settings(db_path=db_path, models_dir=models_dir, secret_key=KEY, base_url=BASE)
    english = add_subscriber(db, "W1", **PYTHONISTA)
    french = add_subscriber(db, "W2", **PYTHONISTA)
    db.execute("UPDATE workers SET preferred_language = 'fr' WHERE id = ?", [french])
    python_jobs(db)
    report = queue_digests(db, settings, NOW)
    assert report.queued == 2
    bodies = dict(db.execute("SELECT worker_id, body_html FROM email_outbox").fetchall())
    assert '<html lang="en">' in bodies[english]
    assert '<html lang="fr">' in bodies[french]
    assert f"{BASE}/me/jobs/J1" in bodies[english]
