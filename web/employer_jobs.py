"""Employer jobs: list, create, edit (with fields read from the description), close."""

from __future__ import annotations

import secrets
from dataclasses import replace
from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matcher.constants import CITIES
from matcher.i18n import localized
from matcher.i18n.words import CITY_LABELS
from matcher.notifications.employer_daily import set_strong_match_emails, strong_match_emails_on
from matcher.postings import extract_job_fields
from matcher.records.jobs import (
    StoredJob,
    job_to_row,
    jobs_of_employer,
    load_stored_jobs,
    parse_job,
    save_job,
)
from matcher.records.parsing import RowError
from matcher.skills import normalize_skill
from matcher.skills.terms import split_skill_terms
from matcher.store import utc_now
from web.auth import employer_required
from web.database import get_db

bp = Blueprint("employer_jobs", __name__, url_prefix="/jobs")

REMOTE_CHOICES = [
    SelectChoice("onsite", _l("On site")),
    SelectChoice("hybrid", _l("Hybrid")),
    SelectChoice("remote", _l("Remote")),
]
# The fields "Extract from description" may fill, with the words its message uses.
_FILLED_FIELDS = {
    "city": _l("city"),
    "remote": _l("remote policy"),
    "min_years_experience": _l("minimum years"),
    "salary_min_cad": _l("salary from"),
    "salary_max_cad": _l("salary up to"),
    "french_level_required": _l("French level"),
}


def _canonical_skills(field) -> list[str]:
    """Canonical names of the field's skills; unknown terms are a validation error."""
    names, unknown = [], []
    for term in split_skill_terms(field.data):
        name = normalize_skill(term)
        if name is None:
            unknown.append(term)
        elif name not in names:
            names.append(name)
    if unknown:
        raise ValidationError(_("Not a skill we know: %(terms)s.", terms=", ".join(unknown)))
    return names


class JobForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    description_fr = TextAreaField(
        _l("Description in French"), validators=[Optional(), Length(max=20_000)]
    )
    required_skills = TextAreaField(
        _l("Required skills"), validators=[Optional(), Length(max=4000)]
    )
    nice_to_have_skills = TextAreaField(
        _l("Nice-to-have skills"), validators=[Optional(), Length(max=4000)]
    )
    # An empty first choice: a new job's city is chosen (or read from the description), never
    # silently Toronto.
    city = SelectField(
        _l("City"),
        choices=[
            SelectChoice("", _l("Choose a city")),
            *(SelectChoice(c, _l(CITY_LABELS[c])) for c in CITIES),
        ],
        validators=[DataRequired(message=_l("Choose the job's city."))],
    )
    remote = SelectField(_l("Remote policy"), choices=REMOTE_CHOICES, default="onsite")
    french_level_required = IntegerField(
        _l("French level required (NCLC 0–12)"),
        default=0,
        validators=[Optional(), NumberRange(0, 12)],
    )
    min_years_experience = DecimalField(
        _l("Minimum years of experience"),
        places=None,
        validators=[Optional(), NumberRange(0, 60)],
    )
    salary_min_cad = IntegerField(
        _l("Salary from (CAD per year)"), validators=[Optional(), NumberRange(0, 10_000_000)]
    )
    salary_max_cad = IntegerField(
        _l("Salary up to (CAD per year)"), validators=[Optional(), NumberRange(0, 10_000_000)]
    )

    # Optional() stops the validation chain on an empty box, so these only check the terms;
    # the names are read with `_canonical_skills` when saving, whatever the box holds.
    def validate_required_skills(self, field) -> None:
        _canonical_skills(field)

    def validate_nice_to_have_skills(self, field) -> None:
        _canonical_skills(field)

    def validate_salary_max_cad(self, field) -> None:
        low, high = self.salary_min_cad.data, field.data
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The top of the range must not be below its bottom."))


def owned_job_or_404(external_id: str) -> StoredJob:
    """The signed-in employer's job, or 404 (also for another employer's job)."""
    job = load_stored_jobs(get_db(), [external_id]).get(external_id)
    if job is None or job.employer_id != g.user.employer_id:
        abort(404)
    return job


class StrongMatchEmailsForm(FlaskForm):
    """The employer user's opt-in to the daily "new strong matches" email."""

    strong_match_emails = BooleanField(
        _l("Email me each morning when my open jobs have new strong matches")
    )


@bp.route("")
@employer_required
def list_jobs():
    jobs = jobs_of_employer(get_db(), g.user.employer_id)
    emails_form = StrongMatchEmailsForm(
        strong_match_emails=strong_match_emails_on(get_db(), g.user.id)
    )
    return render_template("employer/jobs.html", jobs=jobs, emails_form=emails_form)


@bp.route("/strong-match-emails", methods=["POST"])
@employer_required
def save_strong_match_emails():
    form = StrongMatchEmailsForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired. Reload the page and try again."))
    on = bool(form.strong_match_emails.data)
    set_strong_match_emails(get_db(), g.user.id, on)
    if on:
        flash(_("Daily strong-match emails are on: you get one on days with news."), "success")
    else:
        flash(_("Daily strong-match emails are off."), "success")
    return redirect(url_for("employer_jobs.list_jobs") + "#strong-match-emails")


