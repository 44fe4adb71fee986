"""Job records: parse a contract row, save jobs with their skills and employer, load them back.

A row's empty optional fields are read from its description (`matcher.postings`): city,
remote policy, minimum years, salary range (only when both ends are empty), French level,
and, when the row lists neither required nor nice-to-have skills, both skill lists; an empty
skill list would make the job unrankable. Fields the row gives always win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from matcher.constants import (
    CITIES,
    DECISION_STAGES,
    JOB_STATUSES,
    LANGUAGE_LEVEL_RANGE,
    REMOTE_POLICIES,
)
from matcher.i18n import N_
from matcher.records import parsing
from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus, select_in, slices
from matcher.records.skill_lists import canonical_skill, skill_items
from matcher.store import utc_now, write_transaction

COLUMNS: tuple[str, ...] = (
    "external_id",
    "employer",
    "title",
    "description",
    "required_skills",
    "nice_to_have_skills",
    "city",
    "remote",
    "min_years_experience",
    "salary_min_cad",
    "salary_max_cad",
    "french_level_required",
    "status",
    "posted_at",
    "title_fr",
    "description_fr",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("external_id", "employer", "title", "city")
# A yearly salary above this is a typo (or would overflow SQLite's 64-bit integers).
MAX_SALARY_CAD = 10_000_000

# Columns of `jobs` besides the employer, which is stored by id.
_STORED_COLUMNS: tuple[str, ...] = (
    "external_id",
    "title",
    "description",
    "city",
    "remote",
    "min_years_experience",
    "salary_min_cad",
    "salary_max_cad",
    "french_level_required",
    "status",
    "posted_at",
    "title_fr",
    "description_fr",
)


@dataclass(frozen=True)
class JobRecord:
    """A job as the data contract describes it, with skills canonical and sorted."""

    external_id: str
    employer: str
    title: str
    city: str
    description: str = ""
    required_skills: tuple[str, ...] = ()
    nice_to_have_skills: tuple[str, ...] = ()
    remote: str = "onsite"
    min_years_experience: float | None = None
    salary_min_cad: int | None = None
    salary_max_cad: int | None = None
    french_level_required: int = 0
    status: str = "open"
    posted_at: str | None = None
    # The posting in French (Quebec's Charter of the French Language), shown to French readers.
    title_fr: str | None = None
    description_fr: str | None = None
    # Terms the skill vocabulary did not know: not stored, reported by the importer.
    unrecognised_skills: tuple[str, ...] = field(default=(), compare=False)


def parse_job(row: dict) -> JobRecord:
    """Validate a contract row (JSONL shape, values possibly strings) into a `JobRecord`."""
    low, high = LANGUAGE_LEVEL_RANGE
    external_id = parsing.required_text(row, "external_id")
    employer = parsing.required_text(row, "employer")
    title = parsing.required_text(row, "title")
    description = parsing.optional_text(row, "description", default="")
    description_fr = parsing.optional_text(row, "description_fr")
    row = fill_from_description(row, "\n\n".join(filter(None, [description, description_fr])))
    required, required_unknown = _skills(row, "required_skills")
    nice, nice_unknown = _skills(row, "nice_to_have_skills")
    salary_min = parsing.integer(row, "salary_min_cad", minimum=0, maximum=MAX_SALARY_CAD)
    salary_max = parsing.integer(row, "salary_max_cad", minimum=0, maximum=MAX_SALARY_CAD)
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        raise RowError(
            "salary_max_cad",
            N_("is less than salary_min_cad (%(high)s < %(low)s)"),
            high=salary_max,
            low=salary_min,
        )
    return JobRecord(
        external_id=external_id,
        employer=employer,
        title=title,
        description=description,
        required_skills=tuple(sorted(set(required))),
        # A skill both required and nice to have is required.
        nice_to_have_skills=tuple(sorted(set(nice) - set(required))),
        city=_city(row),
        remote=parsing.enum(row, "remote", REMOTE_POLICIES, default="onsite"),
        min_years_experience=parsing.number(row, "min_years_experience", minimum=0),
        salary_min_cad=salary_min,
        salary_max_cad=salary_max,
        french_level_required=parsing.integer(
            row, "french_level_required", minimum=low, maximum=high
        )
        or 0,
        status=parsing.enum(row, "status", JOB_STATUSES, default="open"),
        posted_at=_posted_at(row),
        title_fr=parsing.optional_text(row, "title_fr"),
        description_fr=description_fr,
        unrecognised_skills=tuple(required_unknown + nice_unknown),
    )


_STATED_FIELDS = ("city", "remote", "min_years_experience", "french_level_required")
_SALARY_FIELDS = ("salary_min_cad", "salary_max_cad")
_SKILL_FIELDS = ("required_skills", "nice_to_have_skills")


def fill_from_description(row: dict, description: str) -> dict:
    """The row with its empty optional fields set to what `description` states."""
    empty = [name for name in _STATED_FIELDS if parsing.is_missing(row.get(name))]
    if all(parsing.is_missing(row.get(name)) for name in _SALARY_FIELDS):
        empty += _SALARY_FIELDS
    if not any(parsing.text_list(row, name) for name in _SKILL_FIELDS):
        empty += _SKILL_FIELDS
    if not description.strip() or not empty:
        return row
    from matcher.postings import extract_job_fields  # loads the skill vocabulary

    stated = extract_job_fields(description)
    filled = {name: stated[name] for name in empty if stated[name] not in (None, [])}
    return {**row, **filled} if filled else row


def _skills(row: dict, field_name: str) -> tuple[list[str], list[str]]:
    names: list[str] = []
    unknown: list[str] = []
    for item in skill_items(row, field_name):
        name = canonical_skill(item.term)
        if name is None:
            unknown.append(item.term)
        else:
            names.append(name)
    return names, unknown


def _city(row: dict) -> str:
    value = parsing.optional_text(row, "city")
    if value is None:
        raise RowError("city", N_("required: one of %(cities)s"), cities=", ".join(CITIES))
    return parsing.city_name("city", value)


def _posted_at(row: dict) -> str | None:
    """An ISO date; a full date-time is accepted and kept as its UTC date."""
    value = parsing.optional_text(row, "posted_at")
    if value is None or parsing.DATE_PATTERN.match(value):
        return parsing.iso_date(row, "posted_at")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError("posted_at", f"must be an ISO date YYYY-MM-DD (got {value!r})") from None
    return parsing.format_timestamp(moment)[:10]


def job_to_row(record: JobRecord) -> dict:
    """The contract row (JSONL shape) for `record`."""
    return {
        "external_id": record.external_id,
        "employer": record.employer,
        "title": record.title,
        "description": record.description,
        "required_skills": list(record.required_skills),
        "nice_to_have_skills": list(record.nice_to_have_skills),
        "city": record.city,
        "remote": record.remote,
        "min_years_experience": record.min_years_experience,
        "salary_min_cad": record.salary_min_cad,
        "salary_max_cad": record.salary_max_cad,
        "french_level_required": record.french_level_required,
        "status": record.status,
        "posted_at": record.posted_at,
        "title_fr": record.title_fr,
        "description_fr": record.description_fr,
    }


@dataclass(frozen=True)
class StoredJob:
    """A job row as stored: its id, its employer's id and its record."""

    id: int
    employer_id: int
    record: JobRecord


