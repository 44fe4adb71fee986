"""The pipeline through pages and the API: stages, refused transitions, notes, report, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from web_support import ACME_EMAIL, GLOBEX_EMAIL, PASSWORD, WORKER_EMAIL, build_site, post_form

from matcher import accounts

PIPELINE = "/jobs/ACME-1/pipeline"
SECOND_ACME_EMAIL = "manager@acme.example"


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path, workers=8)
    db = site.db()
    try:
        accounts.create_user(db, email=SECOND_ACME_EMAIL, password=PASSWORD, employer_name="Acme")
    finally:
        db.close()
    return site


def _decide(client, worker: str, stage: str, back: str = PIPELINE):
    action = f"/jobs/ACME-1/candidates/{worker}/decisions"
    return post_form(client, "/jobs", action, {"stage": stage, "back": back})


def _accept_all(site) -> None:
    db = site.db()
    try:
        db.execute("UPDATE contact_requests SET status = 'accepted'")
    finally:
        db.close()


def _outcome_count(site) -> int:
    db = site.db()
    try:
        return db.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    finally:
        db.close()


def test_a_refused_decision_is_a_message_on_the_page_and_no_event(site):
    client = site.signed_in()
    assert _decide(client, "W2", "shortlisted").status_code == 302
    before = _outcome_count(site)
    response = _decide(client, "W2", "hired")
    assert response.status_code == 302 and response.headers["Location"] == PIPELINE
    html = client.get(PIPELINE).get_data(as_text=True)
    assert "flash-error" in html and "Not recorded: Hired: only after offered." in html
    assert _outcome_count(site) == before


def test_the_menus_offer_only_allowed_stages_and_show_the_current_one(site):
    client = site.signed_in()
    _decide(client, "W2", "contacted")
    page = client.get("/jobs/ACME-1/candidates/W2").get_data(as_text=True)
    assert "Current stage: <strong" in page and ">Contacted</strong>" in page
    assert 'value="rejected"' in page and 'value="interviewed"' not in page
    assert "only after contacted and the worker accepted" in page
    _accept_all(site)
    page = client.get("/jobs/ACME-1/candidates/W2").get_data(as_text=True)
    assert 'value="interviewed"' in page and 'value="hired"' not in page
    shortlist = client.get("/jobs/ACME-1/shortlist").get_data(as_text=True)
    assert '<a href="/jobs/ACME-1/pipeline">Pipeline</a>' in shortlist


def test_the_pipeline_page_sections_counts_and_the_offer_to_close(site):
    client = site.signed_in()
    _decide(client, "W3", "rejected")
    for stage in ("contacted",):
        _decide(client, "W2", stage)
    _accept_all(site)
    for stage in ("interviewed", "offered"):
        _decide(client, "W2", stage)
    response = _decide(client, "W2", "hired")
    assert response.headers["Location"] == PIPELINE  # a hire goes to the pipeline
    html = client.get(PIPELINE).get_data(as_text=True)
    for key in ("new", "shortlisted", "contacted", "interviewed", "offered", "hired",
                "rejected", "withdrawn"):  # fmt: skip
        assert f'id="stage-{key}"' in html
    assert 'Hired <span class="count">1</span>' in html
    assert 'Rejected <span class="count">1</span>' in html
    assert "Secret Name 2" in html  # accepted contact: the name shows
    assert "Secret Name 3" not in html
    assert "Close this job?" in html and "/jobs/ACME-1/close" in html
    jobs = client.get("/jobs").get_data(as_text=True)
    assert 'aria-label="2 candidates decided: pipeline">2</a>' in jobs  # 6 events, 2 people


def test_notes_are_shared_within_the_employer_and_hidden_from_others(site):
    client = site.signed_in()
    _decide(client, "W4", "shortlisted")
    body = "Entrevue très réussie.\nÀ rappeler lundi — Zoë préfère Montréal."
    response = post_form(client, PIPELINE, PIPELINE + "/W4/notes", {"body": body})
    assert response.status_code == 302
    post_form(client, PIPELINE, PIPELINE + "/W4/tags", {"tag": "Bilingue"})
    colleague = site.signed_in(SECOND_ACME_EMAIL).get(PIPELINE).get_data(as_text=True)
    assert "Entrevue très réussie.\nÀ rappeler lundi — Zoë préfère Montréal." in colleague
    assert ACME_EMAIL in colleague and "Bilingue" in colleague
    assert "/notes/1/delete" not in colleague  # only the author deletes
    globex = site.signed_in(GLOBEX_EMAIL)
    assert globex.get(PIPELINE).status_code == 404
    assert "réussie" not in globex.get("/jobs/GLOBEX-1/pipeline").get_data(as_text=True)
    assert post_form(client, PIPELINE, PIPELINE + "/W4/notes/1/delete", {}).status_code == 302
    assert "réussie" not in client.get(PIPELINE).get_data(as_text=True)


def test_an_empty_note_is_refused_with_a_message(site):
    client = site.signed_in()
    _decide(client, "W4", "shortlisted")
    post_form(client, PIPELINE, PIPELINE + "/W4/notes", {"body": "  "})
    assert "Write something in the note." in client.get(PIPELINE).get_data(as_text=True)


def test_api_refuses_a_transition_with_409_naming_the_rule(site):
    client = site.client()
    acme = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    body = {"job": "ACME-1", "worker": "W5", "stage": "hired"}
    response = client.post("/api/v1/outcomes", json=body, headers=acme)
    assert response.status_code == 409
    assert response.json["rule"] == "hire_after_offer" and response.json["stage"] == "new"
    assert _outcome_count(site) == 0
    body["stage"] = "contacted"
    assert client.post("/api/v1/outcomes", json=body, headers=acme).status_code == 201
    body["stage"] = "interviewed"
    refused = client.post("/api/v1/outcomes", json=body, headers=acme).json
    assert refused["rule"] == "interview_after_accepted_contact"


def test_api_pipeline_and_report(site):
    client = site.client()
    acme = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    for worker, stage in (("W1", "shortlisted"), ("W2", "shortlisted"), ("W2", "contacted")):
        body = {"job": "ACME-1", "worker": worker, "stage": stage}
        assert client.post("/api/v1/outcomes", json=body, headers=acme).status_code == 201
    pipeline = client.get("/api/v1/jobs/ACME-1/pipeline", headers=acme).json
    assert pipeline["job"] == "ACME-1"
    assert pipeline["stages"]["shortlisted"] == 1 and pipeline["stages"]["contacted"] == 1
    assert {(c["worker"], c["stage"]) for c in pipeline["candidates"]} == {
        ("W1", "shortlisted"),
        ("W2", "contacted"),
    }
    report = client.get("/api/v1/jobs/ACME-1/report", headers=acme).json
    steps = {(c["from"], c["to"]): c["rate"] for c in report["conversions"]}
    assert steps[("shortlisted", "contacted")] == 0.5
    page = site.signed_in().get(PIPELINE).get_data(as_text=True)
    assert "Shortlisted → Contacted" in page and "50%" in page


def test_the_employers_report_page_and_api_across_its_jobs(site):
    client = site.client()
    acme = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    globex = {"Authorization": f"Bearer {site.token(GLOBEX_EMAIL)}"}
    for worker, stage in (("W1", "shortlisted"), ("W2", "shortlisted"), ("W2", "contacted")):
        body = {"job": "ACME-1", "worker": worker, "stage": stage}
        assert client.post("/api/v1/outcomes", json=body, headers=acme).status_code == 201
    body = {"job": "GLOBEX-1", "worker": "W3", "stage": "rejected"}
    assert client.post("/api/v1/outcomes", json=body, headers=globex).status_code == 201

    report = client.get("/api/v1/report", headers=acme).json
    assert (report["employer"], report["jobs"], report["open_jobs"]) == ("Acme", 1, 1)
    assert report["candidates"] == 2 and report["closed"]["rejected"] == 0
    reached = {s["stage"]: s["reached"] for s in report["stages"]}
    assert reached["shortlisted"] == 2 and reached["contacted"] == 1
    theirs = client.get("/api/v1/report", headers=globex).json
    assert theirs["employer"] == "Globex" and theirs["closed"]["rejected"] == 1

    browser = site.signed_in()
    assert 'href="/jobs/report"' in browser.get("/jobs").get_data(as_text=True)
    page = browser.get("/jobs/report").get_data(as_text=True)
    assert "Hiring report · Acme" in page and "Shortlisted → Contacted" in page
    assert "50%" in page and 'href="/jobs/ACME-1/pipeline"' in page
    assert "GLOBEX-1" not in page and "Go engineer" not in page
    post_form(browser, "/jobs/report", "/language", {"language": "fr", "next": "/jobs/report"})
    page = browser.get("/jobs/report").get_data(as_text=True)
    assert "Rapport d’embauche · Acme" in page and "50\u00a0%" in page

    worker = {"Authorization": f"Bearer {site.token(WORKER_EMAIL)}"}
    assert client.get("/api/v1/report", headers=worker).status_code in (403, 404)
    assert site.signed_in(WORKER_EMAIL).get("/jobs/report").status_code in (403, 404)
    assert site.client().get("/jobs/report").status_code in (302, 401)


def test_the_csv_export_is_blind_until_acceptance(site):
    client = site.signed_in()
    _decide(client, "W2", "contacted")
    _decide(client, "W3", "contacted")
    db = site.db()
    try:
        db.execute(
            "UPDATE contact_requests SET status = 'accepted' WHERE worker_id = "
            "(SELECT id FROM workers WHERE external_id = 'W2')"
        )
        db.execute("UPDATE workers SET name = '=HYPERLINK(\"x\")' WHERE external_id = 'W2'")
    finally:
        db.close()
    acme = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    for response in (
        site.client().get("/api/v1/jobs/ACME-1/shortlist.csv", headers=acme),
        client.get("/jobs/ACME-1/shortlist.csv"),
    ):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
        rows = {row["worker"]: row for row in reader}
        assert rows["W2"]["name"] == '\'=HYPERLINK("x")' and rows["W2"]["email"]
        assert rows["W3"]["name"] == "" and rows["W3"]["email"] == ""
        assert rows["W3"]["stage"] == "Contacted"
        text = response.get_data(as_text=True)
        assert "Secret Name 3" not in text and "w3@private.example" not in text


# The state machine as the issue states it, written out by hand (not read from `RULES`):
# from each current stage (a contacted candidate with the request pending or accepted), the
# decisions the API must take; every other one is 409 naming the rule, with no event.
ALLOWED = {
    "new": {"shortlisted", "contacted", "rejected", "withdrawn"},
    "shortlisted": {"contacted", "rejected", "withdrawn"},
    "contacted/pending": {"rejected", "withdrawn"},
    "contacted/accepted": {"interviewed", "rejected", "withdrawn"},
    "interviewed": {"offered", "rejected", "withdrawn"},
    "offered": {"hired", "rejected", "withdrawn"},
    "hired": set(),
    "rejected": {"shortlisted"},
    "withdrawn": {"shortlisted"},
}
REFUSING_RULE = {
    "shortlisted": "shortlist_new_or_reconsidered",
    "contacted": "contact_before_interview",
    "interviewed": "interview_after_accepted_contact",
    "offered": "offer_after_interview",
    "hired": "hire_after_offer",
    "rejected": "reject_open_candidate",
    "withdrawn": "withdraw_open_candidate",
}
MATRIX = [
    (current, requested)
    for current in ALLOWED
    for requested in REFUSING_RULE
    if requested != current.split("/")[0]  # the current stage again: no event, tested above
]


@pytest.fixture(scope="module")
def matrix_site(tmp_path_factory):
    """One candidate per (current stage, requested) pair, put in its stage by an import."""
    from matcher.hiring.contact_requests import answer_contact_request, request_contact
    from matcher.importing import import_rows

    site = build_site(tmp_path_factory.mktemp("matrix"), workers=len(MATRIX))
    db = site.db()
    try:
        job_id = db.execute("SELECT id FROM jobs WHERE external_id = 'ACME-1'").fetchone()[0]
        for n, (current, _) in enumerate(MATRIX, start=1):
            stage, _, answer = current.partition("/")
            worker = f"W{n}"
            row = {"job_external_id": "ACME-1", "worker_external_id": worker}
            row |= {"stage": "shown", "at": "2026-11-01T09:00:00Z"}
            rows = (
                [row]
                if stage == "new"
                else [row, {**row, "stage": stage, "at": "2026-11-02T09:00:00Z"}]
            )
            assert not import_rows(db, "outcomes", rows).rejected
            if answer:
                worker_id = db.execute(
                    "SELECT id FROM workers WHERE external_id = ?", [worker]
                ).fetchone()[0]
                request_id = request_contact(db, job_id, worker_id, None)
                if answer == "accepted":
                    answer_contact_request(db, worker_id, request_id, "accepted")
    finally:
        db.close()
    return site


@pytest.mark.parametrize(("current", "requested"), MATRIX)
def test_every_transition_of_the_state_machine_through_the_api(matrix_site, current, requested):
    worker = f"W{MATRIX.index((current, requested)) + 1}"
    headers = {"Authorization": f"Bearer {matrix_site.token(ACME_EMAIL)}"}
    body = {"job": "ACME-1", "worker": worker, "stage": requested}
    before = _outcome_count(matrix_site)
    response = matrix_site.client().post("/api/v1/outcomes", json=body, headers=headers)
    if requested in ALLOWED[current]:
        assert response.status_code == 201, response.json
        assert _outcome_count(matrix_site) == before + 1
        return
    assert response.status_code == 409, response.json
    rule = "hired_is_final" if current == "hired" else REFUSING_RULE[requested]
    assert response.json["error"] == "transition_refused" and response.json["rule"] == rule
    assert response.json["stage"] == current.split("/")[0]
    assert _outcome_count(matrix_site) == before


def test_the_matrix_names_every_rule():
    from matcher.hiring.stages import RULES

    assert {rule.name for rule in RULES} == set(REFUSING_RULE.values())
