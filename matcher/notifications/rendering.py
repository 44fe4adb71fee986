"""Rendering emails as multipart bodies: plain text and HTML (autoescaped), in a language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from babel.numbers import format_decimal

from matcher.i18n import DEFAULT_LANGUAGE, reading_language, translations_for
from matcher.i18n.words import CITY_LABELS, install_eliding_gettext
from matcher.notifications import links
from matcher.notifications.digest import Digest, DigestJob
from matcher.presentation import fit_html, fit_legend, item_html, item_text, percentile_legend

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


RenderedDigest = RenderedEmail


@cache
def _environment(autoescape: bool, language: str = DEFAULT_LANGUAGE) -> jinja2.Environment:
    """Email templates in `language`: `{{ _("...") }}` reads the pages' gettext catalogs."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    translations = translations_for(language)
    environment.install_gettext_translations(translations, newstyle=True)
    install_eliding_gettext(environment, translations.gettext, translations.ngettext)
    # The one presenter's words: the same on the worker's matches page.
    environment.filters.update(item_text=item_text, item_html=item_html, fit_html=fit_html)
    environment.filters["format_number"] = lambda value: format_decimal(value, locale=language)
    environment.filters["city_name"] = lambda city: (
        translations.gettext(CITY_LABELS[city]) if city in CITY_LABELS else city
    )
    with reading_language(language):
        environment.globals.update(fit_legend=fit_legend(), percentile_legend=percentile_legend())
    return environment


def digest_subject(digest: Digest, language: str = DEFAULT_LANGUAGE) -> str:
    """The subject line in `language`: how many jobs and the best one."""
    gettext = translations_for(language).gettext
    best = digest.jobs[0]
    facts = {"title": best.title, "employer": best.employer, "count": len(digest.jobs)}
    if len(digest.jobs) == 1:
        return gettext("A job that fits you: %(title)s at %(employer)s") % facts
    return gettext("%(count)s jobs that fit you, starting with %(title)s at %(employer)s") % facts


def _job_links(base_url: str, secret_key: str, worker_id: int, job: DigestJob) -> dict[str, str]:
    """A job's links: its page (plain, behind sign-in) and the signed one-click answers."""
    return {
        "page": links.job_page_url(base_url, job.external_id),
        "interested": links.interest_url(
            base_url, secret_key, worker_id, job.job_id, links.INTERESTED
        ),
        "not_for_me": links.interest_url(
            base_url, secret_key, worker_id, job.job_id, links.NOT_FOR_ME
        ),
        "not_relevant": links.not_relevant_url(base_url, secret_key, worker_id, job.job_id),
    }


def render_digest(
    digest: Digest, *, base_url: str, secret_key: str, language: str = DEFAULT_LANGUAGE
) -> RenderedDigest:
    """The subject, text and HTML of `digest` in `language`, with its signed links."""
    subject = digest_subject(digest, language)
    job_links = {
        job.job_id: _job_links(base_url, secret_key, digest.worker_id, job) for job in digest.jobs
    }
    context = {
        "digest": digest,
        "subject": subject,
        "language": language,
        "sign_in_url": links.sign_in_url(base_url),
        "unsubscribe_url": links.unsubscribe_url(base_url, secret_key, digest.worker_id),
        "job_links": job_links,
        "not_relevant_urls": {job_id: urls["not_relevant"] for job_id, urls in job_links.items()},
    }
    # The presenter's filters (reasons, fit bands) read the active language.
    with reading_language(language):
        text = _environment(False, language).get_template("digest.txt").render(context)
        html = _environment(True, language).get_template("digest.html").render(context)
    return RenderedDigest(subject, text, html)


def render_email(name: str, language: str, context: dict) -> RenderedEmail:
    """Templates `name.subject.txt`, `name.txt` and `name.html` in `language`."""
    context = {"language": language, **context}
    with reading_language(language):
        subject_template = _environment(False, language).get_template(f"{name}.subject.txt")
        context["subject"] = " ".join(subject_template.render(context).split())
        text = _environment(False, language).get_template(f"{name}.txt").render(context)
        html = _environment(True, language).get_template(f"{name}.html").render(context)
    return RenderedEmail(context["subject"], text, html)
