"""The demo data set: deterministic, realistic, a funnel that follows its order, a usable truth."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import numpy as np
import pytest

from matcher.constants import CITIES, WORK_AUTHORIZATIONS
from matcher.demo import DemoError, build_demo, generate_demo, generator, hiring_process
from matcher.demo.generator import SKILLS
from matcher.demo.profiles import ROLES
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)
FUNNEL_ORDER = ["shown"] + [step.stage for step in hiring_process.FUNNEL]


@pytest.fixture(scope="module")
def dataset():
    return generate_demo(workers=2000, jobs=150, seed=7, as_of=AS_OF)


def _outcomes_by_pair(dataset):
    pairs = defaultdict(list)
    for row in dataset.outcomes:
        pairs[row["job_external_id"], row["worker_external_id"]].append(row)
    return pairs


def test_same_seed_gives_the_same_rows_and_another_seed_does_not():
    first = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    again = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    other = generate_demo(workers=300, jobs=20, seed=4, as_of=AS_OF)
    assert first == again
    assert first.workers != other.workers
    assert first.outcomes != other.outcomes


def test_every_role_and_city_appears(dataset):
    job_titles = " ".join(job["title"] for job in dataset.jobs)
    resumes = " ".join(worker["resume_text"] for worker in dataset.workers)
    for role in ROLES:
        assert role.title in job_titles
        assert role.title in resumes
    assert {job["city"] for job in dataset.jobs} == set(CITIES)
    assert {city for w in dataset.workers for city in w["city_preferences"]} == set(CITIES)
    lengths = Counter(len(w["city_preferences"]) for w in dataset.workers)
    assert set(lengths) == {1, 2, 3}


def test_french_is_higher_among_montreal_leaning_workers(dataset):
    montreal_first = [
        w["french_level"] for w in dataset.workers if w["city_preferences"][0] == "Montreal"
    ]
    others = [w["french_level"] for w in dataset.workers if "Montreal" not in w["city_preferences"]]
    assert np.mean(montreal_first) > np.mean(others) + 2


def test_french_requirements_are_mostly_in_montreal(dataset):
    asking = Counter(job["city"] for job in dataset.jobs if job["french_level_required"] > 0)
    assert asking.most_common(1)[0][0] == "Montreal"


def test_work_authorization_mix_is_led_by_open_work_permits(dataset):
    mix = Counter(w["work_authorization"] for w in dataset.workers)
    assert set(mix) == set(WORK_AUTHORIZATIONS)
    assert mix.most_common(1)[0][0] == "open_work_permit"
    consent = np.mean([w["match_emails"] for w in dataset.workers])
    assert 0.5 < consent < 0.7


def test_salaries_and_skills_are_plausible(dataset):
    for job in dataset.jobs:
        assert 50_000 <= job["salary_min_cad"] <= job["salary_max_cad"] <= 300_000
        assert 3 <= len(job["required_skills"]) <= 5
        assert not set(job["required_skills"]) & set(job["nice_to_have_skills"])
        assert all(skill in job["description"] for skill in job["required_skills"])
    toronto = [j["salary_max_cad"] for j in dataset.jobs if j["city"] == "Toronto"]
    montreal = [j["salary_max_cad"] for j in dataset.jobs if j["city"] == "Montreal"]
    assert np.mean(toronto) > np.mean(montreal)
    assert all(w["skills"] or w["resume_text"] for w in dataset.workers)


def test_about_two_in_five_workers_enter_only_a_resume_with_no_years(dataset):
    resume_only = [w for w in dataset.workers if not w["skills"]]
    assert 0.33 < len(resume_only) / len(dataset.workers) < 0.47
    for worker in resume_only:
        assert "years_experience" not in worker
        assert "years of" not in worker["resume_text"]
        assert "SKILLS" in worker["resume_text"]
    undated = [w for w in resume_only if "Present" not in w["resume_text"]]
    assert 0 < len(undated) < len(resume_only) / 3


def test_postings_are_long_and_sectioned_with_nice_to_haves_apart(dataset):
    for job in dataset.jobs[:50]:
        description = job["description"]
        sections = ("About ", "Requirements", "Nice to have", "What we offer")
        assert all(section in description for section in sections)
        requirements, _, rest = description.partition("Requirements")[2].partition("Nice to have")
        assert all(skill in requirements for skill in job["required_skills"])
        assert all(skill in rest for skill in job["nice_to_have_skills"])
        assert len(description.splitlines()) >= 15


def test_resume_only_workers_import_with_skills_and_years_from_their_dated_jobs(tmp_path):
    db = open_database(tmp_path / "demo.db")
    build_demo(db, workers=200, jobs=10, seed=3, as_of=AS_OF)
    resume_only = db.execute(
        "SELECT w.id, w.years_experience FROM workers w WHERE NOT EXISTS (SELECT 1 FROM"
        " worker_skills s WHERE s.worker_id = w.id AND s.source = 'listed')"
    ).fetchall()
    assert len(resume_only) > 50
    skills = dict(
        db.execute(
            "SELECT worker_id, COUNT(*) FROM worker_skills WHERE source = 'resume' GROUP BY 1"
        ).fetchall()
    )
    assert all(skills.get(worker_id, 0) >= 1 for worker_id, _ in resume_only)
    assert sum((years or 0) > 0 for _, years in resume_only) > len(resume_only) / 2
    assert any(years is None for _, years in resume_only)  # undated: unknown, not 0


def test_outcomes_follow_the_funnel_in_time_order(dataset):
    posted = {job["external_id"]: job["posted_at"] for job in dataset.jobs}
    for (job, _), events in _outcomes_by_pair(dataset).items():
        stages = [event["stage"] for event in events]
        times = [event["at"] for event in events]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[0] > posted[job] and times[-1] < f"{AS_OF.isoformat()}T00:00:00Z"
        progress = [stage for stage in stages if stage not in ("rejected", "withdrawn")]
        assert progress == FUNNEL_ORDER[: len(progress)]
        assert len(stages) - len(progress) <= 1
        if len(stages) > len(progress):
            assert stages[-1] in ("rejected", "withdrawn") and "hired" not in stages


def test_outcomes_spread_over_several_months(dataset):
    months = {row["at"][:7] for row in dataset.outcomes}
    assert len(months) >= 5
    assert Counter(row["stage"] for row in dataset.outcomes)["hired"] > 20


def test_true_probabilities_are_valid_and_higher_for_hired_pairs(dataset):
    truth = {(j, w): p for j, w, p in dataset.true_probabilities}
    assert set(truth) == set(_outcomes_by_pair(dataset))
    assert all(0.0 <= p <= 1.0 for p in truth.values())
    hired = [
        truth[r["job_external_id"], r["worker_external_id"]]
        for r in dataset.outcomes
        if r["stage"] == "hired"
    ]
    assert np.mean(hired) > 3 * np.mean(list(truth.values()))


def _fit(**changes):
    base = dict(
        required_coverage=1.0,
        nice_coverage=0.5,
        city_rank=1,
        remote_ok=False,
        experience_gap=0.0,
        french_shortfall=0,
        salary_over=0.0,
        start_delay_days=0,
    )
    base.update(changes)
    return hiring_process.PairFit(**{k: np.array([v]) for k, v in base.items()})


@pytest.mark.parametrize(
    "worse",
    [
        {"required_coverage": 0.4},
        {"city_rank": 0},
        {"city_rank": 3},
        {"experience_gap": 3.0},
        {"french_shortfall": 4},
        {"salary_over": 0.2},
        {"start_delay_days": 200},
    ],
)
def test_hire_probability_falls_with_each_kind_of_misfit(worse):
    zero = np.zeros(1)

    def probability(fit):
        steps = hiring_process.step_probabilities(fit, zero, zero)
        return hiring_process.hire_probability(steps)[0]

    assert probability(_fit(**worse)) < probability(_fit())


def test_audit_attributes_never_touch_the_rest_of_the_data(monkeypatch):
    before = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    monkeypatch.setattr(generator, "AUDIT_GENDERS", {"woman": 1.0})
    after = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    assert {v for _, a, v in after.audit_attributes if a == "gender"} == {"woman"}
    assert after.audit_attributes != before.audit_attributes
    for part in ("workers", "jobs", "outcomes", "true_probabilities"):
        assert getattr(after, part) == getattr(before, part)
    assert not {"gender", "age_band"} & set(before.workers[0])


def test_every_demo_skill_is_a_canonical_vocabulary_name():
    from matcher.skills import normalize_skill

    assert [s for s in SKILLS if normalize_skill(s) != s] == []


# --- through the real import path ------------------------------------------------------------

HOUSEKEEPING = {"created_at", "updated_at", "recorded_at"}


def _content(db):
    """Every demo table's rows, without housekeeping timestamps, in a stable order."""
    tables = ["employers", "workers", "worker_skills", "jobs", "job_skills", "outcomes"]
    tables += ["demo_true_probabilities", "audit_attributes"]
    content = {}
    for table in tables:
        columns = [c.name for c in db[table].columns if c.name not in HOUSEKEEPING]
        rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        content[table] = sorted(rows, key=repr)
    return content


