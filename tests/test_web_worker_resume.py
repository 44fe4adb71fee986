"""The worker's resume upload on a real app and SQLite file: read, confirm, then save."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from resume_files import (
    DOCX_RESUME_LINES,
    PDF_RESUME_LINES,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
)
from web_support import (
    PASSWORD,
    build_site,
    catching_mail,
    csrf_token_from,
    sign_up_worker,
)
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from matcher.resumes.files import MAX_RESUME_BYTES

EMAIL = "amara@example.org"


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path, workers=4)
    with catching_mail(site) as handler:
        site.mail = handler
        yield site


@pytest.fixture
def client(site):
    client = site.client()
    data = {
        "name": "Amara Okafor",
        "email": EMAIL,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "open_work_permit",
    }
    assert sign_up_worker(client, site.mail, data).status_code == 302
    return client


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the page's forms (ticked boxes only)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def upload(client, data: bytes, filename: str, text: str = ""):
    """Post the upload form as multipart, encoded in memory as a browser would send it."""
    token = csrf_token_from(client.get("/me/resume").get_data(as_text=True))
    form = {"csrf_token": token, "resume_text": text}
    if filename:
        form["resume_file"] = FileStorage(io.BytesIO(data), filename)
    boundary, body = encode_multipart(MultiDict(form))
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post("/me/resume", data=body, content_type=content_type)


def skill_rows(site) -> list[tuple]:
    db = site.db()
    try:
        return db.execute(
            "SELECT s.skill, s.years, s.source FROM worker_skills s JOIN workers w"
            " ON w.id = s.worker_id WHERE w.email = ? ORDER BY s.skill",
            [EMAIL],
        ).fetchall()
    finally:
        db.close()


def worker_row(site) -> tuple:
    db = site.db()
    try:
        sql = "SELECT years_experience, education, resume_text FROM workers WHERE email = ?"
        return db.execute(sql, [EMAIL]).fetchone()
    finally:
        db.close()


def row_for(fields: dict, skill: str) -> str:
    """The field prefix (`skills-3`) of the confirm page's row for `skill`."""
    [key] = [k for k, v in fields.items() if k.endswith("-name") and v == skill]
    return key.removesuffix("-name")


def test_a_pdf_upload_shows_what_was_read_and_saves_nothing_yet(site, client):
    response = upload(client, pdf_bytes(PDF_RESUME_LINES), "amara.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Check what we read in your resume" in page
    fields = form_fields(page)
    assert fields[row_for(fields, "Python") + "-years"] == "6"
    assert fields[row_for(fields, "Docker") + "-years"] == ""
    assert "years not stated" in page and "stated in your resume" in page
    assert fields["education"] == "master"
    assert "Senior Data Engineer" in page
    assert skill_rows(site) == [] and worker_row(site)[2] == ""


def test_confirming_saves_the_edited_skills_with_years_and_drops_unticked_ones(site, client):
    page = upload(client, pdf_bytes(PDF_RESUME_LINES), "amara.pdf").get_data(as_text=True)
    fields = form_fields(page)
    fields[row_for(fields, "SQL") + "-years"] = "5"  # the worker corrects a number
    del fields[row_for(fields, "Docker") + "-keep"]  # and unticks a skill
    fields["years_experience"] = "9"
    response = client.post("/me/resume/confirm", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = {skill: (years, source) for skill, years, source in skill_rows(site)}
    assert saved["Python"] == (6.0, "listed")
    assert saved["SQL"] == (5.0, "listed")
    assert saved["PostgreSQL"][1] == "listed" and saved["PostgreSQL"][0] > 0
    assert saved["Docker"] == (None, "resume")  # unticked: not listed, only found in the text
    years, education, resume_text = worker_row(site)
    assert (years, education) == (9.0, "master")
    assert "Senior Data Engineer, Shopify" in resume_text


def test_a_docx_with_a_work_history_gives_years_from_its_dates(site, client):
    page = upload(client, docx_bytes(DOCX_RESUME_LINES), "lucas.docx").get_data(as_text=True)
    fields = form_fields(page)
    assert fields[row_for(fields, "Java") + "-years"] == "3"
    assert "from the dates of your work history" in page
    assert client.post("/me/resume/confirm", data=fields).status_code == 302
    saved = {skill: years for skill, years, _ in skill_rows(site)}
    assert saved["Java"] == 3.0 and saved["Kubernetes"] == 3.0
    assert worker_row(site)[1] == "bachelor"


def test_pasted_text_with_accents_and_line_breaks_works_the_same_way(site, client):
    text = "Développeuse Python depuis 2019.\r\nFormation\r\nMaîtrise, Université de Montréal\n"
    page = upload(client, b"", "", text=text).get_data(as_text=True)
    fields = form_fields(page)
    assert fields[row_for(fields, "Python") + "-years"] != ""
    assert fields["education"] == "master"
    assert client.post("/me/resume/confirm", data=fields).status_code == 302
    assert "Maîtrise, Université de Montréal" in worker_row(site)[2]


def test_a_very_long_pasted_resume_is_read(site, client):
    text = "Python (4 yrs) and Docker on Linux servers.\n" * 1100  # about 48,000 characters
    response = upload(client, b"", "", text=text)
    assert response.status_code == 200
    assert form_fields(response.get_data(as_text=True))["skills-0-years"] == "4"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"plain text", "resume.txt", "Upload a PDF or DOCX file"),
        (b"%PDF-1.7 broken", "resume.pdf", "The PDF could not be read"),
        (encrypted_pdf_bytes(["Python"]), "locked.pdf", "The PDF is password-protected"),
        (b"", "", "Choose a file or paste your resume."),
    ],
)
def test_a_bad_file_is_an_error_next_to_the_field(site, client, data, filename, message):
    response = upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="resume_file-error"' in page and message in page
    assert skill_rows(site) == []


def test_an_oversized_upload_is_an_error_next_to_the_field_not_a_bare_413(site, client):
    response = upload(client, b"%PDF" + b"0" * (MAX_RESUME_BYTES + 300_000), "huge.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="resume_file-error"' in page and "larger than 5 MB" in page


def test_a_file_between_the_app_limit_and_the_resume_limit_is_accepted(site, client):
    big = pdf_bytes(PDF_RESUME_LINES) + b"\n%" + b"0" * (2 * 1024 * 1024)
    response = upload(client, big, "padded.pdf")  # 2 MB: above the app's 1 MB form limit
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_upload_and_confirm_refuse_a_missing_csrf_token(site, client):
    response = client.post(
        "/me/resume",
        data={"resume_file": (io.BytesIO(pdf_bytes(["Python"])), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert client.post("/me/resume/confirm", data={"resume_text": "Python"}).status_code == 400
    assert skill_rows(site) == []


def test_a_bad_years_value_is_shown_next_to_the_skill_and_nothing_is_saved(site, client):
    fields = form_fields(upload(client, pdf_bytes(PDF_RESUME_LINES), "a.pdf").get_data(True))
    fields[row_for(fields, "Python") + "-years"] = "-3"
    response = client.post("/me/resume/confirm", data=fields)
    assert response.status_code == 400
    assert "Number must be between 0 and 60" in response.get_data(as_text=True)
    assert skill_rows(site) == []


def test_resume_pages_need_a_signed_in_worker(site):
    assert site.client().get("/me/resume").status_code == 302
