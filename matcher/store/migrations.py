"""The schema, as an ordered list of small migrations (sqlite-utils 4 `Migrations`).

Add a change as a new function at the end; never edit one that has shipped.
Timestamps are ISO 8601 UTC text (`matcher.store.utc_now`), dates ISO `YYYY-MM-DD`.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from matcher.store.database import file_lock

migrations = Migrations("talentmatch")


def apply_migrations(db: Database, lock: Path | None = None) -> None:
    """Apply every pending migration, each in its own transaction.

    With a `lock` file, processes opening the database at once take turns: the second sees
    nothing pending instead of creating a table the first just made.
    """
    if not migrations.pending(db):
        return
    if lock is None:
        migrations.apply(db)
        return
    with file_lock(lock):
        migrations.apply(db)


def _run(db: Database, *statements: str) -> None:
    for statement in statements:
        db.execute(statement)


@migrations()
def m001_employers_and_users(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE employers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )""",
        # One table for every account: employer users, workers who sign in, operators.
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('employer', 'worker', 'operator')),
            employer_id INTEGER REFERENCES employers(id),
            worker_id INTEGER REFERENCES workers(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        )""",
        "CREATE INDEX users_employer ON users(employer_id)",
        "CREATE INDEX users_worker ON users(worker_id)",
        # Server-side sessions, so that signing out really ends them.
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            ended_at TEXT
        )""",
        "CREATE INDEX sessions_user ON sessions(user_id)",
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        )""",
        # Failed sign-ins, shared by every web process, for throttling.
        """CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE,
            remote_addr TEXT,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX sign_in_failures_email_at ON sign_in_failures(email, at)",
    )


