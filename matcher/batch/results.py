"""Reading batch results back, only while they are fresh.

A result is fresh when its run ranked for today (`matcher.clock.today()`: availability
counts days from today) with the model that serves now and the workers' and jobs' change
counters as they are now; otherwise the readers answer None and the caller ranks live.
"""

from __future__ import annotations

from sqlite_utils import Database

from matcher import clock
from matcher.batch.entries import decode_entries, entry_lines, parse_entries
from matcher.batch.runs import current_inputs
from matcher.config import Settings
from matcher.ranking.caches import BoundedCache, database_key

_FRESH_RUN = """
    SELECT r.id, r.model_version, r.top_k, r.top_n FROM batch_runs AS r
    WHERE r.finished_at IS NOT NULL AND r.model_version = ? AND r.workers_version = ?
      AND r.jobs_version = ? AND r.computed_on = ?
    ORDER BY r.id DESC LIMIT 1
"""


def _fresh_run(db: Database, settings: Settings) -> tuple[int, str, int, int] | None:
    inputs = current_inputs(db, settings)
    today = clock.today().isoformat()
    row = db.execute(
        _FRESH_RUN, [inputs.model_version, inputs.workers_version, inputs.jobs_version, today]
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]), int(row[3]))


def fresh_batch_shortlist(
    db: Database,
    job_external_id: str,
    *,
    limit: int = 50,
    offset: int = 0,
    settings: Settings,
    job=None,
):
    """The job's batch Shortlist (candidates `offset..offset+limit`) when fresh and deep
    enough, or None. `job`, the loaded JobProfile, rides along for the callers that show it.
    """
    from matcher.ranking.shortlists import Candidate, Shortlist

    run = _fresh_run(db, settings)
    if run is None or offset + limit > run[2]:
        return None
    stored = _decoded_shortlists.get(
        (database_key(db), run, job_external_id),
        lambda: _stored_shortlist(db, run[0], job_external_id),
    )
    if stored is None:
        return None
    total, lines = stored
    entries = parse_entries(lines[offset : offset + limit])
    candidates = [Candidate(**_with_fit(entry)) for entry in entries]
    return Shortlist(job_external_id, run[1], candidates, total, job, source="batch")


# A finished run's rows never change, so a job's entry lines are kept per run: a warm
# request then skips reading and decompressing 200 candidates and parses only its page.
_decoded_shortlists = BoundedCache(64)


def _stored_shortlist(db: Database, run_id: int, job_external_id: str) -> tuple | None:
    """(total eligible, candidate entry lines) of the job's row in the run, or None."""
    row = db.execute(
        "SELECT s.total, s.candidates FROM batch_shortlists AS s JOIN jobs AS j ON j.id = s.job_id "
        "WHERE j.external_id = ? AND s.run_id = ?",
        [job_external_id, run_id],
    ).fetchone()
    return None if row is None else (int(row[0]), entry_lines(row[1]))


def fresh_batch_matches(
    db: Database, worker_external_id: str, *, limit: int = 10, settings: Settings
):
    """The worker's batch Matches (best `limit` jobs) when fresh and deep enough, else None."""
    from matcher.ranking.shortlists import JobMatch, Matches

    run = _fresh_run(db, settings)
    if run is None or limit > run[3]:
        return None
    row = db.execute(
        "SELECT m.worker_id, m.jobs FROM batch_matches AS m JOIN workers AS w "
        "ON w.id = m.worker_id WHERE w.external_id = ? AND w.deleted_at IS NULL AND m.run_id = ?",
        [worker_external_id, run[0]],
    ).fetchone()
    if row is None:
        return None
    entries = parse_entries(entry_lines(row[1])[:limit])
    percentiles = _worker_percentiles(db, run[0], int(row[0]), [e["job"] for e in entries])
    jobs = [JobMatch(**_with_fit(entry, percentiles.get(entry["rank"]))) for entry in entries]
    return Matches(worker_external_id, run[1], jobs, source="batch")


def _worker_percentiles(db: Database, run_id: int, worker_id: int, jobs: list[str]) -> dict:
    """{rank: percentile} of the worker's batch matches with these jobs (external ids)."""
    marks = ",".join("?" * len(jobs))
    rows = db.execute(
        "SELECT rank, percentile FROM batch_match_fits WHERE run_id = ? AND worker_id = ? "
        f"AND job_id IN (SELECT id FROM jobs WHERE external_id IN ({marks}))",
        [run_id, worker_id, *jobs],
    )
    return dict(rows)


def _match_percentiles(db: Database, run_id: int) -> dict:
    """{(worker id, rank): percentile} of every worker's batch matches."""
    rows = db.execute(
        "SELECT worker_id, rank, percentile FROM batch_match_fits WHERE run_id = ?", [run_id]
    )
    return {(worker, rank): percentile for worker, rank, percentile in rows}


def _with_fit(entry: dict, percentile: int | None = None) -> dict:
    """A stored candidate or match with its `fit` a `Fit` again: stored in the entry as plain
    JSON, or (a worker's match) from the `percentile` its job partition read."""
    from matcher.fit import Fit, band_named

    stored = entry.get("fit")
    if isinstance(stored, dict):
        band = stored["band"]
        key = band["key"] if isinstance(band, dict) else band
        entry = {**entry, "fit": Fit(band_named(key), int(stored["percentile"]))}
    elif percentile is not None:
        entry = {**entry, "fit": Fit.of(int(percentile), entry["explanation"])}
    return entry


def fresh_batch_matches_of_workers(
    db: Database, worker_ids: list[int], *, settings: Settings
) -> tuple[int, dict[int, list]] | None:
    """N and each listed worker's batch JobMatch list (best first) when fresh, else None.

    One read for a whole digest run; workers the run did not rank are left out.
    """
    from matcher.ranking.shortlists import JobMatch

    run = _fresh_run(db, settings)
    if run is None:
        return None
    wanted, found = set(worker_ids), {}
    percentiles = _match_percentiles(db, run[0])
    rows = db.execute("SELECT worker_id, jobs FROM batch_matches WHERE run_id = ?", [run[0]])
    for worker_id, stored in rows:
        if worker_id in wanted:
            found[int(worker_id)] = [
                JobMatch(**_with_fit(e, percentiles.get((worker_id, e["rank"]))))
                for e in decode_entries(stored)
            ]
    return run[3], found