_SELECT_JOBS = (
    "SELECT jobs.id, jobs.employer_id, employers.name, "
    + ", ".join(f"jobs.{column}" for column in _STORED_COLUMNS)
    + " FROM jobs JOIN employers ON employers.id = jobs.employer_id"
)


def load_job(db: Database, external_id: str) -> JobRecord | None:
    """The stored job with this external id, or None."""
    stored = load_stored_jobs(db, [external_id]).get(external_id)
    return stored.record if stored else None


def load_stored_jobs(db: Database, external_ids: Sequence[str]) -> dict[str, StoredJob]:
    """Stored jobs by external id, with their skills, for the ids that exist."""
    rows = select_in(db, _SELECT_JOBS + " WHERE jobs.external_id IN ({placeholders})", external_ids)
    return {stored.record.external_id: stored for stored in _stored_from_rows(db, rows)}


def iter_jobs(db: Database, *, batch_size: int = 1000) -> Iterator[JobRecord]:
    """Every job, in the order they were first stored."""
    cursor = db.execute(_SELECT_JOBS + " ORDER BY jobs.id")
    while batch := cursor.fetchmany(batch_size):
        for stored in _stored_from_rows(db, batch):
            yield stored.record


def _stored_from_rows(db: Database, rows: list[tuple]) -> list[StoredJob]:
    skills = _skills_by_job(db, [row[0] for row in rows])
    stored = []
    for job_id, employer_id, employer, *values in rows:
        row = dict(zip(_STORED_COLUMNS, values, strict=True))
        required = skills.get((job_id, "required"), [])
        nice = skills.get((job_id, "nice_to_have"), [])
        record = JobRecord(
            **row,
            employer=employer,
            required_skills=tuple(sorted(required)),
            nice_to_have_skills=tuple(sorted(nice)),
        )
        stored.append(StoredJob(job_id, employer_id, record))
    return stored


