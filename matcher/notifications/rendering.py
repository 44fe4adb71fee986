"""Rendering a digest as a multipart email body: plain text and HTML (autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from matcher.i18n import DEFAULT_LANGUAGE, reading_language, translations_for
from matcher.notifications import links
from matcher.notifications.digest import Digest
from matcher.presentation import fit_html, fit_legend, item_html, item_text, percentile_legend

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


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
    environment.install_gettext_translations(translations_for(language), newstyle=True)
    # The one presenter's words: the same on the worker's matches page.
    environment.filters.update(item_text=item_text, item_html=item_html, fit_html=fit_html)
    with reading_language(language):
        environment.globals.update(fit_legend=fit_legend(), percentile_legend=percentile_legend())
    return environment


def digest_subject(digest: Digest) -> str:
    """The subject line: how many jobs and the best one."""
    best = digest.jobs[0]
    if len(digest.jobs) == 1:
        return f"A job that fits you: {best.title} at {best.employer}"
    return f"{len(digest.jobs)} jobs that fit you, starting with {best.title} at {best.employer}"


def render_digest(digest: Digest, *, base_url: str, secret_key: str) -> RenderedDigest:
    """The subject, text and HTML of `digest`, with signed unsubscribe and feedback links."""
    subject = digest_subject(digest)
    context = {
        "digest": digest,
        "subject": subject,
        "unsubscribe_url": links.unsubscribe_url(base_url, secret_key, digest.worker_id),
        "not_relevant_urls": {
            job.job_id: links.not_relevant_url(base_url, secret_key, digest.worker_id, job.job_id)
            for job in digest.jobs
        },
    }
    text = _environment(False).get_template("digest.txt").render(context)
    html = _environment(True).get_template("digest.html").render(context)
    return RenderedDigest(subject, text, html)
