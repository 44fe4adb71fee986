"""The contracts' language fields and French text: preferred_language on workers, title_fr and
description_fr on jobs (import, export, API), and skills and titles read from French."""

from __future__ import annotations

import json

import pytest
from web_support import ACME_EMAIL, build_site

from matcher.importing import export_file, import_rows
from matcher.occupations.lookup import occupation_of_title
from matcher.records.jobs import load_job, parse_job, posting_in_language
from matcher.records.workers import load_worker
from matcher.skills import extract_skills, normalize_skill, skill_display_name

# A Montreal posting as Quebec employers write them, bilingual only through the contract.
POSTING_FR = """\
Développeur(se) Python principal(e) – Montréal (hybride)

Ce que vous ferez
- Concevoir des pipelines de données et des API REST en Python et Django.
- Déployer nos modèles d'apprentissage automatique en production sur AWS.

Exigences
- 5 ans d'expérience en développement de logiciels.
- Maîtrise des bases de données PostgreSQL et de l'optimisation de requêtes.
- Expérience en infonuagique et avec Docker et Kubernetes.
- Français courant (NCLC 7).

Atouts
- Apprentissage profond (PyTorch) et traitement du langage naturel.
- Programmation en Go.

Localisation : Montréal, 3 jours au bureau.
Salaire : de 110 000 $ à 135 000 $ par année."""


def _worker(**changes) -> dict:
    return {
        "external_id": "W-FR",
        "name": "Amélie Tremblay",
        "email": "amelie@example.org",
        "work_authorization": "permanent_resident",
        **changes,
    }


def test_preferred_language_is_optional_validated_and_exported(db, tmp_path):
    report = import_rows(
        db,
        "workers",
        [_worker(), _worker(external_id="W-2", email="b@example.org", preferred_language="FR")],
    )
    assert not report.rejected
    assert load_worker(db, "W-FR").preferred_language is None
    assert load_worker(db, "W-2").preferred_language == "fr"
    bad = import_rows(db, "workers", [_worker(external_id="W-3", preferred_language="de")])
    [rejected] = bad.rejected
    assert (rejected.field, rejected.reason) == (
        "preferred_language",
        "must be one of en, fr (got 'de')",
    )
    path = tmp_path / "workers.jsonl"
    export_file(db, "workers", path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row["preferred_language"] for row in rows] == [None, "fr"]
    again = import_rows(db, "workers", rows)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_french_title_and_description_round_trip_and_feed_the_skills(db, tmp_path):
    row = {
        "external_id": "MTL-1",
        "employer": "Gaspé Analytique",
        "title": "Senior Python developer",
        "title_fr": "Développeur(se) Python principal(e)",
        "description_fr": POSTING_FR,
    }
    report = import_rows(db, "jobs", [row])
    assert not report.rejected, report.rejected
    job = load_job(db, "MTL-1")
    assert job.title_fr == row["title_fr"] and job.description_fr == POSTING_FR
    # Only the French description states them: city, remote policy, years, salary, skills.
    assert (job.city, job.remote, job.min_years_experience) == ("Montreal", "hybrid", 5)
    assert (job.salary_min_cad, job.salary_max_cad, job.french_level_required) == (
        110_000,
        135_000,
        7,
    )
    assert {"Python", "PostgreSQL", "Cloud computing", "Kubernetes"} <= set(job.required_skills)
    assert {"Deep learning", "Natural language processing", "Go"} <= set(job.nice_to_have_skills)
    assert posting_in_language(job, "fr") == (row["title_fr"], POSTING_FR)
    assert posting_in_language(job, "en") == ("Senior Python developer", "")
    path = tmp_path / "jobs.jsonl"
    export_file(db, "jobs", path)
    [exported] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert (exported["title_fr"], exported["description_fr"]) == (row["title_fr"], POSTING_FR)


def test_a_french_title_must_be_one_line():
    with pytest.raises(ValueError) as refused:
        parse_job(
            {
                "external_id": "J",
                "employer": "E",
                "title": "T",
                "city": "Montreal",
                "title_fr": "Deux\nlignes",
            }
        )
    assert refused.value.field == "title_fr"


def test_skills_are_read_in_french_prose_and_shown_by_their_french_names():
    found = extract_skills(POSTING_FR)
    for skill in (
        "Python",
        "Django",
        "Data pipelines",
        "Machine learning",
        "Amazon Web Services",
        "Database design",
        "PostgreSQL",
        "Query optimization",
        "Cloud computing",
        "Docker",
        "Kubernetes",
        "Deep learning",
        "PyTorch",
        "Natural language processing",
        "Go",
    ):
        assert skill in found, skill
    # "Localisation : Montréal" is where the job is, not software localisation.
    assert "Localization" not in found
    assert extract_skills("Expérience en bases de donnees et en infonuagique.") == [
        "Database design",
        "Cloud computing",
    ]
    assert normalize_skill("Apprentissage automatique") == "Machine learning"
    assert skill_display_name("Machine learning", "fr") == "Apprentissage automatique"
    assert skill_display_name("Machine learning", "en") == "Machine learning"
    assert skill_display_name("Kubernetes", "fr") == "Kubernetes"


def test_french_job_titles_name_their_occupations():
    assert occupation_of_title("Développeuse Python principale").code == "15-1252.00"
    assert occupation_of_title("Développeur full stack").code == "15-1254.00"
    assert occupation_of_title("Scientifique des données").code == "15-2051.00"
    assert occupation_of_title("Analyste d'affaires").code == "13-1111.00"


def test_the_api_takes_and_checks_the_french_fields(tmp_path):
    site = build_site(tmp_path, workers=2)
    headers = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    client = site.client()
    body = {
        "external_id": "ACME-FR",
        "title": "Data engineer",
        "title_fr": "Ingénieure de données",
        "description_fr": "Exigences : Python, bases de données et infonuagique.",
        "city": "Montreal",
    }
    created = client.post("/api/v1/jobs", json=body, headers=headers)
    assert created.status_code == 201, created.json
    db = site.db()
    try:
        job = load_job(db, "ACME-FR")
    finally:
        db.close()
    assert job.title_fr == "Ingénieure de données"
    assert set(job.required_skills) == {"Python", "Database design", "Cloud computing"}
    wrong = client.post("/api/v1/jobs", json={**body, "title_fr": 3}, headers=headers)
    assert wrong.status_code == 400 and wrong.json["field"] == "title_fr"