@migrations()
def m002_jobs_and_workers(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            external_id TEXT NOT NULL UNIQUE,
            employer_id INTEGER NOT NULL REFERENCES employers(id),
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL CHECK (city IN ('Toronto', 'Vancouver', 'Montreal')),
            remote TEXT NOT NULL DEFAULT 'onsite' CHECK (remote IN ('onsite', 'hybrid', 'remote')),
            min_years_experience REAL,
            salary_min_cad INTEGER,
            salary_max_cad INTEGER,
            french_level_required INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            posted_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (salary_min_cad IS NULL OR salary_max_cad IS NULL
                   OR salary_min_cad <= salary_max_cad)
        )""",
        "CREATE INDEX jobs_employer_status ON jobs(employer_id, status)",
        "CREATE INDEX jobs_status_city ON jobs(status, city)",
        # Skills are stored by their canonical display name from the vocabulary.
        """CREATE TABLE job_skills (
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            skill TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('required', 'nice_to_have')),
            PRIMARY KEY (job_id, skill)
        ) WITHOUT ROWID""",
        "CREATE INDEX job_skills_skill ON job_skills(skill, kind)",
        """CREATE TABLE workers (
            id INTEGER PRIMARY KEY,
            external_id TEXT NOT NULL UNIQUE,
            name TEXT,
            email TEXT COLLATE NOCASE,
            resume_text TEXT NOT NULL DEFAULT '',
            years_experience REAL NOT NULL DEFAULT 0,
            education TEXT,
            city_preferences TEXT NOT NULL DEFAULT '',
            open_to_remote INTEGER NOT NULL DEFAULT 0,
            english_level INTEGER,
            french_level INTEGER,
            salary_expectation_cad INTEGER,
            work_authorization TEXT NOT NULL,
            available_from TEXT,
            match_emails INTEGER NOT NULL DEFAULT 0,
            digest_frequency TEXT NOT NULL DEFAULT 'weekly'
                CHECK (digest_frequency IN ('daily', 'weekly', 'off')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        )""",
        "CREATE INDEX workers_email ON workers(email)",
        "CREATE INDEX workers_match_emails ON workers(match_emails, digest_frequency)",
        # `source` says whether the worker listed the skill or it came from the resume.
        """CREATE TABLE worker_skills (
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            skill TEXT NOT NULL,
            years REAL,
            source TEXT NOT NULL DEFAULT 'listed' CHECK (source IN ('listed', 'resume')),
            PRIMARY KEY (worker_id, skill)
        ) WITHOUT ROWID""",
        "CREATE INDEX worker_skills_skill ON worker_skills(skill)",
    )


@migrations()
def m003_outcomes_and_contact(db: Database) -> None:
    _run(
        db,
        # Append-only: a row is never updated or deleted (deletion anonymises the worker).
        """CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            worker_id INTEGER NOT NULL REFERENCES workers(id),
            stage TEXT NOT NULL CHECK (stage IN ('shown', 'viewed', 'shortlisted', 'contacted',
                'interviewed', 'offered', 'hired', 'rejected', 'withdrawn')),
            at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'import',
            actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (job_id, worker_id, stage, at)
        )""",
        "CREATE INDEX outcomes_at ON outcomes(at)",
        "CREATE INDEX outcomes_worker ON outcomes(worker_id)",
        """CREATE TRIGGER outcomes_append_only_update BEFORE UPDATE ON outcomes
            BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END""",
        """CREATE TABLE contact_requests (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            requested_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'declined')),
            created_at TEXT NOT NULL,
            decided_at TEXT,
            UNIQUE (job_id, worker_id)
        )""",
        "CREATE INDEX contact_requests_worker ON contact_requests(worker_id, status)",
    )


@migrations()
def m004_consent_and_email(db: Database) -> None:
    _run(
        db,
        # Canada's anti-spam law: when, how and with which wording consent was given or withdrawn.
        """CREATE TABLE consents (
            id INTEGER PRIMARY KEY,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            purpose TEXT NOT NULL DEFAULT 'match_emails',
            granted INTEGER NOT NULL,
            method TEXT NOT NULL,
            wording TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX consents_worker ON consents(worker_id, purpose, at)",
        # One digest per worker and period: the key that prevents duplicates after a crash.
        """CREATE TABLE email_outbox (
            id INTEGER PRIMARY KEY,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            period TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body_text TEXT NOT NULL,
            body_html TEXT NOT NULL,
            job_ids TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            message_id TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (worker_id, period)
        )""",
        "CREATE INDEX email_outbox_status ON email_outbox(status, next_attempt_at)",
        """CREATE TABLE email_suppressions (
            email TEXT PRIMARY KEY COLLATE NOCASE,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        """CREATE TABLE digest_sent_jobs (
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            outbox_id INTEGER REFERENCES email_outbox(id) ON DELETE SET NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (worker_id, job_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE match_feedback (
            id INTEGER PRIMARY KEY,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('not_relevant')),
            at TEXT NOT NULL,
            UNIQUE (worker_id, job_id, kind)
        )""",
    )


@migrations()
def m005_models_and_scheduled_runs(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE model_versions (
            version TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            metrics TEXT NOT NULL DEFAULT '{}',
            card TEXT NOT NULL DEFAULT '{}',
            removed_at TEXT
        )""",
        # The champion pointer: one row, switched inside a transaction.
        """CREATE TABLE model_champion (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version TEXT NOT NULL REFERENCES model_versions(version),
            switched_at TEXT NOT NULL
        )""",
        """CREATE TABLE model_promotions (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL REFERENCES model_versions(version),
            previous_version TEXT,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        """CREATE TABLE scheduled_job_runs (
            id INTEGER PRIMARY KEY,
            job_name TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
            error TEXT,
            counts TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX scheduled_job_runs_job ON scheduled_job_runs(job_name, started_at)",
    )


@migrations()
def m006_demo_truth_and_audit(db: Database) -> None:
    _run(
        db,
        # The demo generator's true hire probability of each pair it showed: the ceiling.
        """CREATE TABLE demo_true_probabilities (
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            probability REAL NOT NULL,
            PRIMARY KEY (job_id, worker_id)
        ) WITHOUT ROWID""",
        # Optional self-identified attributes for fairness audits only: stored apart and never
        # read by feature or ranking code.
        """CREATE TABLE audit_attributes (
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            attribute TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (worker_id, attribute)
        ) WITHOUT ROWID""",
    )


def _bump_counter_triggers(table: str, counter: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_{event.lower()}_bumps_{counter} AFTER {event} ON {table}
            BEGIN UPDATE change_counters SET version = version + 1 WHERE name = '{counter}'; END"""
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


@migrations()
def m007_change_counters(db: Database) -> None:
    _run(
        db,
        # Bumped by triggers on every write, so in-memory caches (the ranking's worker table,
        # the open jobs) can tell with one indexed read whether to rebuild.
        """CREATE TABLE change_counters (
            name TEXT PRIMARY KEY,
            version INTEGER NOT NULL DEFAULT 0
        )""",
        "INSERT INTO change_counters (name, version) VALUES ('workers', 0), ('jobs', 0)",
        *_bump_counter_triggers("workers", "workers"),
        *_bump_counter_triggers("worker_skills", "workers"),
        *_bump_counter_triggers("jobs", "jobs"),
        *_bump_counter_triggers("job_skills", "jobs"),
    )


@migrations()
def m010_security(db: Database) -> None:
    _run(
        db,
        # Set just before SMTP DATA: a row found in 'sending' with it set may have been
        # delivered, so it is never resent blindly (at most once); without it, it was not.
        "ALTER TABLE email_outbox ADD COLUMN smtp_data_at TEXT",
        # The client a failed sign-in came from: a known device's id, else the remote address.
        "ALTER TABLE sign_in_failures ADD COLUMN client TEXT",
        "CREATE INDEX sign_in_failures_client_at ON sign_in_failures(client, at)",
        # Rate-limited actions other than sign-in (sign-up, email change), per client.
        """CREATE TABLE rate_limited_events (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL,
            client TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX rate_limited_events_action_client_at"
        " ON rate_limited_events(action, client, at)",
    )


@migrations()
def m013_notes(db: Database) -> None:
    _run(
        db,
        # An employer's notes and tags on a candidate for one of its jobs: the job says whose.
        # Personal information about the worker: exported to them, removed on deletion.
        """CREATE TABLE candidate_notes (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX candidate_notes_job_worker ON candidate_notes(job_id, worker_id)",
        "CREATE INDEX candidate_notes_worker ON candidate_notes(worker_id)",
        """CREATE TABLE candidate_tags (
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            tag TEXT NOT NULL COLLATE NOCASE,
            author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (job_id, worker_id, tag)
        ) WITHOUT ROWID""",
        "CREATE INDEX candidate_tags_worker ON candidate_tags(worker_id)",
    )


@migrations()
def m014_batch_results(db: Database) -> None:
    _run(
        db,
        # One nightly `batch-match` run: what its results were computed from, so a reader can
        # tell stale ones (another model, data changed since, another day) and a rerun after a
        # crash can resume the same run.
        """CREATE TABLE batch_runs (
            id INTEGER PRIMARY KEY,
            model_version TEXT NOT NULL,
            workers_version INTEGER NOT NULL,
            jobs_version INTEGER NOT NULL,
            computed_on TEXT NOT NULL,
            top_k INTEGER NOT NULL,
            top_n INTEGER NOT NULL,
            partition_size INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT
        )""",
        # A partition's marker is written in the same transaction as its rows.
        """CREATE TABLE batch_partitions (
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('jobs', 'workers')),
            number INTEGER NOT NULL,
            items INTEGER NOT NULL,
            pairs_scored INTEGER NOT NULL,
            done_at TEXT NOT NULL,
            PRIMARY KEY (run_id, kind, number)
        ) WITHOUT ROWID""",
        """CREATE TABLE batch_shortlists (
            job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            total INTEGER NOT NULL,
            candidates TEXT NOT NULL
        )""",
        """CREATE TABLE batch_matches (
            worker_id INTEGER PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE,
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            jobs TEXT NOT NULL
        )""",
        "CREATE INDEX batch_shortlists_run ON batch_shortlists(run_id)",
        "CREATE INDEX batch_matches_run ON batch_matches(run_id)",
    )


@migrations()
def m015_languages(db: Database) -> None:
    _run(
        db,
        # `en` or `fr`; NULL until chosen (English). A worker's language is the workers
        # contract's `preferred_language` and governs their pages and emails; an employer or
        # operator account's is on `users`.
        "ALTER TABLE workers ADD COLUMN preferred_language TEXT",
        "ALTER TABLE users ADD COLUMN preferred_language TEXT",
    )


@migrations()
def m016_worker_interest(db: Database) -> None:
    _run(
        db,
        # A worker's answer to a job ("I'm interested" / "Not for me"), append-only: the
        # latest row (by id) per worker and job is the current choice, earlier ones are kept
        # so that interest can later be read as of an outcome's date without leakage.
        """CREATE TABLE worker_interest (
            id INTEGER PRIMARY KEY,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            choice TEXT NOT NULL CHECK (choice IN ('interested', 'not_for_me')),
            source TEXT NOT NULL CHECK (source IN ('page', 'email')),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX worker_interest_pair ON worker_interest(worker_id, job_id, id)",
        "CREATE INDEX worker_interest_job ON worker_interest(job_id, worker_id, id)",
        """CREATE TRIGGER worker_interest_append_only BEFORE UPDATE ON worker_interest
        BEGIN SELECT RAISE(ABORT, 'worker_interest is append-only'); END""",
    )


@migrations()
def m017_canonical_email_domains(db: Database) -> None:
    """Addresses stored before `matcher.email_addresses` get its form: an internationalised
    domain in punycode, a domain in lower case. An address whose canonical form another
    account already holds stays as it was (both spellings cannot be one account silently)."""
    from matcher.email_addresses import canonical_or_as_typed

    for table in ("users", "workers"):
        rows = db.execute(f"SELECT id, email FROM {table} WHERE email IS NOT NULL").fetchall()
        for row_id, email in rows:
            canonical = canonical_or_as_typed(email)
            if canonical == email:
                continue
            taken = db.execute(
                f"SELECT 1 FROM {table} WHERE email = ? AND id != ?", [canonical, row_id]
            ).fetchone()
            if table == "workers" or taken is None:
                db.execute(f"UPDATE {table} SET email = ? WHERE id = ?", [canonical, row_id])


_GENERAL_OUTBOX = """CREATE TABLE email_outbox_m018 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'digest'
        CHECK (kind IN ('digest', 'contact_request', 'contact_answer', 'employer_daily')),
    dedupe_key TEXT UNIQUE,  -- a digest is also unique by (worker_id, period)
    worker_id INTEGER REFERENCES workers(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    period TEXT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    job_ids TEXT NOT NULL DEFAULT '[]',
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    message_id TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    smtp_data_at TEXT,
    UNIQUE (worker_id, period),
    CHECK (worker_id IS NOT NULL OR user_id IS NOT NULL),
    CHECK (kind != 'digest' OR (worker_id IS NOT NULL AND period IS NOT NULL)),
    CHECK (kind = 'digest' OR dedupe_key IS NOT NULL)
)"""
_OUTBOX_COLUMNS = (
    "id, worker_id, period, recipient, subject, body_text, body_html, job_ids, status,"
    " attempts, next_attempt_at, last_error, message_id, created_at, sent_at, smtp_data_at"
)


def _rebuild_outbox_as_general(db: Database) -> None:
    """SQLite's documented table rebuild: new table, copy, drop, rename (foreign keys off)."""
    _run(
        db,
        _GENERAL_OUTBOX,
        f"""INSERT INTO email_outbox_m018 (kind, dedupe_key, {_OUTBOX_COLUMNS})
            SELECT 'digest', 'digest:' || worker_id || ':' || period, {_OUTBOX_COLUMNS}
            FROM email_outbox""",
        "DROP TABLE email_outbox",
        "ALTER TABLE email_outbox_m018 RENAME TO email_outbox",
        "CREATE INDEX email_outbox_status ON email_outbox(status, next_attempt_at)",
        "CREATE INDEX email_outbox_user ON email_outbox(user_id)",
    )


def _with_foreign_keys_off(db: Database, name: str, rebuild) -> None:
    """`rebuild()` as one transaction with foreign keys off, checked before it commits
    (`rebuild` decides inside it whether there is anything to do, so two processes
    migrating at once rebuild once).

    A table rebuild (create, copy, drop, rename) needs them off, which SQLite allows only
    outside a transaction; with them on, dropping the old table would cascade or null the
    rows that reference it.
    """
    db.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            rebuild()
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"{name} left broken foreign keys: {problems[:5]}")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")


def _outbox_is_general(db: Database) -> bool:
    return "kind" in db["email_outbox"].columns_dict


@migrations(transactional=False)
def m018_general_outbox(db: Database) -> None:
    # Not transactional: the rebuild needs foreign keys off, which SQLite only allows
    # outside a transaction (with them on, dropping the old table would null
    # digest_sent_jobs.outbox_id). The work is one transaction of its own, and idempotent.

    def rebuild() -> None:
        if not _outbox_is_general(db):
            _rebuild_outbox_as_general(db)
            _m018_new_columns_and_tables(db)

    _with_foreign_keys_off(db, "m018", rebuild)


def _m018_new_columns_and_tables(db: Database) -> None:
    _run(
        db,
        # The employer's short message with a contact request (line breaks kept).
        "ALTER TABLE contact_requests ADD COLUMN message TEXT NOT NULL DEFAULT ''",
        # An employer user's opt-in to the daily "new strong matches" email (off by default).
        "ALTER TABLE users ADD COLUMN strong_match_emails INTEGER NOT NULL DEFAULT 0",
        # Candidates a daily employer email announced, so no later one counts them as new.
        """CREATE TABLE employer_notified_candidates (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            outbox_id INTEGER REFERENCES email_outbox(id) ON DELETE SET NULL,
            notified_at TEXT NOT NULL,
            PRIMARY KEY (user_id, job_id, worker_id)
        ) WITHOUT ROWID""",
    )


@migrations()
def m020_french_postings(db: Database) -> None:
    _run(
        db,
        # The jobs contract's optional French title and description; NULL when not given.
        "ALTER TABLE jobs ADD COLUMN title_fr TEXT",
        "ALTER TABLE jobs ADD COLUMN description_fr TEXT",
    )


@migrations()
def m022_pending_sign_ups(db: Database) -> None:
    _run(
        db,
        # A sign-up waiting for its emailed link: the account is created only when the link
        # is used, so sign-up answers the same whether or not the address has an account.
        # Personal information: removed when used, and by housekeeping after SIGN_UP_LINK_AGE.
        """CREATE TABLE pending_sign_ups (
            token_hash TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            work_authorization TEXT NOT NULL,
            match_emails INTEGER NOT NULL,
            preferred_language TEXT,
            created_at TEXT NOT NULL
        )""",
    )


@migrations()
def m023_resume_occupations(db: Database) -> None:
    _run(
        db,
        # The occupations found in `resume_text`, written with it (matcher.occupations.stored:
        # a version, then code=share pairs); NULL or an old version is recomputed on load.
        "ALTER TABLE workers ADD COLUMN resume_occupations TEXT",
    )


# The profile columns features read, versioned by m021's history tables (never names, emails
# or education: a worker's deletion also deletes their history).
_WORKER_HISTORY_COLUMNS = (
    "resume_text",
    "years_experience",
    "city_preferences",
    "open_to_remote",
    "english_level",
    "french_level",
    "salary_expectation_cad",
    "work_authorization",
    "available_from",
)
_JOB_HISTORY_COLUMNS = (
    "employer_id",
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
)
# When a write did not move `updated_at`, the database's own clock dates the change.
_SQLITE_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


def _profile_history_statements(
    table: str, history: str, key: str, columns: tuple[str, ...], live: str
) -> list[str]:
    """A history table of `table`'s `columns` and the triggers that keep it, whatever writes.

    A version is valid from `valid_from` (the row's `updated_at`, the clock of the write
    path) until `valid_to` (NULL: current). `live` is a condition on NEW for rows to keep.
    """
    names = ", ".join(columns)
    new_values = ", ".join(f"NEW.{c}" for c in columns)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    stamp = f"CASE WHEN NEW.updated_at IS OLD.updated_at THEN {_SQLITE_NOW} ELSE NEW.updated_at END"
    return [
        f"""CREATE TABLE {history} (
            {key} INTEGER NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            {", ".join(columns)}
        )""",
        f"CREATE INDEX {history}_key ON {history}({key}, valid_from)",
        f"""CREATE TRIGGER {table}_insert_keeps_history AFTER INSERT ON {table} WHEN {live}
            BEGIN INSERT INTO {history} ({key}, valid_from, {names})
                VALUES (NEW.id, NEW.updated_at, {new_values}); END""",
        f"""CREATE TRIGGER {table}_update_keeps_history AFTER UPDATE ON {table}
            WHEN {live} AND ({changed})
            BEGIN
                UPDATE {history} SET valid_to = {stamp}
                    WHERE {key} = NEW.id AND valid_to IS NULL;
                INSERT INTO {history} ({key}, valid_from, {names})
                    VALUES (NEW.id, {stamp}, {new_values});
            END""",
        f"""INSERT INTO {history} ({key}, valid_from, {names})
            SELECT id, updated_at, {names} FROM {table} WHERE {live.replace("NEW.", "")}""",
    ]


def _skill_history_statements(
    table: str, history: str, key: str, parent: str, extra: tuple[str, ...]
) -> list[str]:
    """History of a skills table, dated by the parent row's `updated_at` (one write, one time)."""
    columns = ("skill", *extra)
    names = ", ".join(columns)
    stamp = f"(SELECT updated_at FROM {parent} WHERE id = {{row}}.{key})"
    close = (
        f"UPDATE {history} SET valid_to = {stamp.format(row='OLD')} "
        f"WHERE {key} = OLD.{key} AND skill = OLD.skill AND valid_to IS NULL;"
    )
    open_new = (
        f"INSERT INTO {history} ({key}, valid_from, {names}) VALUES "
        f"(NEW.{key}, {stamp.format(row='NEW')}, {', '.join(f'NEW.{c}' for c in columns)});"
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (key, *columns))
    return [
        f"""CREATE TABLE {history} (
            {key} INTEGER NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            {", ".join(columns)}
        )""",
        f"CREATE INDEX {history}_key ON {history}({key}, valid_from)",
        f"CREATE TRIGGER {table}_insert_keeps_history AFTER INSERT ON {table} BEGIN {open_new} END",
        f"CREATE TRIGGER {table}_update_keeps_history AFTER UPDATE ON {table} "
        f"WHEN {changed} BEGIN {close} {open_new} END",
        f"CREATE TRIGGER {table}_delete_keeps_history AFTER DELETE ON {table} BEGIN {close} END",
        f"""INSERT INTO {history} ({key}, valid_from, {names})
            SELECT s.{key}, p.updated_at, {", ".join(f"s.{c}" for c in columns)}
            FROM {table} s JOIN {parent} p ON p.id = s.{key}""",
    ]


@migrations()
def m021_profile_history(db: Database) -> None:
    _run(
        db,
        # Point-in-time training (matcher.features.history): each profile's versions with
        # valid_from / valid_to, written by triggers so that no write path (import, pages,
        # API, SQL) can forget. Existing rows start their history at their last `updated_at`.
        *_profile_history_statements(
            "workers",
            "worker_history",
            "worker_id",
            _WORKER_HISTORY_COLUMNS,
            "NEW.deleted_at IS NULL",
        ),
        *_skill_history_statements(
            "worker_skills", "worker_skill_history", "worker_id", "workers", ("years",)
        ),
        *_profile_history_statements("jobs", "job_history", "job_id", _JOB_HISTORY_COLUMNS, "1"),
        *_skill_history_statements("job_skills", "job_skill_history", "job_id", "jobs", ("kind",)),
        # A deleted worker's history goes with their personal data.
        """CREATE TRIGGER workers_deletion_drops_history AFTER UPDATE OF deleted_at ON workers
            WHEN NEW.deleted_at IS NOT NULL BEGIN
                DELETE FROM worker_history WHERE worker_id = NEW.id;
                DELETE FROM worker_skill_history WHERE worker_id = NEW.id;
            END""",
        """CREATE TRIGGER workers_delete_drops_history AFTER DELETE ON workers BEGIN
                DELETE FROM worker_history WHERE worker_id = OLD.id;
                DELETE FROM worker_skill_history WHERE worker_id = OLD.id;
            END""",
    )


def _workers_years_are_required(db: Database) -> bool:
    columns = db.execute("PRAGMA table_info(workers)").fetchall()
    return any(name == "years_experience" and not_null for _, name, _, not_null, *_ in columns)


_M024_REQUIRED_YEARS = "years_experience REAL NOT NULL DEFAULT 0"


def _rebuild_workers_with_nullable_years(db: Database) -> None:
    """SQLite's documented table rebuild of `workers` (new table, copy, drop, rename), its
    indexes and triggers (m007's counters, m021's history) recreated from their stored SQL."""
    (table_sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'workers'"
    ).fetchone()
    if table_sql.count(_M024_REQUIRED_YEARS) != 1:
        raise RuntimeError("m024: workers.years_experience is not as m002 created it")
    dependents = db.execute(
        """SELECT sql FROM sqlite_master
           WHERE tbl_name = 'workers' AND type IN ('index', 'trigger') AND sql IS NOT NULL
           ORDER BY type, name"""
    ).fetchall()
    # Other tables' triggers that read `workers` (the skills history's timestamps) would name
    # a missing table during the rename: they are dropped and recreated the same way.
    readers = db.execute(
        """SELECT name, sql FROM sqlite_master
           WHERE type = 'trigger' AND tbl_name != 'workers' AND sql LIKE '%workers%'
           ORDER BY name"""
    ).fetchall()
    columns = ", ".join(f'"{c}"' for c in db["workers"].columns_dict)
    new_sql = table_sql.replace(_M024_REQUIRED_YEARS, "years_experience REAL", 1).replace(
        "CREATE TABLE workers", "CREATE TABLE workers_m024", 1
    )
    _run(
        db,
        *(f'DROP TRIGGER "{name}"' for name, _ in readers),
        new_sql,
        f"INSERT INTO workers_m024 ({columns}) SELECT {columns} FROM workers",
        "DROP TABLE workers",
        "ALTER TABLE workers_m024 RENAME TO workers",
        *(sql for (sql,) in dependents),
        *(sql for _, sql in readers),
    )


@migrations(transactional=False)
def m024_unknown_total_years(db: Database) -> None:
    # A worker who states no total years (none typed, none in the resume) is unknown, NULL,
    # never 0. Existing values stay as they are: a stored 0 cannot tell "typed 0" from "not
    # stated", and re-saving or re-importing the worker stores NULL where nothing is stated.
    # Not transactional, as m018: the rebuild needs foreign keys off (dropping `workers` with
    # them on would cascade to every table that references it).

    def rebuild() -> None:
        if _workers_years_are_required(db):
            _rebuild_workers_with_nullable_years(db)

    _with_foreign_keys_off(db, "m024", rebuild)


@migrations()
def m025_batch_match_fits(db: Database) -> None:
    _run(
        db,
        # A worker's batch match's fit percentile: the worker partitions store which (worker,
        # job) pairs they matched, and the job partitions, which build each job's fit scale
        # anyway, fill in the percentiles (one scale per job per run, not per worker).
        """CREATE TABLE batch_match_fits (
            worker_id INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            percentile INTEGER CHECK (percentile BETWEEN 0 AND 100),
            PRIMARY KEY (worker_id, rank)
        ) WITHOUT ROWID""",
        "CREATE INDEX batch_match_fits_job ON batch_match_fits(run_id, job_id)",
        # An unfinished run of the older plan (jobs before workers) cannot be resumed by the
        # new one; its rows were never served, so it goes and the next run starts afresh.
        *(
            f"DELETE FROM {table} WHERE run_id IN "
            "(SELECT id FROM batch_runs WHERE finished_at IS NULL)"
            for table in ("batch_partitions", "batch_shortlists", "batch_matches")
        ),
        "DELETE FROM batch_runs WHERE finished_at IS NULL",
    )


@migrations()
def m026_batch_match_fits_by_job(db: Database) -> None:
    _run(
        db,
        # The (worker id, rank, job id) triples a worker partition matched, as int32 bytes,
        # stored with its rows: the job partitions read the fits of these pairs, also after
        # a crash. Filling a NULL percentile per pair meant 2M random UPDATEs per run.
        """CREATE TABLE batch_match_pairs (
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            pairs BLOB NOT NULL,
            PRIMARY KEY (run_id, number)
        ) WITHOUT ROWID""",
        # Written by the job partitions in job order. No foreign keys to workers or jobs: any
        # change to them makes the run stale, and a cascade would scan the table.
        """CREATE TABLE batch_match_fits_by_job (
            run_id INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
            job_id INTEGER NOT NULL,
            worker_id INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            percentile INTEGER NOT NULL CHECK (percentile BETWEEN 0 AND 100),
            PRIMARY KEY (run_id, job_id, worker_id)
        ) WITHOUT ROWID""",
        "INSERT INTO batch_match_fits_by_job SELECT run_id, job_id, worker_id, rank, percentile "
        "FROM batch_match_fits WHERE percentile IS NOT NULL",
        "DROP TABLE batch_match_fits",
        "ALTER TABLE batch_match_fits_by_job RENAME TO batch_match_fits",
        # An unfinished run has no stored pairs to resume from: it goes (never served).
        *(
            f"DELETE FROM {table} WHERE run_id IN "
            "(SELECT id FROM batch_runs WHERE finished_at IS NULL)"
            for table in (
                "batch_partitions",
                "batch_shortlists",
                "batch_matches",
                "batch_match_fits",
            )
        ),
        "DELETE FROM batch_runs WHERE finished_at IS NULL",
    )


@migrations()
def m027_retrieval_weights(db: Database) -> None:
    _run(
        db,
        # The retrieval weights fitted to a model version (matcher.ranking.retrieval): fitted
        # once, so every process (web, CLI, batch workers) retrieves with the same weights.
        """CREATE TABLE retrieval_weights (
            model_version TEXT PRIMARY KEY,
            terms TEXT NOT NULL,
            weights TEXT NOT NULL,
            fitted_at TEXT NOT NULL
        )""",
    )


# Every column of `workers` but the derived `resume_occupations`.
_WORKER_COLUMNS_BUMPING = (
    "id, external_id, name, email, resume_text, years_experience, education, city_preferences, "
    "open_to_remote, english_level, french_level, salary_expectation_cad, work_authorization, "
    "available_from, match_emails, digest_frequency, created_at, updated_at, deleted_at, "
    "preferred_language"
)


@migrations()
def m028_derived_occupations_do_not_bump_workers(db: Database) -> None:
    _run(
        db,
        # Writing back resume occupations recomputed on load (matcher.occupations.stored)
        # changes nothing the rankings read: only an UPDATE that sets another column bumps
        # the counter. A migration adding a column to `workers` adds it here too.
        "DROP TRIGGER workers_update_bumps_workers",
        f"""CREATE TRIGGER workers_update_bumps_workers
            AFTER UPDATE OF {_WORKER_COLUMNS_BUMPING} ON workers
            BEGIN UPDATE change_counters SET version = version + 1 WHERE name = 'workers'; END""",
    )
