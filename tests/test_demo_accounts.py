"""`users create-demo` suggests three accounts to try; `users list` shows every account."""

from __future__ import annotations

from web_support import JOB_ROWS, worker_rows

from matcher import accounts
from matcher.importing import import_rows
from matcher.store import open_database

EMPLOYERS = ["Acme", "Globex", "Gaspé Analytics", "Initech", "Umbrella"]


def _seed(db_path) -> None:
    db = open_database(db_path)
    try:
        assert not import_rows(db, "workers", worker_rows(6)).rejected
        jobs = JOB_ROWS + [
            {"external_id": f"J-{n}", "employer": name, "title": "Analyst", "city": "Toronto"}
            for n, name in enumerate(EMPLOYERS[2:])
        ]
        assert not import_rows(db, "jobs", jobs).rejected
        outcomes = [
            {"job_external_id": "GLOBEX-1", "worker_external_id": w, "stage": stage,
             "at": f"2026-11-0{day}T10:00:00Z"}
            for day, (w, stage) in enumerate(
                [("W3", "shortlisted"), ("W4", "rejected"), ("W3", "contacted")], start=1
            )
        ] + [{"job_external_id": "ACME-1", "worker_external_id": "W5", "stage": "shortlisted",
              "at": "2026-11-05T10:00:00Z"}]  # fmt: skip
        assert not import_rows(db, "outcomes", outcomes).rejected
    finally:
        db.close()


def test_create_demo_suggests_an_employer_a_worker_and_an_operator(run_cli, db_path):
    _seed(db_path)
    output = run_cli("users", "create-demo", check=True).stdout
    lines = output.splitlines()
    assert lines[0] == f"Try these demo accounts (password for all: {accounts.DEMO_PASSWORD}):"
    suggested = [line.split()[:2] for line in lines[1:-1]]
    # Globex's job has the most decided candidates; W3 was shortlisted for an open job.
    assert suggested == [
        ["employer", "hiring@globex.example"],
        ["worker", "w3@private.example"],
        ["operator", "ops@talentmatch.example"],
    ]
    assert "talentmatch users list" in lines[-1]
    assert run_cli("users", "create-demo", check=True).stdout == output
    db = open_database(db_path)
    try:
        for _, email in suggested:
            assert accounts.authenticate(db, email, accounts.DEMO_PASSWORD) is not None
    finally:
        db.close()


def test_users_list_shows_every_account_with_unicode_domains_readable(run_cli, db_path):
    _seed(db_path)
    run_cli("users", "create-demo", check=True)
    listed = run_cli("users", "list", check=True).stdout.splitlines()
    assert listed[-1] == f"{len(EMPLOYERS) + 2} account(s)"
    emails = [line.split()[0] for line in listed[:-1]]
    assert "hiring@gaspé-analytics.example" in emails and "hiring@umbrella.example" in emails
    employers = run_cli("users", "list", "--role", "employer", check=True).stdout
    assert employers.splitlines()[-1] == f"{len(EMPLOYERS)} account(s)"
    db = open_database(db_path)
    try:
        user = accounts.authenticate(db, "hiring@gaspé-analytics.example", accounts.DEMO_PASSWORD)
        assert user.email == "hiring@xn--gasp-analytics-ekb.example"
    finally:
        db.close()
