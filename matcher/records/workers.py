"""Worker records: parse a contract row, save workers with their skills, load them back.

A worker and its skills are written together; a change of `match_emails` is written to the
`consents` ledger in the same transaction, because consent is the lawful basis for digests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from matcher.constants import EDUCATION_LEVELS, LANGUAGE_LEVEL_RANGE, WORK_AUTHORIZATIONS
from matcher.i18n import N_, SUPPORTED_LANGUAGES
from matcher.notifications.consent import ConsentEntry, append_consents
from matcher.records import parsing
from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus, select_in, slices
from matcher.records.skill_lists import canonical_skill, skill_items
from matcher.store import utc_now, write_transaction

if TYPE_CHECKING:
    from matcher.resumes import ResumeFacts

COLUMNS: tuple[str, ...] = (
    "external_id",
    "name",
    "email",
    "skills",
    "resume_text",
    "years_experience",
    "education",
    "city_preferences",
    "open_to_remote",
    "english_level",
    "french_level",
    "salary_expectation_cad",
    "work_authorization",
    "available_from",
    "match_emails",
    "preferred_language",
)
# Without these no row could be valid, so a file lacking one is refused before any write.
REQUIRED_COLUMNS: tuple[str, ...] = ("external_id", "name", "email", "work_authorization")

# The one sentence a worker agrees to when `match_emails` is true; the ledger records it.
CONSENT_WORDING = N_(
    "I agree to receive match emails from talentmatch listing jobs that fit my profile; "
    "I can withdraw this consent at any time with the unsubscribe link in every email."
)

_STORED_COLUMNS = COLUMNS[:3] + COLUMNS[4:]  # every column of `workers` but the skills


@dataclass(frozen=True, order=True)
class WorkerSkill:
    """A canonical skill of a worker, with years if given, listed by them or found in the resume."""

    name: str
    years: float | None = None
    source: str = "listed"


@dataclass(frozen=True)
class WorkerRecord:
    """A worker as the data contract describes it, with skills canonical and sorted by name."""

    external_id: str
    name: str
    email: str
    work_authorization: str
    skills: tuple[WorkerSkill, ...] = ()
    resume_text: str = ""
    years_experience: float | None = None  # None: not stated (unknown, never 0)
    education: str | None = None
    city_preferences: tuple[str, ...] = ()
    open_to_remote: bool = False
    english_level: int | None = None
    french_level: int | None = None
    salary_expectation_cad: int | None = None
    available_from: str | None = None
    match_emails: bool = False
    preferred_language: str | None = None  # `en` or `fr`; None reads English
    # Terms the skill vocabulary did not know: not stored, reported by the importer.
    unrecognised_skills: tuple[str, ...] = field(default=(), compare=False)


def parse_worker(row: dict, *, as_of: dt.date | None = None) -> WorkerRecord:
    """Validate a contract row (JSONL shape, values possibly strings) into a `WorkerRecord`.

    The resume's skills join the listed ones with the years it states (listed years win), and
    its total experience fills an empty `years_experience`; `as_of` dates "since 2019".
    """
    low, high = LANGUAGE_LEVEL_RANGE
    external_id = parsing.required_text(row, "external_id")
    name = parsing.required_text(row, "name")
    email = parsing.email_address(row, "email")
    listed, unrecognised = _listed_skills(row)
    resume_text = parsing.optional_text(row, "resume_text", default="")
    facts = _resume_facts(resume_text, as_of)
    years_experience = parsing.number(row, "years_experience", minimum=0)
    return WorkerRecord(
        external_id=external_id,
        name=name,
        email=email,
        skills=_with_resume_skills(listed, facts),
        resume_text=resume_text,
        years_experience=_years_or_resume_total(years_experience, facts),
        education=parsing.enum(row, "education", EDUCATION_LEVELS),
        city_preferences=parsing.city_list(row, "city_preferences"),
        open_to_remote=parsing.boolean(row, "open_to_remote", default=False),
        english_level=parsing.integer(row, "english_level", minimum=low, maximum=high),
        french_level=parsing.integer(row, "french_level", minimum=low, maximum=high),
        salary_expectation_cad=parsing.integer(row, "salary_expectation_cad", minimum=0),
        work_authorization=_work_authorization(row),
        available_from=parsing.iso_date(row, "available_from"),
        match_emails=parsing.boolean(row, "match_emails", default=False),
        preferred_language=parsing.enum(row, "preferred_language", SUPPORTED_LANGUAGES),
        unrecognised_skills=tuple(unrecognised),
    )


def _work_authorization(row: dict) -> str:
    value = parsing.enum(row, "work_authorization", WORK_AUTHORIZATIONS)
    if value is None:
        raise RowError("work_authorization", "required")
    return value


def _listed_skills(row: dict) -> tuple[dict[str, WorkerSkill], list[str]]:
    skills: dict[str, WorkerSkill] = {}
    unrecognised: list[str] = []
    for item in skill_items(row, "skills"):
        name = canonical_skill(item.term)
        if name is None:
            unrecognised.append(item.term)
        elif name not in skills or skills[name].years is None:
            # Two spellings of one skill: keep the first that says how many years.
            skills[name] = WorkerSkill(name, item.years)
    return skills, unrecognised


def _resume_facts(resume_text: str, as_of: dt.date | None) -> ResumeFacts | None:
    if not resume_text:
        return None
    # Imported on use: the resume parser loads the skill vocabulary.
    from matcher.resumes import parse_resume

    return parse_resume(resume_text, as_of=as_of)


def _years_or_resume_total(years: float | None, facts: ResumeFacts | None) -> float | None:
    """The row's years; when empty, the resume's total if it states one, else None (unknown)."""
    if years is not None:
        return years
    return facts.total_years if facts else None


def _with_resume_skills(listed: dict[str, WorkerSkill], facts: ResumeFacts | None) -> tuple:
    skills = dict(listed)
    for found in facts.skills if facts else ():
        known = skills.get(found.name)
        if known is None:
            skills[found.name] = WorkerSkill(found.name, found.years, "resume")
        elif known.years is None and found.years is not None:
            # Listed without years, and the resume states them: keep them, still listed.
            skills[found.name] = WorkerSkill(found.name, found.years, known.source)
    # Names are distinct here, so sorting by name gives the dataclass order, much faster.
    return tuple(sorted(skills.values(), key=_skill_name))


def _skill_name(skill: WorkerSkill) -> str:
    return skill.name


def worker_to_row(record: WorkerRecord) -> dict:
    """The contract row (JSONL shape) for `record`; resume skills come back from the resume."""
    skills = [
        skill.name if skill.years is None else {"name": skill.name, "years": skill.years}
        for skill in record.skills
        if skill.source == "listed"
    ]
    return {
        "external_id": record.external_id,
        "name": record.name,
        "email": record.email,
        "skills": skills,
        "resume_text": record.resume_text,
        "years_experience": record.years_experience,
        "education": record.education,
        "city_preferences": list(record.city_preferences),
        "open_to_remote": record.open_to_remote,
        "english_level": record.english_level,
        "french_level": record.french_level,
        "salary_expectation_cad": record.salary_expectation_cad,
        "work_authorization": record.work_authorization,
        "available_from": record.available_from,
        "match_emails": record.match_emails,
        "preferred_language": record.preferred_language,
    }


@dataclass(frozen=True)
class StoredWorker:
    """A worker row as stored: its id and its record (None once deleted, i.e. anonymised)."""

    id: int
    record: WorkerRecord | None


def load_worker(db: Database, external_id: str) -> WorkerRecord | None:
    """The stored worker with this external id, or None (also for a deleted worker)."""
    stored = load_stored_workers(db, [external_id]).get(external_id)
    return stored.record if stored else None


def load_stored_workers(db: Database, external_ids: Sequence[str]) -> dict[str, StoredWorker]:
    """Stored workers by external id, with their skills, for the ids that exist."""
    columns = ", ".join(_STORED_COLUMNS)
    rows = select_in(
        db,
        f"SELECT id, deleted_at, {columns} FROM workers WHERE external_id IN ({{placeholders}})",
        external_ids,
    )
    return {row[2]: stored for row, stored in zip(rows, _stored_from_rows(db, rows), strict=True)}


def iter_workers(db: Database, *, batch_size: int = 1000) -> Iterator[WorkerRecord]:
    """Every worker not deleted, in the order they were first stored."""
    columns = ", ".join(_STORED_COLUMNS)
    cursor = db.execute(
        f"SELECT id, deleted_at, {columns} FROM workers WHERE deleted_at IS NULL ORDER BY id"
    )
    while batch := cursor.fetchmany(batch_size):
        for stored in _stored_from_rows(db, batch):
            yield stored.record


def _stored_from_rows(db: Database, rows: list[tuple]) -> list[StoredWorker]:
    skills = _skills_by_worker(db, [row[0] for row in rows])
    return [
        StoredWorker(row[0], None if row[1] else _record_from_row(row[2:], skills.get(row[0], ())))
        for row in rows
    ]


def _skills_by_worker(db: Database, worker_ids: list[int]) -> dict[int, list[WorkerSkill]]:
    skills: dict[int, list[WorkerSkill]] = {}
    sql = (
        "SELECT worker_id, skill, years, source FROM worker_skills"
        " WHERE worker_id IN ({placeholders})"
    )
    for worker_id, skill, years, source in select_in(db, sql, worker_ids):
        skills.setdefault(worker_id, []).append(WorkerSkill(skill, years, source))
    return skills


def _record_from_row(values: tuple, skills: Iterable[WorkerSkill]) -> WorkerRecord:
    row = dict(zip(_STORED_COLUMNS, values, strict=True))
    return WorkerRecord(
        **{
            **row,
            "skills": tuple(sorted(skills, key=_skill_name)),  # names are the primary key
            "years_experience": _float_or_none(row["years_experience"]),
            "city_preferences": tuple(filter(None, row["city_preferences"].split(";"))),
            "open_to_remote": bool(row["open_to_remote"]),
            "match_emails": bool(row["match_emails"]),
        }
    )


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


def save_worker(db: Database, record: WorkerRecord, *, source: str = "web") -> SaveStatus:
    """Insert or update one worker with its skills (raises `RowError` for a deleted worker)."""
    result = save_workers(db, [record], source=source)[0]
    if isinstance(result, RowError):
        raise result
    return result


def save_workers(
    db: Database, records: Sequence[WorkerRecord], *, source: str = "import"
) -> list[SaveStatus | RowError]:
    """Insert new workers, update changed ones, leave equal ones alone, all in one transaction.

    External ids must be distinct within `records`. `source` is the consent ledger's method.
    """
    with write_transaction(db):
        stored = load_stored_workers(db, [record.external_id for record in records])
        results = [_compare(record, stored.get(record.external_id)) for record in records]
        inserted = [r for r, s in zip(records, results, strict=True) if s is SaveStatus.INSERTED]
        updated = [r for r, s in zip(records, results, strict=True) if s is SaveStatus.UPDATED]
        now = utc_now()
        _insert_workers(db, inserted, now)
        ids = _ids_by_external_id(db, [record.external_id for record in inserted])
        ids.update({record.external_id: stored[record.external_id].id for record in updated})
        _update_workers(db, updated, ids, now)
        _delete_skills(db, [ids[record.external_id] for record in updated])
        _insert_skills(db, inserted + updated, ids)
        _record_consents(db, inserted, updated, stored, ids, source, now)
    return results


def _compare(record: WorkerRecord, stored: StoredWorker | None) -> SaveStatus | RowError:
    if stored is None:
        return SaveStatus.INSERTED
    if stored.record is None:
        return RowError("external_id", "this worker was deleted and cannot be imported again")
    return SaveStatus.UNCHANGED if stored.record == record else SaveStatus.UPDATED


def _stored_values(record: WorkerRecord) -> list:
    return [
        ";".join(record.city_preferences)
        if column == "city_preferences"
        else getattr(record, column)
        for column in _STORED_COLUMNS
    ]


def _derived_values(record: WorkerRecord) -> list:
    """Columns computed from the record when it is written, so that loading only reads them."""
    # Imported on use, as the resume parser: the lookup reads the occupation titles file.
    from matcher.occupations.stored import stored_resume_occupations

    return [stored_resume_occupations(record.resume_text)]


_DERIVED_COLUMNS = ("resume_occupations",)


def _insert_workers(db: Database, records: list[WorkerRecord], now: str) -> None:
    columns = ", ".join((*_STORED_COLUMNS, *_DERIVED_COLUMNS))
    placeholders = ", ".join("?" for _ in (*_STORED_COLUMNS, *_DERIVED_COLUMNS))
    db.conn.executemany(
        f"INSERT INTO workers ({columns}, created_at, updated_at) VALUES ({placeholders}, ?, ?)",
        [[*_stored_values(record), *_derived_values(record), now, now] for record in records],
    )


def _update_workers(db: Database, records: list[WorkerRecord], ids: dict, now: str) -> None:
    assignments = ", ".join(f"{column} = ?" for column in (*_STORED_COLUMNS, *_DERIVED_COLUMNS))
    db.conn.executemany(
        f"UPDATE workers SET {assignments}, updated_at = ? WHERE id = ?",
        [
            [*_stored_values(record), *_derived_values(record), now, ids[record.external_id]]
            for record in records
        ],
    )


def _ids_by_external_id(db: Database, external_ids: list[str]) -> dict[str, int]:
    sql = "SELECT external_id, id FROM workers WHERE external_id IN ({placeholders})"
    return dict(select_in(db, sql, external_ids))


def _delete_skills(db: Database, worker_ids: list[int]) -> None:
    """Drop the skills of updated workers (new workers have none: the foreign key sees to it)."""
    for part in slices(worker_ids):
        placeholders = ", ".join("?" for _ in part)
        db.execute(f"DELETE FROM worker_skills WHERE worker_id IN ({placeholders})", list(part))


def _insert_skills(db: Database, records: list[WorkerRecord], ids: dict[str, int]) -> None:
    db.conn.executemany(
        "INSERT INTO worker_skills (worker_id, skill, years, source) VALUES (?, ?, ?, ?)",
        [
            (ids[record.external_id], skill.name, skill.years, skill.source)
            for record in records
            for skill in record.skills
        ],
    )


def _record_consents(
    db: Database,
    inserted: list[WorkerRecord],
    updated: list[WorkerRecord],
    stored: dict[str, StoredWorker],
    ids: dict[str, int],
    method: str,
    now: str,
) -> None:
    changed = [record for record in inserted if record.match_emails] + [
        record
        for record in updated
        if record.match_emails != stored[record.external_id].record.match_emails
    ]
    append_consents(
        db,
        [
            ConsentEntry(ids[r.external_id], r.match_emails, method, CONSENT_WORDING, now)
            for r in changed
        ],
    )


def blind_profile(db: Database, worker_id: int) -> dict:
    """The stored worker's profile fields and skills, including name and email.

    The caller blanks the name and email until the worker accepts a contact request.
    """
    profile = next(
        iter(
            db.query(
                """SELECT external_id, name, email, years_experience, education, city_preferences,
                          open_to_remote, english_level, french_level, salary_expectation_cad,
                          work_authorization, available_from
                   FROM workers WHERE id = ?""",
                [worker_id],
            )
        )
    )
    profile["skills"] = list(
        db.query(
            "SELECT skill, years, source FROM worker_skills WHERE worker_id = ? ORDER BY skill",
            [worker_id],
        )
    )
    return profile


def live_worker_id(db: Database, external_id: str) -> int | None:
    """The internal id of the worker with this external id, or None (also once deleted)."""
    sql = "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL"
    row = db.execute(sql, [external_id]).fetchone()
    return row[0] if row else None


def live_external_id(db: Database, worker_id: int) -> str | None:
    """The external id of the worker with this internal id, or None (also once deleted)."""
    sql = "SELECT external_id FROM workers WHERE id = ? AND deleted_at IS NULL"
    row = db.execute(sql, [worker_id]).fetchone()
    return row[0] if row else None


def stored_email(db: Database, worker_id: int) -> str | None:
    """The worker's stored email address ("" once deleted), or None for no such worker."""
    row = db.execute("SELECT email FROM workers WHERE id = ?", [worker_id]).fetchone()
    return None if row is None else row[0] or ""
