"""One pair, one fit: the same band and percentile on every surface, and the band rule."""

from __future__ import annotations

import re

import numpy as np
import pytest
from notification_fixtures import CONSENT_WORDING, FaultySmtpHandler, start_smtp
from ranking_rows import add_job, add_worker
from web_support import ACME_EMAIL, WORKER_EMAIL, build_site

from matcher.config import Settings
from matcher.fit import FAIR, GOOD, STRONG, WEAK, Fit, band_for, band_named, percentile_of
from matcher.notifications.consent import record_consent
from matcher.notifications.digests import send_digests
from matcher.presentation import fit_text
from matcher.ranking.fit_scale import FitScale
from matcher.ranking.shortlists import clear_shortlist_cache, shortlist_for_job

JOB, WORKER, JOB_TITLE = "ACME-1", "W1", "Python developer"
FIT_BADGE = re.compile(r'<span class="fit fit-(\w+)">(\w+ fit · \d+\w\w percentile)</span>')


@pytest.fixture
def site(tmp_path, run_cli):
    """The web test site, on the same database and registry `run_cli` uses."""
    clear_shortlist_cache()
    return build_site(tmp_path, workers=30)


def _badge(html: str, after: str) -> tuple[str, str]:
    """The first fit badge after `after` on a page: (band key, its words)."""
    found = FIT_BADGE.search(html, html.index(after))
    assert found, f"no fit badge after {after!r}"
    return found.group(1), found.group(2)


def _email_fit(site, worker_id: int) -> str:
    """The fit line of JOB in the digest W1 receives over real SMTP."""
    db = site.db()
    try:
        db.execute("UPDATE workers SET digest_frequency = 'daily' WHERE id = ?", [worker_id])
        record_consent(db, worker_id, granted=True, method="test", wording=CONSENT_WORDING)
        handler = FaultySmtpHandler()
        controller = start_smtp(handler)
        try:
            settings = site.app.config["SETTINGS"].with_overrides(smtp_port=controller.port)
            send_digests(db, settings, min_band="weak")
        finally:
            controller.stop()
    finally:
        db.close()
    (message,) = handler.received
    text = message.get_body(("plain",)).get_content()
    block = text[text.index(f"{JOB_TITLE} at Acme") :]
    return next(line.strip() for line in block.splitlines()[1:4] if " fit · " in line)


def test_one_pair_reads_the_same_fit_on_every_surface(site, run_cli):
    employer, worker = site.signed_in(ACME_EMAIL), site.signed_in(WORKER_EMAIL)
    api = site.client()

    shortlist_page = employer.get(f"/jobs/{JOB}/shortlist").get_data(as_text=True)
    on_shortlist = _badge(shortlist_page, f">Candidate {WORKER}</a>")
    candidate_page = employer.get(f"/jobs/{JOB}/candidates/{WORKER}").get_data(as_text=True)
    on_candidate_page = _badge(candidate_page, f"<h1>Candidate {WORKER}")
    matches_page = worker.get("/me/matches").get_data(as_text=True)
    on_matches_page = _badge(matches_page, f"{JOB_TITLE}</a> <span")
    job_page = worker.get(f"/me/jobs/{JOB}").get_data(as_text=True)
    on_job_page = _badge(job_page, ">Your fit</h2>")

    bearer = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    listed = api.get(f"/api/v1/jobs/{JOB}/shortlist", headers=bearer).get_json()["candidates"]
    employer_json = next(c["fit"] for c in listed if c["worker"] == WORKER)
    bearer = {"Authorization": f"Bearer {site.token(WORKER_EMAIL)}"}
    matched = api.get(f"/api/v1/workers/{WORKER}/matches", headers=bearer).get_json()["jobs"]
    worker_json = next(m["fit"] for m in matched if m["job"] == JOB)

    cli_shortlist = run_cli("shortlist", JOB, check=True).stdout
    cli_line = next(line for line in cli_shortlist.splitlines() if f" {WORKER} " in line)
    cli_matches = run_cli("matches", WORKER, check=True).stdout
    cli_match_line = next(line for line in cli_matches.splitlines() if f" {JOB} " in line)

    worker_id = site.db().execute("SELECT id FROM workers WHERE external_id = ?", [WORKER])
    in_email = _email_fit(site, worker_id.fetchone()[0])

    assert employer_json == worker_json
    fit = Fit(band_named(employer_json["band"]), employer_json["percentile"])
    words = fit_text(fit)
    assert on_shortlist == on_candidate_page == on_matches_page == (fit.band.key, words)
    assert on_job_page == on_matches_page
    assert words in cli_line and words in cli_match_line
    assert in_email == words


def test_the_bands_rule_guards_a_thin_pool():
    assert percentile_of(1, 3) == 100 and percentile_of(2, 3) == 50 and percentile_of(3, 3) == 0
    assert percentile_of(1, 1) == 100
    assert percentile_of(100, 1000) == 90  # the top decile starts at rank N/10
    assert band_for(100, 1.0, True) is STRONG
    assert band_for(100, 0.0, True) is WEAK, "the best of a thin pool holding no skill"
    assert band_for(100, 0.6, True) is GOOD
    assert band_for(100, 1.0, False) is FAIR, "cannot work the job as offered"
    assert band_for(69, 1.0, True) is FAIR and band_for(39, 1.0, True) is WEAK


def test_fit_scale_ranks_ties_together_and_the_rest_below_the_pool():
    retrieval = np.array([0.1, 0.9, 0.5, 0.3, 0.8, 0.2], dtype=np.float32)
    scale = FitScale(6, np.array([4, 1]), np.array([0.7, 0.7]), lambda: retrieval)
    assert scale.percentile(4) == scale.percentile(1) == 100, "equal scores share a rank"
    # Outside the pool, by retrieval: row 2 third, row 3 fourth, row 5 fifth, row 0 last.
    assert [scale.percentile(row) for row in (2, 3, 5, 0)] == [60, 40, 20, 0]
    assert scale.percentiles(np.array([0, 1, 2])).tolist() == [0, 100, 60]


@pytest.mark.parametrize("size", [2, 7, 150, 4000])
def test_fit_scale_outside_the_pool_is_the_rank_by_retrieval_score(size):
    rng = np.random.default_rng(size)
    retrieval = rng.integers(0, 50, size).astype(np.float32) / 50  # many ties
    pool = rng.choice(size, size // 3, replace=False)
    scale = FitScale(size, pool, rng.random(len(pool)), lambda: retrieval)
    outside = np.setdiff1d(np.arange(size), pool)
    expected = [
        percentile_of(len(pool) + 1 + int((retrieval[outside] > retrieval[row]).sum()), size)
        for row in outside
    ]
    assert scale.percentiles(outside).tolist() == expected
    assert [scale.percentile(int(row)) for row in outside[:5]] == expected[:5]


def test_a_three_candidate_job_calls_no_weak_candidate_strong(db, tmp_path):
    settings = Settings(db_path=tmp_path / "talentmatch.db", models_dir=tmp_path)
    add_job(db, "J1", required=["Go", "Kubernetes", "Terraform"])
    add_worker(db, "W1", skills={"Python": 5})
    add_worker(db, "W2", skills={"Java": 3})
    add_worker(db, "W3", skills={"Go": 2}, cities="Vancouver")
    fits = {c.worker: c.fit for c in shortlist_for_job(db, "J1", settings=settings).candidates}
    assert max(fit.percentile for fit in fits.values()) == 100
    assert all(not fit.at_least(GOOD) for fit in fits.values())
