"""Worker accounts: sign-up, the profile, email preferences, a copy of my data, deletion.

Workers are `users` rows with role 'worker' pointing at their `workers` row; sign-in and
sessions are `web.auth`'s. The profile is saved through the same parse/validate/save
functions as imports, so a web edit and an imported row obey one contract.
"""

from __future__ import annotations

import json
import secrets
import smtplib
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from matcher import accounts
from matcher.constants import (
    CITIES,
    DIGEST_FREQUENCIES,
    EDUCATION_LEVELS,
    LANGUAGE_LEVEL_RANGE,
    WORK_AUTHORIZATION_CHOICES,
)
from matcher.i18n import N_, SUPPORTED_LANGUAGES, localized
from matcher.i18n.words import EDUCATION_LABELS
from matcher.notifications.consent import email_preferences, save_email_preferences
from matcher.notifications.delivery import send_notice
from matcher.records.parsing import RowError, email_address, format_number
from matcher.records.skill_lists import skill_items
from matcher.records.workers import (
    CONSENT_WORDING,
    WorkerRecord,
    live_external_id,
    load_worker,
    parse_worker,
    save_worker,
    worker_to_row,
)
from matcher.resumes import ResumeFacts, parse_resume
from matcher.resumes.facts import YEARS_FROM_WORK_HISTORY, YEARS_STATED
from matcher.resumes.files import MAX_RESUME_BYTES, ResumeFileError, resume_text_from_file
from matcher.skill_suggestions import suggest_skills
from matcher.skills import extract_skills, normalize_skill
from matcher.skills.terms import split_skill_terms
from matcher.store import write_transaction
from matcher.worker_privacy import delete_worker_account, export_worker_data
from web import auth
from web.database import get_db
from web.i18n import LANGUAGE_NAMES, current_language, level_label, skill_name

bp = Blueprint("worker_account", __name__)

WITHDRAWAL_WORDING = "Turned match emails off on the email preferences page."
# No default: "Choose…" fails validation, so nobody is a citizen because they did not look.
AUTHORIZATION_CHOICES = [SelectChoice("", _l("Choose…"))] + [
    SelectChoice(choice, _l(label)) for choice, _stored, label in WORK_AUTHORIZATION_CHOICES
]
STORED_AUTHORIZATION = {choice: stored for choice, stored, _label in WORK_AUTHORIZATION_CHOICES}
AUTHORIZATION_REQUIRED = _l(
    "Choose your work authorization in Canada: it tells employers when you could start."
)
RANK_CHOICES = [
    SelectChoice("", _l("Not interested")),
    SelectChoice("1", _l("1st choice")),
    SelectChoice("2", _l("2nd choice")),
    SelectChoice("3", _l("3rd choice")),
]
FREQUENCY_LABELS = {"daily": N_("Daily"), "weekly": N_("Weekly"), "off": N_("Never")}
LANGUAGE_CHOICES = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]
EDUCATION_CHOICES = [SelectChoice("", _l("Not given"))] + [
    SelectChoice(level, _l(EDUCATION_LABELS[level])) for level in EDUCATION_LEVELS
]


def level_choices(scale: str) -> list[SelectChoice]:
    low, high = LANGUAGE_LEVEL_RANGE
    levels = [SelectChoice(str(n), LazyString(level_label, n, scale)) for n in range(low, high + 1)]
    return [SelectChoice("", _l("Not given")), *levels]


def authorization_field() -> SelectField:
    return SelectField(
        _l("Work authorization in Canada"),
        choices=AUTHORIZATION_CHOICES,
        default="",
        validators=[DataRequired(message=AUTHORIZATION_REQUIRED)],
    )


def stored_authorization(choice: str | None) -> str | None:
    """The contract value a work-authorization choice stores (H-1B + open permit: open)."""
    return STORED_AUTHORIZATION.get(choice or "", choice)


