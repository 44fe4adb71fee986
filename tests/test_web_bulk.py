"""The shortlist's bulk actions and stage filters through real HTTP (Flask test client)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from web_support import GLOBEX_EMAIL, build_site, post_form

SHORTLIST = "/jobs/ACME-1/shortlist"
BULK = "/jobs/ACME-1/shortlist/decisions"


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=12, SHORTLIST_PAGE_SIZE=5)


def _events(site) -> list[tuple[str, str]]:
    db = site.db()
    try:
        return db.execute(
            """SELECT w.external_id, o.stage FROM outcomes o
               JOIN workers w ON w.id = o.worker_id ORDER BY o.id"""
        ).fetchall()
    finally:
        db.close()


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', html, re.S)
    assert found, "no message on the page"
    return f"{found.group(1)}: {html_lib.unescape(found.group(2))}"


def _workers_on(html: str) -> list[str]:
    return re.findall(r'name="worker" value="(W\d+)"', html)


def _bulk(client, data: dict, page: str = SHORTLIST):
    return post_form(client, page, BULK, {"back": page, **data})


def _decide(client, worker: str, stage: str):
    action = f"/jobs/ACME-1/candidates/{worker}/decisions"
    return post_form(client, SHORTLIST, action, {"stage": stage, "back": SHORTLIST})


def test_bulk_shortlist_reports_each_candidate_it_did_not_change(site):
    client = site.signed_in()
    _decide(client, "W2", "shortlisted")
    _decide(client, "W3", "rejected")
    response = _bulk(client, {"stage": "shortlisted", "worker": ["W1", "W2", "W4", "W5"]})
    assert response.status_code == 302 and response.headers["Location"] == SHORTLIST
    message = _flash(client.get(SHORTLIST).get_data(as_text=True))
    assert message == "success: 3 shortlisted; 1 not changed: Candidate W2 is already shortlisted."
    assert sorted(_events(site)[2:]) == [("W1", "shortlisted"), ("W4", "shortlisted"),
                                        ("W5", "shortlisted")]  # fmt: skip


def test_a_refused_candidate_names_the_rule_and_gets_no_event(site):
    client = site.signed_in()
    _decide(client, "W2", "contacted")
    before = _events(site)
    _bulk(client, {"stage": "shortlisted", "worker": ["W2", "W6"]})
    message = _flash(client.get(SHORTLIST).get_data(as_text=True))
    assert message == (
        "success: 1 shortlisted; 1 not changed:"
        " Candidate W2 is contacted (the rule: Shortlisted: a new candidate,"
        " or a rejected or withdrawn one reconsidered)."
    )
    assert _events(site) == [*before, ("W6", "shortlisted")]


def test_bulk_contact_sends_contact_requests(site):
    client = site.signed_in()
    _bulk(client, {"stage": "contacted", "worker": ["W1", "W7"]})
    assert "2 contacted (contact requests sent" in client.get(SHORTLIST).get_data(as_text=True)
    db = site.db()
    try:
        assert db.execute("SELECT count(*) FROM contact_requests").fetchone()[0] == 2
    finally:
        db.close()


def test_select_all_on_the_page_works_without_javascript(site):
    client = site.signed_in()
    page = client.get(SHORTLIST).get_data(as_text=True)
    on_page = _workers_on(page)
    assert len(on_page) == 5 and 'name="all_on_page"' in page
    hidden = re.findall(r'name="page_worker" value="(W\d+)"', page)
    _bulk(client, {"stage": "rejected", "all_on_page": "1", "page_worker": hidden})
    assert sorted(_events(site)) == sorted((w, "rejected") for w in on_page)


def test_an_empty_selection_is_a_clear_message(site):
    client = site.signed_in()
    assert _bulk(client, {"stage": "shortlisted"}).status_code == 302
    message = _flash(client.get(SHORTLIST).get_data(as_text=True))
    assert message == "error: Nothing recorded: select at least one candidate first."
    _bulk(client, {"stage": "hired", "worker": ["W1"]})
    assert "choose shortlist, contact or reject" in client.get(SHORTLIST).get_data(as_text=True)
    assert _events(site) == []


def test_another_employers_job_or_unknown_workers_record_nothing(site):
    globex = site.signed_in(GLOBEX_EMAIL)
    response = post_form(globex, "/jobs", BULK, {"stage": "shortlisted", "worker": ["W1"]})
    assert response.status_code == 404
    acme = site.signed_in()
    response = _bulk(acme, {"stage": "shortlisted", "worker": ["W1", "W999"]})
    assert response.status_code == 404
    assert _events(site) == []


def test_bulk_needs_csrf(site):
    client = site.signed_in()
    response = client.post(BULK, data={"stage": "rejected", "worker": ["W1", "W2"]})
    assert response.status_code == 400
    assert _events(site) == []


def test_the_stage_filter_keeps_only_that_stage_and_stays_in_the_url(site):
    client = site.signed_in()
    _bulk(client, {"stage": "shortlisted", "worker": ["W3", "W8"]})
    response = client.get(SHORTLIST + "?stage=shortlisted")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and sorted(_workers_on(html)) == ["W3", "W8"]
    assert "2 candidates" in html
    assert '<option selected value="shortlisted">' in html
    assert 'name="back" value="/jobs/ACME-1/shortlist?stage=shortlisted"' in html


def test_new_means_no_decision_yet(site):
    client = site.signed_in()
    _bulk(client, {"stage": "shortlisted", "worker": ["W3"]})
    html = client.get(SHORTLIST + "?stage=new").get_data(as_text=True)
    assert "11 candidates" in html and "W3" not in _workers_on(html)


def test_hide_decided_leaves_out_hired_rejected_and_withdrawn(site):
    client = site.signed_in()
    _bulk(client, {"stage": "rejected", "worker": ["W1", "W2"]})
    _decide(client, "W3", "withdrawn")
    _decide(client, "W4", "shortlisted")
    html = client.get(SHORTLIST + "?hide_decided=y&sort=experience").get_data(as_text=True)
    assert "9 candidates" in html
    second = client.get(SHORTLIST + "?hide_decided=y&sort=experience&page=2")
    pages = [html, second.get_data(as_text=True)]
    shown = {w for page in pages for w in _workers_on(page)}
    assert "W4" in shown and not shown & {"W1", "W2", "W3"}
    next_link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1)
    assert "hide_decided=y" in next_link and "sort=experience" in next_link


def test_an_unknown_stage_filter_is_a_clear_error(site):
    response = site.signed_in().get(SHORTLIST + "?stage=promoted")
    assert response.status_code == 400
    assert 'id="stage-error"' in response.get_data(as_text=True)


def test_the_decision_menu_shows_the_current_stage_and_preselects_no_other(site):
    client = site.signed_in()
    _decide(client, "W2", "contacted")
    html = client.get(SHORTLIST + "?stage=contacted").get_data(as_text=True)
    row = html.split('value="W2"', 1)[1].split("</tr>", 1)[0]
    assert '<p class="status">Contacted</p>' in row
    assert '<option value="" selected>Move to…</option><option value="rejected">' in row
    response = _decide(client, "W2", "")
    assert response.status_code == 302
    assert "choose the stage" in client.get(SHORTLIST).get_data(as_text=True)


def test_withdrawn_is_recorded_from_the_pages(site):
    client = site.signed_in()
    _decide(client, "W5", "contacted")
    _decide(client, "W5", "withdrawn")
    assert _events(site)[-1] == ("W5", "withdrawn")
    page = client.get("/jobs/ACME-1/candidates/W5").get_data(as_text=True)
    assert ">Withdrawn</strong>" in page and 'value="shortlisted"' in page


def _api_bulk(site, body: dict, job: str = "ACME-1", email: str | None = None):
    token = site.token(email or "recruiter@acme.example")
    return site.client().post(
        f"/api/v1/jobs/{job}/decisions/bulk",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_answers_each_candidates_result(site):
    _api_bulk(site, {"stage": "contacted", "workers": ["W2"]})
    response = _api_bulk(site, {"stage": "shortlisted", "workers": ["W1", "W2", "W1"]})
    assert response.status_code == 200
    assert response.get_json() == {
        "job": "ACME-1",
        "stage": "shortlisted",
        "recorded": 1,
        "results": [
            {"worker": "W1", "result": "recorded", "stage": "shortlisted",
             "rule": None, "message": None},
            {"worker": "W2", "result": "refused", "stage": "contacted",
             "rule": "shortlist_new_or_reconsidered",
             "message": "Shortlisted: a new candidate, or a rejected or withdrawn one"
                        " reconsidered. This candidate is contacted."},
        ],
    }  # fmt: skip


def test_the_api_refuses_bad_bulk_requests_naming_the_field(site):
    assert _api_bulk(site, {"stage": "shortlisted", "workers": []}).get_json()["field"] == (
        "workers"
    )
    response = _api_bulk(site, {"stage": "hired", "workers": ["W1"]})
    assert response.status_code == 400 and response.get_json()["field"] == "stage"
    response = _api_bulk(site, {"stage": "rejected", "workers": "W1"})
    assert response.status_code == 400 and response.get_json()["field"] == "workers"
    assert _api_bulk(
        site, {"stage": "rejected", "workers": ["W1"]}, job="GLOBEX-1"
    ).status_code == (404)
    assert _events(site) == []


def test_withdrawn_through_the_api(site):
    response = _api_bulk(site, {"stage": "contacted", "workers": ["W4"]})
    assert response.status_code == 200
    token = site.token("recruiter@acme.example")
    response = site.client().post(
        "/api/v1/outcomes",
        json={"job": "ACME-1", "worker": "W4", "stage": "withdrawn"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201 and response.get_json()["stage"] == "withdrawn"
    again = site.client().post(
        "/api/v1/outcomes",
        json={"job": "ACME-1", "worker": "W4", "stage": "contacted"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 409 and again.get_json()["rule"] == "contact_before_interview"


def test_the_api_shortlist_filters_by_stage(site):
    _api_bulk(site, {"stage": "shortlisted", "workers": ["W2", "W9"]})
    _api_bulk(site, {"stage": "rejected", "workers": ["W3"]})
    headers = {"Authorization": f"Bearer {site.token('recruiter@acme.example')}"}
    client = site.client()
    shortlisted = client.get("/api/v1/jobs/ACME-1/shortlist?stage=shortlisted", headers=headers)
    assert sorted(c["worker"] for c in shortlisted.get_json()["candidates"]) == ["W2", "W9"]
    two = client.get(
        "/api/v1/jobs/ACME-1/shortlist?stage=shortlisted&stage=rejected", headers=headers
    )
    assert two.get_json()["total"] == 3
    open_only = client.get("/api/v1/jobs/ACME-1/shortlist?hide_decided=true", headers=headers)
    assert open_only.get_json()["total"] == 11
    bad = client.get("/api/v1/jobs/ACME-1/shortlist?stage=promoted", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "stage"
    bad = client.get("/api/v1/jobs/ACME-1/shortlist?hide_decided=maybe", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "hide_decided"
