"""Rows for ranking tests, inserted with plain SQL into a real database (no importer needed)."""

from __future__ import annotations

from sqlite_utils import Database

NOW = "2026-01-01T00:00:00Z"


def add_employer(db: Database, name: str = "Acme") -> int:
    row = db.execute("SELECT id FROM employers WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    cursor = db.execute("INSERT INTO employers (name, created_at) VALUES (?, ?)", [name, NOW])
    return cursor.lastrowid


def add_job(
    db: Database,
    external_id: str,
    *,
    required: list[str] = (),
    nice: list[str] = (),
    city: str = "Toronto",
    remote: str = "onsite",
    title: str = "Developer",
    description: str = "",
    min_years: float | None = None,
    salary_max: int | None = None,
    french: int = 0,
    status: str = "open",
    employer: str = "Acme",
) -> int:
    employer_id = add_employer(db, employer)
    cursor = db.execute(
        "INSERT INTO jobs (external_id, employer_id, title, description, city, remote, "
        "min_years_experience, salary_max_cad, french_level_required, status, posted_at, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            external_id,
            employer_id,
            title,
            description,
            city,
            remote,
            min_years,
            salary_max,
            french,
            status,
            "2026-01-01",
            NOW,
            NOW,
        ],
    )
    job_id = cursor.lastrowid
    for kind, skills in (("required", required), ("nice_to_have", nice)):
        for skill in skills:
            db.execute(
                "INSERT INTO job_skills (job_id, skill, kind) VALUES (?, ?, ?)",
                [job_id, skill, kind],
            )
    return job_id


def add_worker(
    db: Database,
    external_id: str,
    *,
    skills: dict[str, float | None] | None = None,
    cities: str = "Toronto",
    remote: bool = False,
    years: float = 3.0,
    resume: str = "",
    french: int | None = None,
    salary: int | None = None,
    authorization: str = "open_work_permit",
    available_from: str | None = None,
    name: str = "A Worker",
    email: str | None = None,
    education: str = "bachelor",
) -> int:
    cursor = db.execute(
        "INSERT INTO workers (external_id, name, email, resume_text, years_experience, "
        "education, city_preferences, open_to_remote, french_level, salary_expectation_cad, "
        "work_authorization, available_from, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            external_id,
            name,
            email or f"{external_id.lower()}@example.com",
            resume,
            years,
            education,
            cities,
            int(remote),
            french,
            salary,
            authorization,
            available_from,
            NOW,
            NOW,
        ],
    )
    worker_id = cursor.lastrowid
    for skill, skill_years in (skills or {}).items():
        db.execute(
            "INSERT INTO worker_skills (worker_id, skill, years) VALUES (?, ?, ?)",
            [worker_id, skill, skill_years],
        )
    return worker_id


def add_outcome(db: Database, job_id: int, worker_id: int, stage: str, at: str) -> None:
    db.execute(
        "INSERT INTO outcomes (job_id, worker_id, stage, at, recorded_at) VALUES (?,?,?,?,?)",
        [job_id, worker_id, stage, at, NOW],
    )