def current_worker_external_id() -> str:
    """The signed-in worker's external id (404 if the worker row is gone)."""
    external_id = live_external_id(get_db(), g.user.worker_id)
    if external_id is None:
        abort(404)
    return external_id


# ---- sign-up -----------------------------------------------------------------------------


class SignUpForm(FlaskForm):
    # Optional: a sign-up posted without it takes the page's language.
    preferred_language = RadioField(
        _l("Language of your pages and emails"), choices=LANGUAGE_CHOICES, validators=[Optional()]
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=1024)],
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )
    work_authorization = authorization_field()
    match_emails = BooleanField(_l(CONSENT_WORDING), default=False)


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    """The same answer whether or not the address has an account: a link, or its owner told."""
    form = SignUpForm()
    if not form.is_submitted():
        form.preferred_language.data = current_language()  # the browser's, or the switch's
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            asked = _sign_up_request(form)
            accounts.check_rate_limit(get_db(), "sign_up", request.remote_addr)
            accounts.check_rate_limit(get_db(), "sign_up_address", asked.email.lower())
            token = accounts.start_sign_up(get_db(), asked)
        except RowError as error:
            _attach_row_error(form, error)
        except accounts.RateLimited as limited:
            form.email.errors = [*form.email.errors, localized(limited)]
            status = 429
        except accounts.AccountError as error:
            form.password.errors = [*form.password.errors, localized(error)]
        else:
            _send_sign_up_mail(asked.email, token)
            return render_template("worker/sign_up.html", form=form, sent_to=asked.email)
    return render_template("worker/sign_up.html", form=form), status


def _sign_up_request(form: SignUpForm) -> accounts.SignUpRequest:
    """The form's answers, checked as the workers contract checks them (RowError names a field)."""
    record = parse_worker(
        {
            "external_id": "W-PENDING",
            "name": form.name.data,
            "email": form.email.data,
            "work_authorization": stored_authorization(form.work_authorization.data),
            "match_emails": bool(form.match_emails.data),
            "preferred_language": form.preferred_language.data or current_language(),
        }
    )
    return accounts.SignUpRequest(
        email=record.email,
        name=record.name,
        password=form.password.data,
        work_authorization=record.work_authorization,
        match_emails=bool(form.match_emails.data),
        preferred_language=record.preferred_language,
    )


def _send_sign_up_mail(email: str, token: str | None) -> None:
    settings = current_app.config["SETTINGS"]
    if token is None:
        subject = _("Someone tried to sign up with your address on talentmatch")
        text = _(
            "Someone asked to create a talentmatch account with this address, which already"
            " has one. Nothing was changed. If it was you, sign in at %(url)s.\n",
            url=f"{settings.base_url}/sign-in",
        )
    else:
        subject = _("Finish creating your talentmatch profile")
        text = _(
            "Open this link within 24 hours to finish creating your talentmatch profile:\n"
            "%(url)s\n\nIf you did not ask, ignore this email.\n",
            url=f"{settings.base_url}/sign-up/confirm/{token}",
        )
    try:
        send_notice(settings, email, subject, text)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("sign-up mail to %s not sent: %s", email, error)


