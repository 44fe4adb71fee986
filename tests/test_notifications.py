"""Digest selection, rendering, consent and signed links, against a real SQLite file."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from notification_fixtures import PYTHONISTA, add_subscriber, python_jobs
from ranking_rows import add_job, add_worker

from matcher.config import Settings, load_settings
from matcher.fit import GOOD, Fit
from matcher.notifications import consent, links, outbox
from matcher.notifications.digest import Digest, DigestJob
from matcher.notifications.digests import queue_digests
from matcher.notifications.rendering import render_digest
from matcher.notifications.selection import TopJobs, choose_digests
from matcher.presentation import explanation_items, item_text

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
KEY = "test-secret-key"


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir, secret_key=KEY)


def test_link_token_round_trips_and_rejects_tampering():
    claim = links.LinkClaim(links.NOT_RELEVANT, 42, 7)
    token = links.make_link_token(KEY, claim)
    assert links.read_link_token(KEY, token, action=links.NOT_RELEVANT) == claim
    encoded, signature = token.split(".")
    forged = links.make_link_token(KEY, links.LinkClaim(links.NOT_RELEVANT, 43, 7)).split(".")[0]
    for bad in (f"{forged}.{signature}", token[:-2], "garbage", ""):
        with pytest.raises(links.InvalidLinkToken):
            links.read_link_token(KEY, bad, action=links.NOT_RELEVANT)
    with pytest.raises(links.InvalidLinkToken):
        links.read_link_token("another key", token, action=links.NOT_RELEVANT)
    with pytest.raises(links.InvalidLinkToken):
        links.read_link_token(KEY, token, action=links.UNSUBSCRIBE)


@pytest.mark.parametrize(
    ("frequency", "moment", "period"),
    [
        ("daily", dt.datetime(2026, 11, 25, 23, 59, tzinfo=dt.UTC), "daily:2026-11-25"),
        # 20:00 in Toronto on the 25th is already the 26th in UTC, the store's time zone.
        (
            "daily",
            dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "daily:2026-11-26",
        ),
        ("weekly", dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC), "weekly:2026-W48"),
        ("weekly", dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC), "weekly:2026-W48"),
        ("weekly", dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC), "weekly:2026-W49"),
    ],
)
def test_digest_period(frequency, moment, period):
    assert outbox.period_for(frequency, moment) == period


def test_retry_delay_backs_off_and_is_capped():
    delays = [outbox.retry_delay(n) for n in range(1, 10)]
    assert delays[:3] == [dt.timedelta(minutes=m) for m in (5, 10, 20)]
    assert delays == sorted(delays)
    assert delays[-1] == outbox.MAX_RETRY_DELAY


def test_latest_consent_row_decides_not_the_profile_flag(db):
    worker = add_worker(db, "W1")
    db.execute("UPDATE workers SET match_emails = 1 WHERE id = ?", [worker])
    assert not consent.may_email(db, worker), "a profile flag without a ledger row is no consent"
    consent.record_consent(db, worker, granted=True, method="web", wording="yes")
    assert consent.may_email(db, worker)
    consent.record_consent(db, worker, granted=False, method="web", wording="stop")
    assert not consent.may_email(db, worker)
    assert db.execute("SELECT match_emails FROM workers WHERE id = ?", [worker]).fetchone() == (0,)
    consent.record_consent(db, worker, granted=True, method="web", wording="yes again")
    consent.suppress_address(db, "W1@EXAMPLE.COM", "550 no such user")
    assert not consent.may_email(db, worker), "suppression ignores the address's case"


def test_withdrawal_cancels_queued_digest(db):
    worker = add_subscriber(db, "W1", **PYTHONISTA)
    message = outbox.OutboxMessage(worker, "daily:2026-11-25", "w1@example.com", "s", "t", "h", ())
    assert outbox.enqueue(db, message)
    assert not outbox.enqueue(db, message), "one digest per worker and period"
    consent.withdraw_consent(db, worker, method="unsubscribe_link")
    rows = db.execute("SELECT status, last_error FROM email_outbox").fetchall()
    assert rows == [("failed", "unsubscribed")]
    ledger = db.execute(
        "SELECT granted, method FROM consents WHERE worker_id = ? ORDER BY id", [worker]
    )
    assert ledger.fetchall() == [(1, "test"), (0, "unsubscribe_link")]


def test_top_jobs_keeps_best_k_per_row_across_blocks():
    top = TopJobs(2, 2)
    top.merge(
        np.array([[0.9, 0.1], [-float("inf"), 0.6]], dtype="float32"),
        np.array([0, 1]),
    )
    top.merge(
        np.array([[0.95, 0.2], [-float("inf"), -float("inf")]], dtype="float32"),
        np.array([2, 3]),
    )
    assert [j for j, _ in top.best(0)] == [2, 0]
    assert top.best(1) == [(1, pytest.approx(0.6))]


def test_digest_picks_fitting_open_jobs_and_never_repeats_them(db, settings):
    fan = add_subscriber(db, "W1", **PYTHONISTA)
    add_worker(db, "W2", skills={"Python": 5, "SQL": 3})  # no consent: never chosen
    add_subscriber(db, "W3", frequency="off", **PYTHONISTA)
    python_job, second_python_job = python_jobs(db)
    add_job(db, "NURSE", required=["Nursing", "Phlebotomy"], city="Vancouver", title="Nurse")
    add_job(db, "CLOSED", required=["Python", "SQL"], status="closed")

    digests = choose_digests(db, settings, NOW, min_band="good")

    assert [d.worker_external_id for d in digests] == ["W1"]
    chosen = digests[0]
    assert {job.external_id for job in chosen.jobs} == {"J1", "J2"}
    assert chosen.jobs[0].score >= chosen.jobs[1].score
    assert all(job.fit.at_least(GOOD) for job in chosen.jobs)
    assert chosen.jobs[0].explanation["matched_skills"] == ["Python", "SQL"]
    assert chosen.jobs[0].explanation["city_preference_rank"] == 1

    db.execute(
        "INSERT INTO digest_sent_jobs (worker_id, job_id, sent_at) VALUES (?, ?, ?)",
        [fan, python_job, "2026-11-24T09:00:00Z"],
    )
    db.execute(
        "INSERT INTO match_feedback (worker_id, job_id, kind, at) VALUES (?, ?, ?, ?)",
        [fan, second_python_job, "not_relevant", "2026-11-24T10:00:00Z"],
    )
    assert choose_digests(db, settings, NOW, min_band="good") == [], "sent and not relevant"


def test_queue_is_idempotent_per_period_and_dry_run_writes_nothing(db, settings):
    add_subscriber(db, "W1", **PYTHONISTA)
    add_subscriber(db, "W2", frequency="weekly", **PYTHONISTA)
    python_jobs(db)

    dry = queue_digests(db, settings, NOW, dry_run=True)
    assert (dry.digests, dry.queued, len(dry.previews)) == (2, 0, 2)
    assert db.execute("SELECT count(*) FROM email_outbox").fetchone() == (0,)

    assert queue_digests(db, settings, NOW).queued == 2
    assert queue_digests(db, settings, NOW).queued == 0, "a re-run queues nothing new"
    periods = db.execute("SELECT period FROM email_outbox ORDER BY worker_id").fetchall()
    assert periods == [("daily:2026-11-25",), ("weekly:2026-W48",)]


def test_rendered_digest_has_reasons_links_and_escaped_html(db):
    job = DigestJob(
        job_id=7,
        external_id="J7",
        title="<script>alert(1)</script> Engineer",
        employer="Café & Co",
        city="Montreal",
        remote="hybrid",
        score=0.83,
        explanation=explanation(
            matched_skills=["Python"], missing_skills=["Go"], city_preference_rank=2
        ),
        fit=Fit(GOOD, 85),
    )
    digest = Digest(3, "W3", "Ana", "ana@example.com", "daily:2026-11-25", (job,))
    rendered = render_digest(digest, base_url="https://tm.example", secret_key=KEY)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "Café &amp; Co" in rendered.html
    assert "<script>alert(1)</script> Engineer at Café & Co" in rendered.text
    for body in (rendered.text, rendered.html):
        assert "✓ Python" in body and "✗ Go" in body
        assert "Montreal is your choice #2 · hybrid" in body
        assert "Good fit · 85th percentile" in body and "83" not in body
        assert "Strong fit" in body  # the bands' legend
    unsubscribe = links.unsubscribe_url("https://tm.example", KEY, 3)
    not_relevant = links.not_relevant_url("https://tm.example", KEY, 3, 7)
    assert unsubscribe in rendered.text and unsubscribe in rendered.html
    assert not_relevant in rendered.text and not_relevant in rendered.html
    assert (
        rendered.subject == "A job that fits you: <script>alert(1)</script> Engineer at Café & Co"
    )


def explanation(**facts) -> dict:
    """A whole explanation (as `explain` gives) of a plain pair, with `facts` changed."""
    return {
        "matched_skills": [],
        "missing_skills": [],
        "matched_nice_to_have_skills": [],
        "city": "Montreal",
        "city_preference_rank": 1,
        "remote": "hybrid",
        "open_to_remote": False,
        "remote_compatible": True,
        "years_experience": 5.0,
        "min_years_experience": None,
        "meets_min_experience": None,
        "french_level": None,
        "french_level_required": 0,
        "meets_french_requirement": True,
        "salary_expectation_cad": None,
        "salary_min_cad": None,
        "salary_max_cad": None,
        "salary_fit": "unknown",
        "work_authorization": "citizen",
        "available_from": None,
        **facts,
    }


def test_reasons_cover_remote_and_unlisted_city():
    remote = explanation(
        city="Vancouver", remote="remote", city_preference_rank=None, remote_compatible=False
    )
    assert item_text(explanation_items(remote, "worker")[1]) == (
        "Vancouver is not in your list · remote job · cannot work it as offered ✗"
    )
    onsite = explanation(city="Toronto", remote="onsite", city_preference_rank=None)
    assert explanation_items(onsite, "worker")[1].value.startswith("Toronto is not in your list")


def test_candidate_pools_rank_like_the_matches_page(db):
    from matcher.demo import build_demo
    from matcher.notifications.selection import candidate_pools
    from matcher.ranking.index import open_jobs, worker_index
    from matcher.ranking.retrieval import retrieve_jobs

    build_demo(db, workers=120, jobs=40, seed=5)
    index = worker_index(db)
    openings = open_jobs(db, index)
    rows = np.arange(len(index))
    pools = candidate_pools(index, openings, rows, {}, pool_size=8)

    mismatched = 0
    for row in rows:
        expected = {job.id for job in retrieve_jobs(openings, index, int(row), pool_size=8)}
        chosen = {openings.jobs[j].id for j in pools.jobs[row]}
        mismatched += expected != chosen
    assert mismatched == 0
    first_job = openings.jobs[int(pools.jobs[0, 0])].id
    worker = int(index.table.worker_ids[0])
    excluded = candidate_pools(index, openings, rows[:1], {worker: {first_job}}, pool_size=8)
    assert first_job not in {openings.jobs[j].id for j in excluded.jobs[0]}


def test_min_band_comes_from_the_settings():
    assert load_settings({}).digest_min_band == "good"
    assert load_settings({"TALENTMATCH_DIGEST_MIN_BAND": "strong"}).digest_min_band == "strong"
    with pytest.raises(ValueError, match="strong, good, fair, weak"):
        load_settings({"TALENTMATCH_DIGEST_MIN_BAND": "0.3"})
