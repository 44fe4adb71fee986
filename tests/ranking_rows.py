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
    years: float | None = 3.0,  # None: not stated
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


SKILL_POOL = [
    "Python",
    "Java",
    "Go",
    "Rust",
    "SQL",
    "Kubernetes",
    "Docker",
    "AWS",
    "React",
    "TypeScript",
    "C#",
    "Kotlin",
    "Swift",
    "Terraform",
    "Spark",
    "Django",
]
CITY_ORDERS = ["Toronto;Montreal", "Vancouver;Toronto", "Montreal", "Toronto", "Vancouver"]
FUNNEL = ["shown", "viewed", "shortlisted", "contacted", "interviewed", "offered", "hired"]


def add_history(db: Database, *, jobs: int = 60, workers: int = 200, shown: int = 25, seed=0):
    """Workers, jobs and outcomes where skill coverage and city preference drive progress.

    Each job's events happen on its own day, one day after the previous job's, so the
    chronological split has a clear order.
    """
    import datetime as dt

    import numpy as np

    rng = np.random.default_rng(seed)
    worker_ids, worker_skills, worker_cities = [], [], []
    for w in range(workers):
        skills = set(rng.choice(SKILL_POOL, size=int(rng.integers(2, 7)), replace=False))
        cities = CITY_ORDERS[int(rng.integers(len(CITY_ORDERS)))]
        worker_ids.append(
            add_worker(
                db,
                f"W{w}",
                skills={s: float(rng.integers(0, 8)) for s in skills},
                cities=cities,
                years=float(rng.integers(0, 12)),
                resume=" ".join(skills),
            )
        )
        worker_skills.append(skills)
        worker_cities.append(cities.split(";"))
    start = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)
    for j in range(jobs):
        required = list(rng.choice(SKILL_POOL, size=3, replace=False))
        city = ["Toronto", "Vancouver", "Montreal"][j % 3]
        job_id = add_job(db, f"J{j}", required=required, city=city, description=" ".join(required))
        day = start + dt.timedelta(days=j)
        for w in rng.choice(workers, size=shown, replace=False).tolist():
            coverage = len(worker_skills[w] & set(required)) / 3
            rank = worker_cities[w].index(city) + 1 if city in worker_cities[w] else 0
            city_bonus = {0: -1.0, 1: 1.0, 2: 0.3}.get(rank, 0.0)
            strength = 4.0 * coverage + city_bonus + rng.normal(0, 0.5) - 1.5
            reached = int(np.clip(np.round(strength * 2.0), 0, len(FUNNEL) - 1))
            for step, stage in enumerate(FUNNEL[: reached + 1]):
                at = day + dt.timedelta(hours=step)
                add_outcome(db, job_id, worker_ids[w], stage, at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    db.conn.commit()
