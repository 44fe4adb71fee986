"""English and French on a real app and SQLite file: chosen at sign-up, switched on any page,
remembered per account, applied at sign-in; French labels, skills, titles; local dates."""

from __future__ import annotations

import re

import pytest
from web_support import (
    ACME_EMAIL,
    PASSWORD,
    WORKER_EMAIL,
    build_site,
    catching_mail,
    csrf_token_from,
    post_form,
    sign_in,
    sign_up_link,
)

from matcher.i18n import employer_time_zone
from matcher.importing import import_rows

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-CA,en;q=0.8"}
NEW_EMAIL = "amelie.tremblay@example.org"


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=6)


def _query(site, sql, params=()):
    db = site.db()
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def _sign_up(client, headers=None, **changes):
    data = {
        "preferred_language": "fr",
        "name": "Amélie Tremblay",
        "email": NEW_EMAIL,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "h1b_open_work_permit",
        **changes,
    }
    token = csrf_token_from(client.get("/sign-up", headers=headers).get_data(as_text=True))
    return client.post("/sign-up", data={**data, "csrf_token": token}, headers=headers)


def _switch(client, language: str, next_path: str, page: str = "/sign-in"):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    data = {"language": language, "next": next_path, "csrf_token": token}
    return client.post("/language", data=data)


def _selected(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option selected value="([^"]*)"', select)