@bp.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
def confirm_sign_up(token: str):
    """A GET asks (mail scanners follow links); the POST creates the account and signs in."""
    email = accounts.pending_sign_up_email(get_db(), token)
    if email is None:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            external_id = f"W-{secrets.token_hex(5).upper()}"
            user = accounts.finish_sign_up(get_db(), token, external_id)
        except (accounts.AccountError, RowError):
            abort(404)
        auth.end_browser_session()
        session[auth.SESSION_KEY] = accounts.create_session(get_db(), user.id)
        auth.remember_language_in_session(user)
        flash(_("Welcome! Add your skills and preferences so we can match you."), "success")
        return redirect(url_for("worker_account.profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("worker/sign_up.html", form=form, confirm=email), status


# ---- profile -----------------------------------------------------------------------------


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    skills = TextAreaField(_l("Skills"), validators=[Optional(), Length(max=4000)])
    resume_text = TextAreaField(_l("Resume"), validators=[Optional(), Length(max=50_000)])
    years_experience = DecimalField(
        _l("Years of professional experience"),
        places=None,
        validators=[Optional(), NumberRange(0, 60)],
    )
    education = SelectField(_l("Highest education"), choices=EDUCATION_CHOICES)
    rank_toronto = SelectField("Toronto", choices=RANK_CHOICES, default="")
    rank_vancouver = SelectField("Vancouver", choices=RANK_CHOICES, default="")
    rank_montreal = SelectField(_l("Montreal"), choices=RANK_CHOICES, default="")
    open_to_remote = BooleanField(_l("I am open to remote work"))
    english_level = SelectField(_l("English level (CLB)"), choices=level_choices("CLB"), default="")
    french_level = SelectField(_l("French level (NCLC)"), choices=level_choices("NCLC"), default="")
    salary_expectation_cad = IntegerField(
        _l("Salary expectation (CAD per year)"),
        validators=[Optional(), NumberRange(0, 10_000_000)],
    )
    work_authorization = authorization_field()
    available_from = StringField(_l("Earliest start date"), validators=[Optional(), Length(max=10)])

    def city_fields(self) -> list:
        return [getattr(self, f"rank_{city.lower()}") for city in CITIES]

    def validate_skills(self, field) -> None:
        try:
            terms = [item.term for item in _skill_terms(field.data)]
        except RowError as error:
            raise ValidationError(localized(error)) from None
        unknown = [term for term in terms if normalize_skill(term) is None]
        if unknown:
            self.skill_suggestions = {term: suggest_skills(term, limit=3) for term in unknown}
            raise ValidationError(_("Not a skill we know: %(terms)s.", terms=", ".join(unknown)))

    def city_preferences(self) -> list[str]:
        """The cities in the order the worker numbered them; RowError for a repeated number."""
        ranked = [(f.data, city) for f, city in zip(self.city_fields(), CITIES, strict=True)]
        chosen = sorted((rank, city) for rank, city in ranked if rank)
        ranks = [rank for rank, _ in chosen]
        if len(set(ranks)) != len(ranks):
            raise RowError("city_preferences", _("give each city a different number"))
        return [city for _, city in chosen]


def _skill_terms(text: str | None) -> list:
    """Skill items (term and optional years, `python:5`) typed in the skills box."""
    return skill_items({"skills": split_skill_terms(text)}, "skills")


def _listed_skill_names(text: str | None) -> set[str | None]:
    """Canonical names in the skills box, ignoring what validation will report anyway."""
    try:
        return {normalize_skill(item.term) for item in _skill_terms(text)}
    except RowError:
        return set()


def _profile_form_data(record: WorkerRecord) -> dict:
    row = worker_to_row(record)
    listed = [s for s in record.skills if s.source == "listed"]
    row["skills"] = "\n".join(
        skill_name(s.name) if s.years is None else f"{skill_name(s.name)}:{s.years:g}"
        for s in listed
    )
    for rank, city in enumerate(record.city_preferences, start=1):
        row[f"rank_{city.lower()}"] = str(rank)
    for level in ("english_level", "french_level"):
        row[level] = "" if row[level] is None else str(row[level])
    row["education"] = row["education"] or ""
    years = row["years_experience"]  # None: not stated, an empty field
    row["years_experience"] = None if years is None else format_number(years)
    return row


@bp.route("/me/profile", methods=["GET", "POST"])
@auth.worker_required
def profile():
    record = load_worker(get_db(), current_worker_external_id())
    if record is None:
        abort(404)
    form = ProfileForm(data=None if request.method == "POST" else _profile_form_data(record))
    if request.method == "POST" and request.form.get("action") == "extract":
        # Only shows the resume's skills for the worker to confirm; nothing is saved yet.
        found = _skills_found_in_resume(form)
        return render_template("worker/profile.html", form=form, record=record, found=found)
    if request.method == "POST":
        _add_confirmed_resume_skills(form)
    if form.validate_on_submit():
        try:
            _save_profile(form, record)
        except RowError as error:
            _attach_row_error(form, error)
        except accounts.AccountError as error:
            form.email.errors = [*form.email.errors, localized(error)]
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("worker_matches.matches"))
    status = 400 if form.is_submitted() else 200
    return render_template("worker/profile.html", form=form, record=record, found=[]), status


def _skills_found_in_resume(form: ProfileForm) -> list[str]:
    """Skills in the pasted resume that the skills box does not list yet, for confirmation."""
    listed = _listed_skill_names(form.skills.data)
    return [s for s in extract_skills(form.resume_text.data or "") if s not in listed]


def _add_confirmed_resume_skills(form: ProfileForm) -> None:
    """Ticked resume skills join the skills box, with the years typed next to them (if any)."""
    ticked = request.form.getlist("confirm_skill")
    confirmed = {normalize_skill(term): term for term in ticked}
    listed = _listed_skill_names(form.skills.data)
    new = [
        _with_years(name, request.form.get(f"confirm_years:{term}", ""))
        for name, term in confirmed.items()
        if name and name not in listed
    ]
    if new:
        form.skills.data = "\n".join([*split_skill_terms(form.skills.data), *new])


def _with_years(name: str, years: str) -> str:
    """`Python` and `4` → `Python:4`; the skills box's validation checks the number."""
    years = years.strip()[:10]
    return f"{name}:{years}" if years else name


def _save_profile(form: ProfileForm, record: WorkerRecord) -> None:
    """Validate the form as a contract row and save it with the sign-in address in step."""
    row = {
        "external_id": record.external_id,
        "name": form.name.data,
        "email": form.email.data,
        "skills": split_skill_terms(form.skills.data),
        "resume_text": form.resume_text.data or "",
        "years_experience": _plain(form.years_experience.data),
        "education": form.education.data or None,
        "city_preferences": form.city_preferences(),
        "open_to_remote": bool(form.open_to_remote.data),
        "english_level": form.english_level.data or None,
        "french_level": form.french_level.data or None,
        "salary_expectation_cad": form.salary_expectation_cad.data,
        "work_authorization": stored_authorization(form.work_authorization.data),
        "available_from": (form.available_from.data or "").strip() or None,
        # Consent changes only on the email preferences page, where its wording is shown.
        "match_emails": record.match_emails,
        "preferred_language": record.preferred_language,
    }
    updated = parse_worker(row)
    db = get_db()
    with write_transaction(db):
        _change_sign_in_email(updated.email)
        save_worker(db, updated, source="web")


def _change_sign_in_email(email: str) -> None:
    """The profile never moves the sign-in address: that needs the password and a link."""
    if email.lower() != g.user.email.lower():
        raise accounts.AccountError(
            _(
                "To change your sign-in address, use Change email: it asks for your password"
                " and sends a confirmation link to the new address."
            )
        )


# ---- email change: password, then a signed link to the new address -----------------------

EMAIL_CHANGE_SALT = "talentmatch-email-change"
EMAIL_CHANGE_MAX_AGE = 24 * 3600


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(_l("New email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])


def _email_change_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=EMAIL_CHANGE_SALT)


@bp.route("/me/email", methods=["GET", "POST"])
@auth.worker_required
def change_email():
    """Same answer whether or not the new address is taken; its owner is told instead."""
    form = ChangeEmailForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            accounts.check_rate_limit(get_db(), "email_change", request.remote_addr)
            if not _password_matches(form.password.data):
                form.password.errors = [_("That is not your password.")]
            else:
                new_email = email_address({"email": form.new_email.data}, "email")
                _send_email_change_mail(new_email)
                return render_template("worker/change_email.html", form=form, sent_to=new_email)
        except (accounts.SignInThrottled, accounts.RateLimited) as limited:
            form.password.errors = [localized(limited)]
            status = 429
        except RowError as error:
            form.new_email.errors = [localized(error)]
    return render_template("worker/change_email.html", form=form), status


def _send_email_change_mail(new_email: str) -> None:
    """In the worker's language: the request's locale is their stored one."""
    settings = current_app.config["SETTINGS"]
    if accounts.find_user_by_email(get_db(), new_email) is not None:
        subject = _("Someone tried to use your address on talentmatch")
        sign_in_url = settings.base_url + "/sign-in"
        text = _(
            "Someone signed in to talentmatch asked to move their account to this address,"
            " which already has an account. Nothing was changed. If it was you, sign in with"
            " this address at %(url)s.",
            url=sign_in_url,
        )
    else:
        claim = {"user": g.user.id, "old": g.user.email, "new": new_email}
        token = _email_change_serializer().dumps(claim)
        subject = _("Confirm your new talentmatch address")
        confirm_url = f"{settings.base_url}/me/email/confirm/{token}"
        text = _(
            "Open this link within 24 hours to sign in to talentmatch with this address:\n"
            "%(url)s\n\nIf you did not ask, ignore this.",
            url=confirm_url,
        )
    text += "\n"
    try:
        send_notice(settings, new_email, subject, text)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("email change mail to %s not sent: %s", new_email, error)


@bp.route("/me/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    """A GET asks (mail scanners follow links); the POST moves the address."""
    try:
        claim = _email_change_serializer().loads(token, max_age=EMAIL_CHANGE_MAX_AGE)
    except BadSignature:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            accounts.change_email(get_db(), claim["user"], claim["old"], claim["new"])
        except accounts.AccountError as error:
            flash(localized(error), "error")
            return redirect(url_for("auth.sign_in"))
        flash(_("Your sign-in address is now %(email)s.", email=claim["new"]), "success")
        return redirect(url_for("auth.sign_in"))
    status = 400 if form.is_submitted() else 200
    page = render_template("worker/change_email.html", form=form, confirm=claim["new"])
    return page, status


def _plain(value) -> float | None:
    return None if value is None else float(value)


def _attach_row_error(form: FlaskForm, error: RowError) -> None:
    """Show a contract error next to its field (cities share one error under the fieldset)."""
    field = getattr(form, error.field, None)
    if error.field == "city_preferences":
        form.city_errors = [localized(error)]
    elif field is not None:
        field.errors = [*field.errors, localized(error)]
    else:
        form.form_errors.append(f"{error.field}: {localized(error)}")


@bp.route("/skills/suggest")
def skill_suggestions():
    """Type-ahead for the skills box (progressive enhancement; the form works without it)."""
    term = request.args.get("q", "")[:100]
    return jsonify({"query": term, "suggestions": suggest_skills(term, limit=8)})


# ---- email preferences -------------------------------------------------------------------


class EmailPreferencesForm(FlaskForm):
    match_emails = BooleanField(_l(CONSENT_WORDING))
    digest_frequency = RadioField(
        _l("How often"),
        choices=[SelectChoice(f, _l(FREQUENCY_LABELS[f])) for f in DIGEST_FREQUENCIES],
    )


@bp.route("/me/settings", methods=["GET", "POST"])
@auth.worker_required
def settings():
    current = email_preferences(get_db(), g.user.worker_id)
    form = EmailPreferencesForm(data=None if request.method == "POST" else current)
    if form.validate_on_submit():
        match_emails = bool(form.match_emails.data)
        save_email_preferences(
            get_db(),
            g.user.worker_id,
            match_emails=match_emails,
            frequency=form.digest_frequency.data,
            wording=CONSENT_WORDING if match_emails else WITHDRAWAL_WORDING,
        )
        flash(_("Email preferences saved."), "success")
        return redirect(url_for("worker_account.settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("worker/settings.html", form=form), status


# ---- my data and deletion ----------------------------------------------------------------


@bp.route("/me/data.json")
@auth.worker_required
def download_data():
    data = export_worker_data(get_db(), g.user.worker_id)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    name = f"talentmatch-{data['profile']['external_id']}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])


@bp.route("/me/delete", methods=["GET", "POST"])
@auth.worker_required
def delete_account():
    form = DeleteAccountForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            matches = _password_matches(form.password.data)
        except accounts.SignInThrottled as throttled:
            form.password.errors = [localized(throttled)]
            status = 429
        else:
            if matches:
                delete_worker_account(get_db(), g.user.worker_id)
                session.clear()
                flash(_("Your account and personal data were deleted."), "success")
                return redirect(url_for("auth.sign_in"))
            form.password.errors = [_("That is not your password.")]
    return render_template("worker/delete.html", form=form), status


def _password_matches(password: str) -> bool:
    """The signed-in user's password, checked (and throttled) exactly as sign-in checks it."""
    user = auth.check_password(g.user.email, password)
    return user is not None and user.id == g.user.id


# ---- resume upload and confirmation ---------------------------------------------------------

# The whole upload request: the largest resume file plus the form's other fields.
RESUME_REQUEST_BYTES = MAX_RESUME_BYTES + 256 * 1024
YEARS_SOURCE_LABELS = {
    "listed": _l("as you listed it on your profile"),
    YEARS_STATED: _l("stated in your resume"),
    YEARS_FROM_WORK_HISTORY: _l("from the dates of your work history"),
}


class ResumeUploadForm(FlaskForm):
    resume_file = FileField(_l("Resume file (PDF or DOCX)"))
    resume_text = TextAreaField(
        _l("Or paste your resume"), validators=[Optional(), Length(max=50_000)]
    )


class ResumeSkillRow(Form):
    """One skill read from the resume: keep it or not, and its years (blank: not stated)."""

    name = HiddenField()
    keep = BooleanField(default=True)
    years = DecimalField(places=None, validators=[Optional(), NumberRange(0, 60)])
    years_from = HiddenField()


class ResumeConfirmForm(FlaskForm):
    resume_text = HiddenField(validators=[DataRequired(), Length(max=50_000)])
    skills = FieldList(FormField(ResumeSkillRow), max_entries=300)
    years_experience = DecimalField(
        _l("Total years of professional experience"),
        places=None,
        validators=[Optional(), NumberRange(0, 60)],
    )
    education = SelectField(_l("Highest education"), choices=EDUCATION_CHOICES)

    def validate_skills(self, field) -> None:
        for row in field:
            if normalize_skill(row.form.name.data or "") is None:
                raise ValidationError(
                    _("Not a skill we know: %(terms)s.", terms=row.form.name.data)
                )


@bp.url_value_preprocessor
def _allow_resume_sized_uploads(endpoint: str | None, values: dict | None) -> None:
    """Let the upload page take a resume file (the app's 1 MB limit is for every other form).

    Runs before the CSRF check reads the form, which is where the limit is applied.
    """
    if endpoint == "worker_account.resume_upload":
        request.max_content_length = RESUME_REQUEST_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error: RequestEntityTooLarge):
    """An oversized upload is an error next to the file field, not a bare 413 page."""
    if request.endpoint != "worker_account.resume_upload":
        return render_template("error.html", error=error), 413
    form = ResumeUploadForm(formdata=None)
    limit = MAX_RESUME_BYTES // (1024 * 1024)
    form.resume_file.errors = [
        _("The file is larger than %(limit)s MB; upload a smaller one.", limit=limit)
    ]
    return render_template("worker/resume_upload.html", form=form, limit=limit), 413


@bp.route("/me/resume", methods=["GET", "POST"])
@auth.worker_required
def resume_upload():
    """Step 1: a file or pasted text; shows what was read in it. Nothing is saved here."""
    record = _signed_in_worker()
    form = ResumeUploadForm()
    limit = MAX_RESUME_BYTES // (1024 * 1024)
    if form.validate_on_submit():
        text = _resume_text_from_form(form)
        if text is not None:
            confirm = _confirm_form_for(parse_resume(text), text, record)
            return _render_confirm(confirm, 200)
    status = 400 if form.is_submitted() else 200
    return render_template("worker/resume_upload.html", form=form, limit=limit), status


@bp.route("/me/resume/confirm", methods=["POST"])
@auth.worker_required
def resume_confirm():
    """Step 2: the worker's corrections of what was read; saved only from here."""
    record = _signed_in_worker()
    form = ResumeConfirmForm()
    if form.validate_on_submit():
        try:
            _save_confirmed_resume(form, record)
        except RowError as error:
            _attach_row_error(form, error)
        else:
            flash(_("Resume saved: your skills and experience were updated."), "success")
            return redirect(url_for("worker_account.profile"))
    form.facts = parse_resume(form.resume_text.data or "")
    return _render_confirm(form, 400)


def _render_confirm(form: ResumeConfirmForm, status: int):
    page = render_template(
        "worker/resume_confirm.html", form=form, facts=form.facts, years_labels=YEARS_SOURCE_LABELS
    )
    return page, status


def _signed_in_worker() -> WorkerRecord:
    record = load_worker(get_db(), current_worker_external_id())
    if record is None:
        abort(404)
    return record


def _resume_text_from_form(form: ResumeUploadForm) -> str | None:
    """The uploaded file's text, else the pasted text; None (errors on the form) for neither."""
    upload = form.resume_file.data
    if upload and upload.filename:
        try:
            return resume_text_from_file(upload.read(), upload.filename)
        except ResumeFileError as error:
            reason = localized(error)
            form.resume_file.errors = [
                *form.resume_file.errors,
                f"{reason[:1].upper()}{reason[1:]}.",
            ]
            return None
    if (form.resume_text.data or "").strip():
        return form.resume_text.data
    form.resume_file.errors = [*form.resume_file.errors, _("Choose a file or paste your resume.")]
    return None


def _confirm_form_for(facts: ResumeFacts, text: str, record: WorkerRecord) -> ResumeConfirmForm:
    """The confirm step prefilled with what was read; years the worker listed win."""
    listed_years = {s.name: s.years for s in record.skills if s.source == "listed"}
    rows = []
    for skill in facts.skills:
        listed = listed_years.get(skill.name)
        years = skill.years if listed is None else listed
        source = skill.years_from if listed is None else "listed"
        rows.append(
            {"name": skill.name, "keep": True, "years": _shown_number(years), "years_from": source}
        )
    data = {
        "resume_text": text[:50_000],
        "skills": rows,
        "years_experience": _shown_number(
            facts.total_years if facts.total_years is not None else record.years_experience
        ),
        "education": facts.education or record.education or "",
    }
    form = ResumeConfirmForm(formdata=None, data=data)
    form.facts = facts
    return form


def _shown_number(value: float | None) -> Decimal | None:
    """A number as a person writes it (6, not 6.0), for a prefilled field."""
    return None if value is None else Decimal(f"{round(value, 1):g}")


def _save_confirmed_resume(form: ResumeConfirmForm, record: WorkerRecord) -> None:
    """The profile with the confirmed skills (and years), experience, education and resume."""
    row = worker_to_row(record)
    skills = {normalize_skill(_skill_item_name(item)): item for item in row["skills"]}
    for skill_row in form.skills:
        name = normalize_skill(skill_row.form.name.data)
        years = skill_row.form.years.data
        if skill_row.form.keep.data:
            skills[name] = name if years is None else {"name": name, "years": float(years)}
    row["skills"] = list(skills.values())
    row["resume_text"] = form.resume_text.data
    if form.years_experience.data is not None:
        row["years_experience"] = float(form.years_experience.data)
    row["education"] = form.education.data or record.education
    save_worker(get_db(), parse_worker(row), source="web")


def _skill_item_name(item: str | dict) -> str:
    return item["name"] if isinstance(item, dict) else item
