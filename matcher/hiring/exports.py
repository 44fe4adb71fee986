"""The shortlist as CSV: blind until the worker accepts contact, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from sqlite_utils import Database

from matcher.hiring.stages import CandidateStage, pipeline_stages, stage_label

SHORTLIST_CSV_COLUMNS: tuple[str, ...] = (
    "rank",
    "worker",
    "name",
    "email",
    "score",
    "fit_band",
    "fit_percentile",
    "stage",
    "matched_skills",
    "missing_skills",
    "city",
    "city_preference_rank",
    "years_experience",
    "french_level",
    "salary_expectation_cad",
    "work_authorization",
    "available_from",
)
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets;
# the full-width forms too (Excel reads them as the ASCII ones in East Asian input modes).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: object) -> str:
    """The cell as text, prefixed with a single quote when a spreadsheet would run it, also
    behind leading blank space (" =1+1", "\n=1+1"), which some spreadsheets skip."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" \n\u00a0").startswith(FORMULA_TRIGGERS) else text


def shortlist_csv_row(
    candidate: dict, stage: CandidateStage | None, contact: dict[str, str] | None
) -> dict:
    """One CSV row from a shortlist candidate's JSON; `contact` (name, email) only if accepted."""
    explanation = candidate["explanation"]
    fit = candidate.get("fit") or {}
    return {
        "rank": candidate["rank"],
        "worker": candidate["worker"],
        "name": (contact or {}).get("name"),
        "email": (contact or {}).get("email"),
        "score": candidate["score"],
        "fit_band": fit.get("band"),
        "fit_percentile": fit.get("percentile"),
        "stage": stage_label(stage.stage if stage else "new"),
        "matched_skills": "; ".join(explanation.get("matched_skills") or ()),
        "missing_skills": "; ".join(explanation.get("missing_skills") or ()),
        "city": explanation.get("city"),
        "city_preference_rank": explanation.get("city_preference_rank"),
        "years_experience": explanation.get("years_experience"),
        "french_level": explanation.get("french_level"),
        "salary_expectation_cad": explanation.get("salary_expectation_cad"),
        "work_authorization": explanation.get("work_authorization"),
        "available_from": explanation.get("available_from"),
    }


def rows_to_csv(rows: Iterable[dict]) -> str:
    """The rows as CSV text with a header, every cell spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SHORTLIST_CSV_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[column]) for column in SHORTLIST_CSV_COLUMNS])
    return buffer.getvalue()


def accepted_contacts(db: Database, job_id: int) -> dict[str, dict[str, str]]:
    """Name and email of the workers who accepted this job's contact request, by external id."""
    rows = db.execute(
        """SELECT w.external_id, w.name, w.email FROM contact_requests c
           JOIN workers w ON w.id = c.worker_id
           WHERE c.job_id = ? AND c.status = 'accepted' AND w.deleted_at IS NULL""",
        [job_id],
    ).fetchall()
    return {worker: {"name": name, "email": email} for worker, name, email in rows}


def shortlist_csv(db: Database, job_id: int, candidates: list[dict]) -> str:
    """The shortlist's candidates (their JSON) as CSV, with stage and, once accepted, contact."""
    stages = pipeline_stages(db, job_id)
    contacts = accepted_contacts(db, job_id)
    return rows_to_csv(
        shortlist_csv_row(c, stages.get(c["worker"]), contacts.get(c["worker"])) for c in candidates
    )


SHORTLIST_CSV_LIMIT = 500  # candidates in a shortlist download


def shortlist_csv_for_job(
    db: Database, job_external_id: str, settings, *, limit: int = SHORTLIST_CSV_LIMIT
) -> str:
    """The job's ranked shortlist (its first `limit` candidates) as the blind CSV."""
    from matcher.ranking.shortlists import shortlist_for_job  # loads numpy and scikit-learn

    shortlist = shortlist_for_job(db, job_external_id, limit=limit, settings=settings)
    job_id = db.execute("SELECT id FROM jobs WHERE external_id = ?", [job_external_id]).fetchone()
    return shortlist_csv(db, job_id[0], [c.to_json() for c in shortlist.candidates])


def csv_file_name(job_external_id: str) -> str:
    """A download name safe in a Content-Disposition header."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", job_external_id) + "-shortlist.csv"