def test_build_demo_writes_rows_truth_and_audit_apart(db):
    summary = build_demo(db, workers=300, jobs=20, seed=3, as_of=AS_OF)
    assert db["workers"].count == summary.workers == 300
    assert db["jobs"].count == summary.jobs == 20
    assert db["outcomes"].count == summary.outcome_events
    shown = db.execute("SELECT COUNT(*) FROM outcomes WHERE stage = 'shown'").fetchone()[0]
    assert db["demo_true_probabilities"].count == shown == summary.shown_pairs
    assert db["audit_attributes"].count == summary.audit_attributes > 0
    assert not {"gender", "age_band"} & {c.name for c in db["workers"].columns}
    assert {r[0] for r in db.execute("SELECT DISTINCT source FROM outcomes")} == {"demo"}
    assert sorted(summary.employers) == sorted(
        r[0] for r in db.execute("SELECT name FROM employers")
    )


def test_stored_skills_give_the_fit_the_hiring_process_used(db):
    """Skills the importer finds in resumes must not change which demo skills a worker has."""
    dataset = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    build_demo(db, workers=300, jobs=20, seed=3, as_of=AS_OF)
    stored = defaultdict(set)
    query = (
        "SELECT w.external_id, s.skill FROM worker_skills s JOIN workers w ON w.id = s.worker_id"
    )
    for worker, skill in db.execute(query):
        stored[worker].add(skill)
    for row in dataset.workers:
        # Every worker's resume lists their true skills, typed in or not.
        true_skills = set(row["resume_text"].split("SKILLS\n")[1].split("\n")[0].split(", "))
        assert {item["name"] for item in row["skills"]} <= true_skills
        assert stored[row["external_id"]] & set(SKILLS) == true_skills


