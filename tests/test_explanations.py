"""Explanations of many candidates (or jobs) at once read each one's own values, in any order."""

from __future__ import annotations

from ranking_rows import add_job, add_worker

from matcher.features import load_job
from matcher.ranking.explanations import explain, explain_jobs, explain_rows
from matcher.ranking.index import build_worker_index


def test_explaining_rows_together_keeps_each_workers_own_facts(db):
    add_job(db, "J1", required=["Python", "SQL"], nice=["Kafka"], city="Montreal", french=7)
    add_worker(
        db,
        "W-full",
        skills={"Python": 5, "SQL": 2, "Kafka": 1},
        cities="Montreal",
        years=9.5,
        french=8,
        salary=120_000,
        available_from="2027-01-04",
    )
    add_worker(
        db,
        "W-bare",
        skills={"Python": None},
        cities="Toronto;Montreal",
        remote=True,
        years=None,
        authorization="citizen_or_pr",
    )
    add_worker(db, "W-far", skills={"SQL": 1}, cities="Vancouver", years=0.0, french=3)
    db.conn.commit()
    index = build_worker_index(db)
    rows = {str(index.table.external_ids[row]): row for row in range(len(index))}
    order = ["W-far", "W-full", "W-bare"]
    far, full, bare = explain_rows(load_job(db, "J1"), index, [rows[w] for w in order])

    assert full["matched_skills"] == ["Python", "SQL"] and full["missing_skills"] == []
    assert full["matched_nice_to_have_skills"] == ["Kafka"]
    assert (full["city_preference_rank"], full["years_experience"]) == (1, 9.5)
    assert (full["french_level"], full["meets_french_requirement"]) == (8, True)
    assert full["salary_expectation_cad"] == 120_000 and full["available_from"] == "2027-01-04"

    assert bare["matched_skills"] == ["Python"] and bare["missing_skills"] == ["SQL"]
    assert bare["city_preference_rank"] == 2 and bare["open_to_remote"] is True
    assert bare["years_experience"] is None and bare["french_level"] is None  # unknown, not 0
    assert bare["meets_french_requirement"] is None and bare["salary_fit"] == "unknown"
    assert bare["work_authorization"] == "citizen_or_pr"

    assert far["city_preference_rank"] is None and far["remote_compatible"] is False
    assert far["years_experience"] == 0.0 and far["meets_french_requirement"] is False


def test_explaining_one_worker_for_many_jobs_gives_each_jobs_own_facts(db):
    add_job(db, "J-mtl", required=["Python", "SQL"], nice=["Kafka"], city="Montreal", french=7)
    add_job(db, "J-van", required=["Kafka"], city="Vancouver", min_years=12)
    add_job(db, "J-tor", required=["Go"], city="Toronto", salary_max=100_000)
    add_worker(
        db,
        "W1",
        skills={"Python": 5, "Kafka": None},
        cities="Toronto;Montreal",
        years=9.5,
        french=8,
        salary=120_000,
    )
    db.conn.commit()
    index = build_worker_index(db)
    jobs = [load_job(db, job) for job in ("J-van", "J-mtl", "J-tor")]
    van, mtl, tor = explain_jobs(jobs, index, 0)

    assert [explain(job, index, 0) for job in jobs] == [van, mtl, tor]
    assert mtl["matched_skills"] == ["Python"] and mtl["missing_skills"] == ["SQL"]
    assert mtl["matched_nice_to_have_skills"] == ["Kafka"] and mtl["city_preference_rank"] == 2
    assert mtl["meets_french_requirement"] is True
    assert van["matched_skills"] == ["Kafka"] and van["city_preference_rank"] is None
    assert van["meets_min_experience"] is False
    assert tor["missing_skills"] == ["Go"] and tor["city_preference_rank"] == 1
    assert tor["salary_fit"] == "above"
