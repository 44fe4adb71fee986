"""Transactional emails, rendered from their outbox row's facts just before they leave.

`contact_request` tells a worker an employer asked to contact them (with the message, a
link to the job and signed links to accept or decline), `contact_answer` tells the employer
user who asked what the worker answered, `employer_daily` tells an employer user how many
new strong matches their jobs have. Each is in its recipient's language and carries the
sending process's base URL (`Settings.base_url`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from sqlite_utils import Database

from matcher.fit import STRONG, Fit
from matcher.hiring.contact_requests import contact_request_facts
from matcher.i18n import (
    active_language,
    calendar_date,
    gettext,
    reading_language,
    user_language,
    worker_language,
)
from matcher.notifications import links, outbox
from matcher.notifications.outbox import OutboxMessage
from matcher.notifications.rendering import RenderedEmail as Rendered
from matcher.notifications.rendering import render_email
from matcher.presentation import fit_rule, fit_text
from matcher.records.jobs import job_heading, titles_in_language

MAX_JOBS_LISTED = 5  # jobs a daily employer email names; the rest are counted, with the jobs list


class NothingToSay(LookupError):
    """The facts the email was about are gone (a request deleted with its worker)."""


def render(db: Database, message: OutboxMessage, base_url: str, secret_key: str) -> Rendered:
    """The subject, text and HTML of a transactional outbox row."""
    if message.kind == outbox.CONTACT_REQUEST:
        return _contact_request(db, message, base_url, secret_key)
    if message.kind == outbox.CONTACT_ANSWER:
        return _contact_answer(db, message, base_url)
    if message.kind == outbox.EMPLOYER_DAILY:
        return _employer_daily(db, message, base_url)
    raise ValueError(f"not a transactional email kind: {message.kind!r}")


def _facts(db: Database, message: OutboxMessage) -> dict:
    facts = contact_request_facts(db, message.payload["request_id"])
    if facts is None:
        raise NothingToSay(f"contact request {message.payload['request_id']} is gone")
    return facts


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _contact_request(
    db: Database, message: OutboxMessage, base_url: str, secret_key: str
) -> Rendered:
    facts = _facts(db, message)
    issued_at = _parse_time(facts["created_at"])

    def answer_url(answer: str) -> str:
        return links.contact_answer_url(
            base_url, secret_key, facts["worker_id"], facts["id"], answer, issued_at=issued_at
        )

    language = worker_language(db, facts["worker_id"])
    titles = titles_in_language(db, [facts["job"]], language)
    facts = {**facts, "title": titles.get(facts["job"], facts["title"])}
    context = {
        "r": facts,
        "job_url": f"{base_url}/me/jobs/{quote(facts['job'], safe='')}",
        "accept_url": answer_url("accept"),
        "decline_url": answer_url("decline"),
        "requests_url": f"{base_url}/me/contact-requests",
        "expires_on": calendar_date((issued_at + links.CONTACT_LINK_LIFETIME).date(), language),
    }
    return render_email(outbox.CONTACT_REQUEST, language, context)


def _contact_answer(db: Database, message: OutboxMessage, base_url: str) -> Rendered:
    facts = _facts(db, message)
    if facts["status"] != "accepted":  # the name and email stay hidden
        facts = {**facts, "worker_name": None, "worker_email": None}
    job, worker = quote(facts["job"], safe=""), quote(facts["worker"], safe="")
    context = {"r": facts, "candidate_url": f"{base_url}/jobs/{job}/candidates/{worker}"}
    return render_email(outbox.CONTACT_ANSWER, user_language(db, message.user_id), context)


def _employer_daily(db: Database, message: OutboxMessage, base_url: str) -> Rendered:
    """The count line, then at most `MAX_JOBS_LISTED` jobs with their best few candidates."""
    language = user_language(db, message.user_id)
    jobs = []
    for entry in message.payload["jobs"]:
        heading = job_heading(db, entry["job_id"])
        if heading is None:
            continue
        job = quote(heading["external_id"], safe="")
        with reading_language(language):
            top = [_named_candidate(base_url, job, entry) for entry in entry.get("top", ())]
        count = len(entry["worker_ids"])
        jobs.append(
            {
                "title": heading["title"],
                "city": heading["city"],
                "count": count,
                "top": top,
                "more": count - len(top) if top else 0,
                "shortlist_url": f"{base_url}/jobs/{job}/shortlist",
            }
        )
    if not jobs:
        raise NothingToSay("the jobs of this notification are gone")
    with reading_language(language):
        strong_rule = fit_rule(STRONG)
    listed = jobs[:MAX_JOBS_LISTED]
    context = {
        "jobs": listed,
        "job_count": len(jobs),
        "more_jobs": len(jobs) - len(listed),
        "more_jobs_matches": sum(job["count"] for job in jobs[len(listed) :]),
        "total": sum(job["count"] for job in jobs),
        "strong_rule": strong_rule,
        "jobs_url": f"{base_url}/jobs",
        "settings_url": f"{base_url}/jobs#strong-match-emails",
    }
    return render_email(outbox.EMPLOYER_DAILY, language, context)


def _named_candidate(base_url: str, job: str, entry: dict) -> dict:
    """One named candidate of the email: blind id, fit and required skills, with its link."""
    return {
        "worker": entry["worker"],
        "fit": fit_text(Fit(STRONG, int(entry["percentile"]))),
        "skills": _skills_text(entry),
        "url": f"{base_url}/jobs/{job}/candidates/{quote(entry['worker'], safe='')}",
    }


def _skills_text(entry: dict) -> str:
    """ "2 of 2 required: ✓ Python ✓ SQL + Django", as the shortlist words it."""
    language = active_language()
    matched, missing = entry.get("matched_skills", []), entry.get("missing_skills", [])
    marks = [("✓", s) for s in matched] + [("✗", s) for s in missing]
    marks += [("+", s) for s in entry.get("matched_nice_to_have_skills", [])]
    if language == "en":
        name = str
    else:  # the French names load the vocabulary
        from matcher.skills import skill_display_name

        def name(skill: str) -> str:
            return skill_display_name(skill, language)

    tags = " ".join(f"{mark} {name(skill)}" for mark, skill in marks)
    required = len(matched) + len(missing)
    if not required:
        counts = gettext("none required")
    else:
        counts = gettext("%(held)d of %(required)d required", held=len(matched), required=required)
    return f"{counts}: {tags}" if tags else counts