def test_the_browsers_language_chooses_the_sign_up_page_and_its_default(site):
    french = site.client().get("/sign-up", headers=FRENCH).get_data(as_text=True)
    assert '<html lang="fr">' in french and "Créez votre profil de chercheur d’emploi" in french
    assert re.search(r'<input checked[^>]*name="preferred_language"[^>]*value="fr"', french)
    english = site.client().get("/sign-up", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="en">' in english and "Create your worker profile" in english
    assert re.search(r'<input checked[^>]*name="preferred_language"[^>]*value="en"', english)


def test_work_authorization_has_no_default_and_says_why_it_is_needed(site):
    client = site.client()
    page = client.get("/sign-up", headers=FRENCH).get_data(as_text=True)
    assert _selected(page, "work_authorization") == [""]
    assert "Choisir…" in page
    assert "Titulaire d’un visa H-1B américain avec un permis de travail ouvert canadien" in page
    response = _sign_up(client, FRENCH, work_authorization="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choisissez votre autorisation de travail au Canada" in html
    assert _query(site, "SELECT count(*) FROM users WHERE email = ?", [NEW_EMAIL]) == [(0,)]


def test_sign_up_in_french_stores_the_language_and_maps_the_h1b_choice(site):
    client = site.client()
    with catching_mail(site) as mail:
        asked = _sign_up(client, ENGLISH)  # the form's choice wins over the browser's
        assert asked.status_code == 200
        link = sign_up_link(mail, NEW_EMAIL)
        response = post_form(client, link, link, {})  # the language rode with the link
    assert response.status_code == 302 and response.location.endswith("/me/profile")
    assert _query(
        site,
        "SELECT w.preferred_language, w.work_authorization FROM workers w"
        " JOIN users u ON u.worker_id = w.id WHERE u.email = ?",
        [NEW_EMAIL],
    ) == [("fr", "open_work_permit")]
    profile = client.get("/me/profile", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="fr">' in profile and "Bienvenue!" in profile
    assert "Niveau de français (NCLC)" in profile
    assert "NCLC 7 ≈ CECR B2, autonome" in profile and "CLB 9 ≈ CECR C1, avancé" in profile


def test_the_switch_changes_the_language_remembers_it_and_returns_to_the_page(site):
    client = site.signed_in(WORKER_EMAIL)
    response = _switch(client, "fr", "/me/profile?tab=1", page="/me/profile")
    assert response.status_code == 302 and response.location.endswith("/me/profile?tab=1")
    assert _query(site, "SELECT preferred_language FROM workers WHERE external_id = 'W1'") == [
        ("fr",)
    ]
    assert "Votre profil" in client.get("/me/profile", headers=ENGLISH).get_data(as_text=True)
    # Another browser, English by its headers: signing in brings the account's French back.
    other = site.client()
    sign_in(other, WORKER_EMAIL, PASSWORD)
    assert "Mes emplois suggérés" in other.get("/me/matches", headers=ENGLISH).get_data(
        as_text=True
    )
    # Signed out, the browser keeps the language it had.
    post_form(other, "/me/matches", "/sign-out", {})
    assert "Se connecter" in other.get("/sign-in", headers=ENGLISH).get_data(as_text=True)
    back = _switch(client, "en", "/me/profile", page="/me/profile")
    assert back.status_code == 302
    assert "Your profile" in client.get("/me/profile", headers=FRENCH).get_data(as_text=True)


def test_an_employers_language_is_stored_on_the_account(site):
    client = site.signed_in(ACME_EMAIL)
    _switch(client, "fr", "/jobs", page="/jobs")
    assert _query(site, "SELECT preferred_language FROM users WHERE email = ?", [ACME_EMAIL]) == [
        ("fr",)
    ]
    html = client.get("/jobs").get_data(as_text=True)
    assert "Vos emplois" in html and "Publier un emploi" in html and "sur place" in html


def test_the_switch_needs_csrf_and_never_redirects_off_the_site(site):
    client = site.client()
    client.get("/sign-in")
    refused = client.post("/language", data={"language": "fr", "next": "/sign-in"})
    assert refused.status_code == 400
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        response = _switch(client, "fr", target)
        assert response.status_code == 302
        assert "evil" not in response.location
    unknown = _switch(client, "klingon", "/sign-in")
    assert unknown.status_code == 302
    assert '<html lang="en">' in client.get("/sign-in", headers=FRENCH).get_data(as_text=True)


def test_every_page_carries_the_switch_even_signed_out(site):
    html = site.client().get("/sign-in", headers=FRENCH).get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/language"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert 'name="csrf_token"' in form and 'value="en"' in form and ">English</button>" in form


def test_skill_years_are_asked_next_to_the_skills_found_in_the_resume(site):
    client = site.signed_in(WORKER_EMAIL)
    _switch(client, "fr", "/me/profile", page="/me/profile")
    page = client.get("/me/profile").get_data(as_text=True)
    form = {
        "name": "Secret Name 1",
        "email": WORKER_EMAIL,
        "skills": "Python:5\nSQL",
        "resume_text": "Développeuse Python. Apprentissage automatique et bases de données.",
        "work_authorization": "open_work_permit",
        **dict.fromkeys(("education", "english_level", "french_level", "available_from"), ""),
        **dict.fromkeys(("rank_toronto", "rank_vancouver", "rank_montreal"), ""),
        "csrf_token": csrf_token_from(page),
    }
    found = client.post("/me/profile", data={**form, "action": "extract"})
    html = found.get_data(as_text=True)
    assert "Apprentissage automatique" in html and "Conception de bases de données" in html
    assert 'name="confirm_years:Machine learning"' in html
    assert "une compétence sans années ne vous pénalise pas" in html
    saved = client.post(
        "/me/profile",
        data={
            **form,
            "action": "save",
            "confirm_skill": ["Machine learning", "Database design"],
            "confirm_years:Machine learning": "3",
            "confirm_years:Database design": "",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    skills = _query(
        site,
        "SELECT s.skill, s.years FROM worker_skills s JOIN workers w ON w.id = s.worker_id"
        " WHERE w.external_id = 'W1' AND s.skill IN ('Machine learning', 'Database design')",
    )
    assert sorted(skills) == [("Database design", None), ("Machine learning", 3.0)]
    # The profile's skills box reads the French names back; they normalise on save.
    assert "Apprentissage automatique:3" in client.get("/me/profile").get_data(as_text=True)


def test_a_french_reader_sees_the_french_title_of_a_job(site):
    db = site.db()
    try:
        report = import_rows(
            db,
            "jobs",
            [
                {
                    "external_id": "ACME-1",
                    "employer": "Acme",
                    "title": "Python developer",
                    "title_fr": "Développeur Python",
                    "required_skills": "python;sql",
                    "nice_to_have_skills": "django",
                    "city": "Toronto",
                }
            ],
        )
        assert not report.rejected
    finally:
        db.close()
    client = site.signed_in(WORKER_EMAIL)
    assert "Python developer" in client.get("/me/matches").get_data(as_text=True)
    _switch(client, "fr", "/me/matches", page="/me/matches")
    html = client.get("/me/matches").get_data(as_text=True)
    assert "Développeur Python" in html and "Python developer" not in html


def test_employer_dates_are_dates_on_the_clock_of_the_employers_city(site):
    db = site.db()
    try:
        acme = db.execute("SELECT id FROM employers WHERE name = 'Acme'").fetchone()[0]
        assert employer_time_zone(db, acme) == "America/Toronto"
        import_rows(
            db,
            "jobs",
            [
                {"external_id": f"ACME-V{n}", "employer": "Acme", "title": "Analyst", "city": c}
                for n, c in enumerate(["Vancouver", "Vancouver"])
            ],
        )
        assert employer_time_zone(db, acme) == "America/Vancouver"
        import_rows(
            db,
            "outcomes",
            [
                {
                    "job_external_id": "ACME-1",
                    "worker_external_id": "W2",
                    "stage": "shortlisted",
                    "at": "2026-12-01T18:43:05Z",
                }
            ],
        )
    finally:
        db.close()
    client = site.signed_in(ACME_EMAIL)
    html = client.get("/jobs/ACME-1/candidates/W2").get_data(as_text=True)
    assert "Dec 1, 2026, 10:43 AM" in html  # 18:43 UTC in Vancouver, in December
    assert "2026-12-01T18:43:05Z</" not in html and "T18:43" not in html.split("<time")[0]
    _switch(client, "fr", "/jobs", page="/jobs")
    french = client.get("/jobs/ACME-1/candidates/W2").get_data(as_text=True)
    assert "1 déc. 2026, 10:43" in french and "Présélectionnée" in french


def test_the_matches_page_reasons_read_in_french(site):
    client = site.signed_in(WORKER_EMAIL)
    english = client.get("/me/matches").get_data(as_text=True)
    assert "Toronto is your choice #2" in english and "percentile" in english
    _switch(client, "fr", "/me/matches", page="/me/matches")
    french = client.get("/me/matches").get_data(as_text=True)
    assert "Toronto est votre choix nº 2" in french and "centile" in french
    assert "✓ Python" in french and "Compétences" in french
    assert "percentile" not in french and "your choice" not in french


def test_the_job_form_takes_a_french_version_and_reads_its_skills(site):
    client = site.signed_in(ACME_EMAIL)
    data = {
        "title": "Data engineer",
        "description": "",
        "title_fr": "Ingénieure de données",
        "description_fr": "Exigences : Python, bases de données et infonuagique. Atouts : Go.",
        "required_skills": "",
        "nice_to_have_skills": "",
        "city": "",
        "remote": "onsite",
        "french_level_required": "0",
        "action": "extract",
    }
    page = post_form(client, "/jobs/new", "/jobs/new", data).get_data(as_text=True)
    assert "Python\nDatabase design\nCloud computing</textarea>" in page
    saved = post_form(
        client,
        "/jobs/new",
        "/jobs/new",
        {
            **data,
            "action": "save",
            "city": "Montreal",
            "required_skills": "Python\nBases de données\nInfonuagique",
            "nice_to_have_skills": "Go",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    external_id = saved.location.split("/")[2]
    rows = _query(
        site, "SELECT title_fr, description_fr FROM jobs WHERE external_id = ?", [external_id]
    )
    assert rows == [(data["title_fr"], data["description_fr"])]
    edit = client.get(f"/jobs/{external_id}/edit").get_data(as_text=True)
    assert (
        'value="Ingénieure de données"' in edit
        and '<details class="card" id="french-posting" open>' in edit
    )


def test_error_pages_read_in_french(site):
    response = site.client().get("/no-such-page", headers=FRENCH)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in html and "L’adresse demandée est introuvable" in html
    assert "Retour à l’accueil" in html


def test_template_words_elide_escape_and_follow_each_requests_language(site):
    """`_()` and `gettext()` in a template: the request's catalog (kept for the request),
    French elision before a value, the value escaped."""
    from flask import render_template_string

    template = (
        '{{ _("Years of %(skill)s", skill=s) }} | {{ gettext("Years of %(skill)s", skill=s) }}'
    )
    for headers, expected in (
        (FRENCH, "Années d’Ansible&lt;b&gt;"),
        (ENGLISH, "Years of Ansible&lt;b&gt;"),
    ):
        with site.app.test_request_context("/", headers=headers):
            assert render_template_string(template, s="Ansible<b>") == f"{expected} | {expected}"
