"""Worker pages on a real app and SQLite file: sign-up, profile, email, data, deletion."""

from __future__ import annotations

import json
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
    sign_up_worker,
)

from matcher.records.workers import CONSENT_WORDING
from web.worker_account import WITHDRAWAL_WORDING

NEW_EMAIL = "new.worker@example.org"


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path, workers=6)
    with catching_mail(site) as handler:
        site.mail = handler
        yield site


def _rows(site, sql, params=()):
    db = site.db()
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def _sign_up(
    site, client, *, consent: bool = False, email: str = NEW_EMAIL, name: str = "Nia Park"
):
    data = {
        "name": name,
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "open_work_permit",
    }
    if consent:
        data["match_emails"] = "y"
    return sign_up_worker(client, site.mail, data)


def _profile_data(**changes) -> dict:
    data = {
        "action": "save",
        "name": "Nia Park",
        "email": NEW_EMAIL,
        "skills": "python:5\nSQL, Django",
        "resume_text": "",
        "years_experience": "6",
        "education": "master",
        "rank_toronto": "2",
        "rank_vancouver": "",
        "rank_montreal": "1",
        "open_to_remote": "y",
        "english_level": "10",
        "french_level": "7",
        "salary_expectation_cad": "105000",
        "work_authorization": "open_work_permit",
        "available_from": "2027-02-01",
    }
    return {**data, **changes}


def _new_worker(site) -> tuple:
    return _rows(
        site,
        "SELECT w.id, w.external_id, w.match_emails, u.role FROM workers w"
        " JOIN users u ON u.worker_id = w.id WHERE u.email = ?",
        [NEW_EMAIL],
    )


def test_sign_up_creates_a_worker_signed_in_without_email_consent(site):
    client = site.client()
    page = client.get("/sign-up").get_data(as_text=True)
    [consent_box] = re.findall(r'<input[^>]*name="match_emails"[^>]*>', page)
    assert "checked" not in consent_box
    assert CONSENT_WORDING in page

    response = _sign_up(site, client)
    assert response.status_code == 302 and response.location.endswith("/me/profile")
    [(worker_id, external_id, match_emails, role)] = _new_worker(site)
    assert external_id.startswith("W-") and role == "worker" and match_emails == 0
    assert _rows(site, "SELECT * FROM consents WHERE worker_id = ?", [worker_id]) == []
    assert client.get("/me/profile").status_code == 200


def test_sign_up_with_the_box_ticked_records_consent_with_its_wording(site):
    _sign_up(site, site.client(), consent=True)
    [(worker_id, _, match_emails, _)] = _new_worker(site)
    consents = _rows(
        site, "SELECT granted, method, wording FROM consents WHERE worker_id = ?", [worker_id]
    )
    assert match_emails == 1
    assert consents == [(1, "web", CONSENT_WORDING)]


def test_sign_up_with_a_taken_address_writes_nothing_and_mails_its_owner(site):
    before = _rows(site, "SELECT count(*) FROM workers")
    data = {
        "name": "Nia Park",
        "email": ACME_EMAIL,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "open_work_permit",
    }
    response = post_form(site.client(), "/sign-up", "/sign-up", data)
    assert response.status_code == 200
    assert "already" not in response.get_data(as_text=True)
    assert _rows(site, "SELECT count(*) FROM workers") == before
    [message] = site.mail.received
    assert message["To"] == ACME_EMAIL and "/sign-up/confirm/" not in message.get_content()


def test_worker_signing_in_lands_on_their_matches(site):
    client = site.client()
    response = sign_in(client, WORKER_EMAIL, PASSWORD)
    assert response.location.endswith("/me/matches")
    assert client.get("/").location.endswith("/me/matches")