@bp.route("/new", methods=["GET", "POST"])
@employer_required
def new_job():
    form = JobForm()
    return _edit(form, job=None)


@bp.route("/<external_id>/edit", methods=["GET", "POST"])
@employer_required
def edit_job(external_id: str):
    job = owned_job_or_404(external_id)
    form = JobForm(data=None if request.method == "POST" else _form_data(job))
    return _edit(form, job=job)


def _form_data(job: StoredJob) -> dict:
    row = job_to_row(job.record)
    row["required_skills"] = "\n".join(row["required_skills"])
    row["nice_to_have_skills"] = "\n".join(row["nice_to_have_skills"])
    return row


def _edit(form: JobForm, job: StoredJob | None):
    if request.method == "POST" and request.form.get("action") == "extract":
        # Only fills the form for the user to check; nothing is validated or saved yet.
        _fill_from_description(form)
        return _render_form(form, job)
    if form.validate_on_submit():
        try:
            external_id = _save(form, job)
        except RowError as error:
            _attach_row_error(form, error)
        else:
            flash(_("Job saved."), "success")
            return redirect(url_for("shortlists.shortlist", external_id=external_id))
    status = 400 if form.is_submitted() else 200
    return _render_form(form, job), status


def _fill_from_description(form: JobForm) -> None:
    """Fill the fields the employer left empty (or at their default) from the description,
    and add the skills it names that neither box lists; nothing typed is replaced."""
    texts = [form.description.data or "", form.description_fr.data or ""]
    stated = extract_job_fields("\n\n".join(text for text in texts if text.strip()))
    filled = _fill_plain_fields(form, stated)
    added = _add_skills(form.required_skills, stated["required_skills"], form)
    added += _add_skills(form.nice_to_have_skills, stated["nice_to_have_skills"], form)
    if added:
        filled.append(ngettext("%(num)d skill", "%(num)d skills", added))
    if filled:
        message = _(
            "Filled from the description: %(fields)s. Check them, then save.",
            fields=", ".join(str(words) for words in filled),
        )
    else:
        message = _("The description states nothing that the form does not already hold.")
    flash(message, "info")


def _fill_plain_fields(form: JobForm, stated: dict) -> list[str]:
    """Set each empty or default field the description states; the labels of those set."""
    defaults = {"city": "", "remote": "onsite", "french_level_required": 0}
    filled = []
    if stated["title"] and not (form.title.data or "").strip():
        form.title.data = stated["title"]
        filled.append(_("title"))
    for name, words in _FILLED_FIELDS.items():
        field, value = getattr(form, name), stated[name]
        if value is None or field.data not in (None, "", defaults.get(name)):
            continue
        field.data = Decimal(str(value)) if name == "min_years_experience" else value
        field.raw_data = []  # number inputs render what was typed while it is kept
        filled.append(words)
    return filled


def _add_skills(box, found: list[str], form: JobForm) -> int:
    """Append to `box` the skills in `found` that neither box lists; how many were added."""
    listed = {
        normalize_skill(term) or term
        for term in split_skill_terms(form.required_skills.data)
        + split_skill_terms(form.nice_to_have_skills.data)
    }
    new = [skill for skill in found if skill not in listed]
    if new:
        box.data = "\n".join(split_skill_terms(box.data) + new)
    return len(new)


def _render_form(form: JobForm, job: StoredJob | None):
    return render_template("employer/job_form.html", form=form, job=job)


def _attach_row_error(form: JobForm, error: RowError) -> None:
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = [*field.errors, localized(error)]
    else:
        form.form_errors.append(f"{error.field}: {localized(error)}")


def _save(form: JobForm, job: StoredJob | None) -> str:
    external_id = job.record.external_id if job else f"job-{secrets.token_hex(5)}"
    required = _canonical_skills(form.required_skills)
    row = {
        "external_id": external_id,
        "employer": g.user.employer_name,
        "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "title_fr": (form.title_fr.data or "").strip() or None,
        "description_fr": (form.description_fr.data or "").strip() or None,
        "required_skills": required,
        "nice_to_have_skills": [
            name for name in _canonical_skills(form.nice_to_have_skills) if name not in required
        ],
        "city": form.city.data,
        "remote": form.remote.data,
        "min_years_experience": _plain_number(form.min_years_experience.data),
        "salary_min_cad": form.salary_min_cad.data,
        "salary_max_cad": form.salary_max_cad.data,
        "french_level_required": form.french_level_required.data or 0,
        "status": job.record.status if job else "open",
        "posted_at": job.record.posted_at if job else utc_now()[:10],
    }
    save_job(get_db(), parse_job(row), employer_id=g.user.employer_id)
    return external_id


def _plain_number(value) -> float | None:
    return None if value is None else float(value)


@bp.route("/<external_id>/close", methods=["POST"])
@employer_required
def close_job(external_id: str):
    return _set_status(owned_job_or_404(external_id), "closed", _("Job closed."))


@bp.route("/<external_id>/reopen", methods=["POST"])
@employer_required
def reopen_job(external_id: str):
    return _set_status(owned_job_or_404(external_id), "open", _("Job reopened."))


def _set_status(job: StoredJob, status: str, message: str):
    save_job(get_db(), replace(job.record, status=status), employer_id=g.user.employer_id)
    flash(message, "success")
    return redirect(url_for("employer_jobs.list_jobs"))