def _skills_by_job(db: Database, job_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    skills: dict[tuple[int, str], list[str]] = {}
    sql = "SELECT job_id, skill, kind FROM job_skills WHERE job_id IN ({placeholders})"
    for job_id, skill, kind in select_in(db, sql, job_ids):
        skills.setdefault((job_id, kind), []).append(skill)
    return skills


def employer_ids(db: Database, names: Sequence[str]) -> dict[str, int]:
    """The id of each employer by name, creating the employers that do not exist yet."""
    sql = "SELECT name, id FROM employers WHERE name IN ({placeholders})"
    with write_transaction(db):
        known = dict(select_in(db, sql, list(set(names))))
        missing = sorted(set(names) - set(known))
        now = utc_now()
        db.conn.executemany(
            "INSERT INTO employers (name, created_at) VALUES (?, ?)", [(n, now) for n in missing]
        )
        known.update(select_in(db, sql, missing))
    return known


def save_job(db: Database, record: JobRecord, employer_id: int | None = None) -> SaveStatus:
    """Insert or update one job; with `employer_id`, the job must be that employer's own.

    Raises `RowError` when the external id already belongs to another employer.
    """
    result = save_jobs(db, [record], employer_id=employer_id)[0]
    if isinstance(result, RowError):
        raise result
    return result


def save_jobs(
    db: Database, records: Sequence[JobRecord], *, employer_id: int | None = None
) -> list[SaveStatus | RowError]:
    """Insert new jobs, update changed ones, leave equal ones alone, all in one transaction.

    External ids must be distinct within `records`. Without `employer_id`, employers are found
    (or created) by name, and an update may move a job to another employer.
    """
    with write_transaction(db):
        if employer_id is not None:
            name = db.execute("SELECT name FROM employers WHERE id = ?", [employer_id]).fetchone()
            if name is None:
                raise ValueError(f"no employer with id {employer_id}")
            records = [replace(record, employer=name[0]) for record in records]
            ids_of_employers = {name[0]: employer_id}
        else:
            ids_of_employers = employer_ids(db, [record.employer for record in records])
        stored = load_stored_jobs(db, [record.external_id for record in records])
        results = [
            _compare(record, stored.get(record.external_id), employer_id) for record in records
        ]
        inserted = [r for r, s in zip(records, results, strict=True) if s is SaveStatus.INSERTED]
        updated = [r for r, s in zip(records, results, strict=True) if s is SaveStatus.UPDATED]
        now = utc_now()
        _insert_jobs(db, inserted, ids_of_employers, now)
        ids = _ids_by_external_id(db, [record.external_id for record in inserted])
        ids.update({record.external_id: stored[record.external_id].id for record in updated})
        _update_jobs(db, updated, ids_of_employers, ids, now)
        _replace_skills(db, inserted + updated, ids)
    return results


def _compare(
    record: JobRecord, stored: StoredJob | None, employer_id: int | None
) -> SaveStatus | RowError:
    if stored is None:
        return SaveStatus.INSERTED
    if employer_id is not None and stored.employer_id != employer_id:
        return RowError("external_id", "a job with this id belongs to another employer")
    return SaveStatus.UNCHANGED if stored.record == record else SaveStatus.UPDATED


def _stored_values(record: JobRecord) -> list:
    return [getattr(record, column) for column in _STORED_COLUMNS]


def _insert_jobs(db: Database, records: list[JobRecord], employers: dict, now: str) -> None:
    columns = ", ".join(_STORED_COLUMNS)
    placeholders = ", ".join("?" for _ in _STORED_COLUMNS)
    db.conn.executemany(
        f"INSERT INTO jobs ({columns}, employer_id, created_at, updated_at)"
        f" VALUES ({placeholders}, ?, ?, ?)",
        [[*_stored_values(r), employers[r.employer], now, now] for r in records],
    )


def _update_jobs(
    db: Database, records: list[JobRecord], employers: dict, ids: dict, now: str
) -> None:
    assignments = ", ".join(f"{column} = ?" for column in _STORED_COLUMNS)
    db.conn.executemany(
        f"UPDATE jobs SET {assignments}, employer_id = ?, updated_at = ? WHERE id = ?",
        [[*_stored_values(r), employers[r.employer], now, ids[r.external_id]] for r in records],
    )


def _ids_by_external_id(db: Database, external_ids: list[str]) -> dict[str, int]:
    sql = "SELECT external_id, id FROM jobs WHERE external_id IN ({placeholders})"
    return dict(select_in(db, sql, external_ids))


def _replace_skills(db: Database, records: list[JobRecord], ids: dict[str, int]) -> None:
    job_ids = [ids[record.external_id] for record in records]
    for part in slices(job_ids):
        placeholders = ", ".join("?" for _ in part)
        db.execute(f"DELETE FROM job_skills WHERE job_id IN ({placeholders})", list(part))
    db.conn.executemany(
        "INSERT INTO job_skills (job_id, skill, kind) VALUES (?, ?, ?)",
        [
            (ids[record.external_id], skill, kind)
            for record in records
            for kind, names in (
                ("required", record.required_skills),
                ("nice_to_have", record.nice_to_have_skills),
            )
            for skill in names
        ],
    )


def titles_in_language(db: Database, external_ids: Sequence[str], language: str) -> dict[str, str]:
    """Each job's title for readers of `language`: the French title when asked and given."""
    rows = select_in(
        db,
        "SELECT external_id, title, title_fr FROM jobs WHERE external_id IN ({placeholders})",
        list(external_ids),
    )
    return {
        external_id: (title_fr if language == "fr" and title_fr else title)
        for external_id, title, title_fr in rows
    }


def posting_in_language(record: JobRecord, language: str) -> tuple[str, str]:
    """The title and description for readers of `language` (French when given, else English)."""
    if language == "fr":
        return record.title_fr or record.title, record.description_fr or record.description
    return record.title, record.description


def job_heading(db: Database, job_id: int) -> dict | None:
    """A job's title, employer name, external id and city (what a link's page or an email
    names), or None."""
    row = db.execute(
        "SELECT j.title, e.name, j.external_id, j.city FROM jobs j"
        " JOIN employers e ON e.id = j.employer_id WHERE j.id = ?",
        [job_id],
    ).fetchone()
    if row is None:
        return None
    return {"title": row[0], "employer": row[1], "external_id": row[2], "city": row[3]}


def jobs_of_employer(db: Database, employer_id: int) -> list[dict]:
    """The employer's jobs, open ones first, with how many candidates each has decided."""
    sql = """
        SELECT jobs.external_id, jobs.title, jobs.city, jobs.remote, jobs.status,
               (SELECT count(DISTINCT outcomes.worker_id) FROM outcomes
                  WHERE outcomes.job_id = jobs.id
                  AND outcomes.stage IN ({stages})) AS decision_count
        FROM jobs WHERE jobs.employer_id = ?
        ORDER BY jobs.status = 'closed', jobs.updated_at DESC, jobs.id DESC
    """.format(stages=", ".join("?" for _ in DECISION_STAGES))
    return list(db.query(sql, [*DECISION_STAGES, employer_id]))