def test_profile_saves_through_the_import_validation(site):
    client = site.client()
    _sign_up(site, client)
    response = post_form(client, "/me/profile", "/me/profile", _profile_data())
    assert response.status_code == 302, response.get_data(as_text=True)

    [(worker_id, *_)] = _new_worker(site)
    row = _rows(
        site,
        "SELECT city_preferences, open_to_remote, english_level, french_level,"
        " salary_expectation_cad, available_from, education FROM workers WHERE id = ?",
        [worker_id],
    )
    assert row == [("Montreal;Toronto", 1, 10, 7, 105000, "2027-02-01", "master")]
    skills = _rows(site, "SELECT skill, years FROM worker_skills WHERE worker_id = ?", [worker_id])
    assert sorted(skills) == [("Django", None), ("Python", 5.0), ("SQL", None)]
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Python:5" in page


def test_unknown_skill_is_refused_next_to_the_field_with_suggestions(site):
    client = site.client()
    _sign_up(site, client)
    response = post_form(client, "/me/profile", "/me/profile", _profile_data(skills="pyton"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="skills-error"' in page and "Not a skill we know: pyton" in page
    assert "Did you mean" in page and "Python" in page
    [(worker_id, *_)] = _new_worker(site)
    assert _rows(site, "SELECT * FROM worker_skills WHERE worker_id = ?", [worker_id]) == []


@pytest.mark.parametrize(
    ("changes", "error_id", "message"),
    [
        ({"rank_toronto": "1", "rank_montreal": "1"}, "cities-error", "different number"),
        ({"available_from": "2027-02-30"}, "available_from-error", "not a real date"),
        ({"email": "not-an-address"}, "email-error", "not a valid email address"),
    ],
)
def test_contract_errors_show_next_to_their_field(site, changes, error_id, message):
    client = site.client()
    _sign_up(site, client)
    response = post_form(client, "/me/profile", "/me/profile", _profile_data(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{error_id}"' in page and message in page
    assert _rows(site, "SELECT city_preferences FROM workers WHERE email = ?", [NEW_EMAIL]) == [
        ("",)
    ]


def test_resume_skills_are_confirmed_before_they_join_the_list(site):
    client = site.client()
    _sign_up(site, client)
    resume = "Five years of Go and Kubernetes, some Terraform."
    extract = post_form(
        client,
        "/me/profile",
        "/me/profile",
        _profile_data(action="extract", skills="Go", resume_text=resume),
    )
    page = extract.get_data(as_text=True)
    assert re.search(r'value="Kubernetes" id="[^"]+" checked', page)
    assert re.search(r'value="Terraform" id="[^"]+" checked', page)
    assert 'name="confirm_skill" value="Go"' not in page  # already listed
    [(worker_id, *_)] = _new_worker(site)
    assert _rows(site, "SELECT * FROM worker_skills WHERE worker_id = ?", [worker_id]) == []

    token = csrf_token_from(page)
    data = _profile_data(skills="Go", resume_text=resume, confirm_skill=["Kubernetes"])
    response = client.post("/me/profile", data={**data, "csrf_token": token})
    assert response.status_code == 302
    skills = _rows(site, "SELECT skill, source FROM worker_skills WHERE worker_id = ?", [worker_id])
    assert ("Kubernetes", "listed") in skills and ("Go", "listed") in skills


def test_the_profile_form_does_not_move_the_sign_in_address(site):
    client = site.client()
    _sign_up(site, client)
    moved = post_form(client, "/me/profile", "/me/profile", _profile_data(email="new@example.org"))
    assert moved.status_code == 400 and "use Change email" in moved.get_data(True)
    assert _rows(site, "SELECT count(*) FROM users WHERE email = 'new@example.org'") == [(0,)]


def test_email_preferences_write_the_consent_ledger(site):
    client = site.client()
    _sign_up(site, client)
    [(worker_id, *_)] = _new_worker(site)
    page = "/me/settings"
    post_form(client, page, page, {"match_emails": "y", "digest_frequency": "daily"})
    assert _rows(
        site, "SELECT match_emails, digest_frequency FROM workers WHERE id = ?", [worker_id]
    ) == [(1, "daily")]
    post_form(client, page, page, {"digest_frequency": "weekly"})
    ledger = _rows(
        site,
        "SELECT granted, method, wording FROM consents WHERE worker_id = ? ORDER BY id",
        [worker_id],
    )
    assert ledger == [(1, "web", CONSENT_WORDING), (0, "web", WITHDRAWAL_WORDING)]
    assert _rows(
        site, "SELECT match_emails, digest_frequency FROM workers WHERE id = ?", [worker_id]
    ) == [(0, "weekly")]


def test_download_my_data_is_json_of_my_own_data(site):
    client = site.signed_in(WORKER_EMAIL)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["external_id"] == "W1"
    assert data["account"]["email"] == WORKER_EMAIL
    assert "Secret Name 2" not in response.get_data(as_text=True)


def test_deleting_the_account_needs_the_password_then_anonymises(site):
    client = site.signed_in(WORKER_EMAIL)
    wrong = post_form(client, "/me/delete", "/me/delete", {"password": "not-my-password"})
    assert wrong.status_code == 400
    assert _rows(site, "SELECT deleted_at FROM workers WHERE external_id = 'W1'") == [(None,)]

    response = post_form(client, "/me/delete", "/me/delete", {"password": PASSWORD})
    assert response.status_code == 302
    [(name, email, deleted_at)] = _rows(
        site, "SELECT name, email, deleted_at FROM workers WHERE external_id = 'W1'"
    )
    assert (name, email) == (None, None) and deleted_at
    assert client.get("/me/profile").status_code == 302  # signed out
    assert sign_in(site.client(), WORKER_EMAIL, PASSWORD).status_code == 401


def test_worker_pages_are_for_workers_only(site):
    assert site.client().get("/me/profile").location.startswith("/sign-in?next=/me/profile")
    employer = site.signed_in(ACME_EMAIL)
    for path in ("/me/profile", "/me/settings", "/me/data.json", "/me/delete", "/me/matches"):
        assert employer.get(path).status_code == 403, path


def test_forms_need_a_csrf_token_and_get_changes_nothing(site):
    client = site.signed_in(WORKER_EMAIL)
    refused = client.post("/me/delete", data={"password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/me/delete?password=" + PASSWORD).status_code == 200
    assert _rows(site, "SELECT deleted_at FROM workers WHERE external_id = 'W1'") == [(None,)]
    refused = client.post("/me/settings", data={"match_emails": "y", "digest_frequency": "daily"})
    assert refused.status_code == 400
    assert _rows(site, "SELECT count(*) FROM consents") == [(0,)]


def test_names_are_escaped(site):
    client = site.client()
    _sign_up(site, client, name="<script>alert(1)</script>")
    page = client.get("/me/profile").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("term", "first"), [("kuber", "Kubernetes"), ("Djnago", "Django"), ("pyton", "Python")]
)
def test_skill_suggestions_endpoint(site, term, first):
    body = site.client().get(f"/skills/suggest?q={term}").get_json()
    assert body["suggestions"][0] == first


def test_no_suggestion_for_gibberish(site):
    assert site.client().get("/skills/suggest?q=xqzzv").get_json()["suggestions"] == []


def test_total_years_left_empty_are_stored_unknown_and_shown_as_not_stated(site):
    client = site.client()
    _sign_up(site, client)
    response = post_form(client, "/me/profile", "/me/profile", _profile_data(years_experience=""))
    assert response.status_code == 302, response.get_data(as_text=True)
    [(worker_id, *_)] = _new_worker(site)
    assert _rows(site, "SELECT years_experience FROM workers WHERE id = ?", [worker_id]) == [
        (None,)
    ]
    page = client.get("/me/profile").get_data(as_text=True)
    assert "employers then read “years not stated”, never 0." in page
    [field] = re.findall(r'<input[^>]*name="years_experience"[^>]*>', page)
    assert re.search(r'value="[^"]', field) is None, field  # empty, not 0
    post_form(client, "/me/profile", "/me/profile", _profile_data(years_experience="0"))
    assert _rows(site, "SELECT years_experience FROM workers WHERE id = ?", [worker_id]) == [(0.0,)]
    assert "never 0." not in client.get("/me/profile").get_data(as_text=True)  # 0 is stated