def test_build_demo_gives_identical_content_for_the_same_seed(tmp_path, db):
    build_demo(db, workers=300, jobs=20, seed=3, as_of=AS_OF)
    other = open_database(tmp_path / "again.db")
    try:
        build_demo(other, workers=300, jobs=20, seed=3, as_of=AS_OF)
        assert _content(other) == _content(db)
    finally:
        other.close()


def test_build_demo_refuses_a_database_with_data_and_leaves_it_unchanged(db):
    build_demo(db, workers=300, jobs=20, seed=3, as_of=AS_OF)
    before = _content(db)
    with pytest.raises(DemoError, match="already has"):
        build_demo(db, workers=300, jobs=20, seed=4, as_of=AS_OF)
    assert _content(db) == before


def test_demo_command_builds_and_prints_a_summary(run_cli, db_path):
    result = run_cli("demo", "--workers", "300", "--jobs", "20", "--seed", "3", check=True)
    assert "300 workers, 20 jobs" in result.stdout
    database = open_database(db_path)
    try:
        assert database["workers"].count == 300
        assert database["demo_true_probabilities"].count > 0
    finally:
        database.close()
    again = run_cli("demo", "--workers", "300", "--jobs", "20", "--seed", "3")
    assert again.returncode != 0 and "already has" in again.stderr


def test_demo_if_empty_keeps_a_database_that_has_data(run_cli, db_path):
    run_cli("demo", "--workers", "120", "--jobs", "10", "--seed", "5", check=True)
    kept = run_cli("demo", "--if-empty", "--workers", "300", check=True)
    assert "already has data; keeping it" in kept.stdout
    database = open_database(db_path)
    try:
        assert database["workers"].count == 120
    finally:
        database.close()


# --- worker interest -------------------------------------------------------------------------


def test_a_minority_of_shown_workers_answer_before_the_employer_next_step(dataset):
    shown = len(dataset.true_probabilities)
    answered = {(job, worker) for job, worker, _, _ in dataset.interest}
    assert len(answered) == len(dataset.interest)  # at most one answer per pair
    assert 0.1 < len(answered) / shown < 0.35
    choices = Counter(choice for _, _, choice, _ in dataset.interest)
    assert min(choices["interested"], choices["not_for_me"]) > 0.2 * len(answered)
    events = _outcomes_by_pair(dataset)
    for job, worker, _, at in dataset.interest:
        story = sorted(row["at"] for row in events[job, worker])
        assert story[0] < at  # after being shown
        assert len(story) == 1 or at < story[1]  # before anything else happens to the pair


def test_interest_follows_the_worker_side_of_the_process(dataset):
    """Workers say "interested" more often where their first-choice city is the job's."""
    jobs = {row["external_id"]: row for row in dataset.jobs}
    cities = {row["external_id"]: row["city_preferences"] for row in dataset.workers}
    first_city = defaultdict(list)
    for job, worker, choice, _ in dataset.interest:
        first_city[cities[worker][0] == jobs[job]["city"]].append(choice == "interested")
    assert np.mean(first_city[True]) > np.mean(first_city[False]) + 0.15


def test_interest_draws_from_its_own_stream_and_changes_nothing_else(monkeypatch):
    before = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    monkeypatch.setattr(hiring_process, "INTEREST_ANSWER_INTERCEPT", 50.0)  # everyone answers
    after = generate_demo(workers=300, jobs=20, seed=3, as_of=AS_OF)
    assert len(after.interest) == len(after.true_probabilities) > len(before.interest) > 0
    for part in ("workers", "jobs", "outcomes", "true_probabilities", "audit_attributes"):
        assert getattr(after, part) == getattr(before, part)


def test_build_demo_writes_the_interest_answers(db):
    summary = build_demo(db, workers=300, jobs=20, seed=3, as_of=AS_OF)
    assert db["worker_interest"].count == summary.interest_answers > 0
    assert {r[0] for r in db.execute("SELECT DISTINCT source FROM worker_interest")} == {"page"}
