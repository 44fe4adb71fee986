"""Fixed vocabularies of the data contract (PRODUCT.md) and shared column names."""

from __future__ import annotations

from matcher.i18n import N_

CITIES: tuple[str, ...] = ("Toronto", "Vancouver", "Montreal")
REMOTE_POLICIES: tuple[str, ...] = ("onsite", "hybrid", "remote")
JOB_STATUSES: tuple[str, ...] = ("open", "closed")
EDUCATION_LEVELS: tuple[str, ...] = ("none", "secondary", "diploma", "bachelor", "master", "phd")
WORK_AUTHORIZATIONS: tuple[str, ...] = (
    "citizen",
    "permanent_resident",
    "open_work_permit",
    "employer_specific_permit",
    "needs_permit",
)
# How every page, form and email names each work authorization (pages translate it).
WORK_AUTHORIZATION_LABELS: dict[str, str] = {
    "citizen": N_("Canadian citizen"),
    "permanent_resident": N_("Permanent resident"),
    "open_work_permit": N_("Open work permit"),
    "employer_specific_permit": N_("Employer-specific permit"),
    "needs_permit": N_("Needs a permit"),
}
# The sign-up and profile choices, worded as people say them, each with the value it stores.
WORK_AUTHORIZATION_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("citizen", "citizen", N_("Canadian citizen")),
    ("permanent_resident", "permanent_resident", N_("Permanent resident of Canada")),
    (
        "open_work_permit",
        "open_work_permit",
        N_("Canadian open work permit (post-graduation, spousal, working holiday…)"),
    ),
    (
        "h1b_open_work_permit",
        "open_work_permit",
        N_("US H-1B holder with a Canadian open work permit"),
    ),
    (
        "employer_specific_permit",
        "employer_specific_permit",
        N_("Employer-specific work permit (tied to one employer)"),
    ),
    ("needs_permit", "needs_permit", N_("I will need a work permit")),
)
LANGUAGE_LEVEL_RANGE: tuple[int, int] = (0, 12)

# Hiring funnel stages, in the order a candidate moves through them.
STAGES: tuple[str, ...] = (
    "shown",
    "viewed",
    "shortlisted",
    "contacted",
    "interviewed",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
)
# Stages an employer records with the decision buttons and the API ("withdrawn": the worker
# withdrew, which the employer records).
DECISION_STAGES: tuple[str, ...] = (
    "shortlisted",
    "contacted",
    "interviewed",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
)
# Graded relevance of the furthest stage a pair reached; rejection and withdrawal
# keep the grade of the stage reached before them.
STAGE_RELEVANCE: dict[str, int] = {
    "shown": 0,
    "viewed": 0,
    "shortlisted": 1,
    "contacted": 1,
    "interviewed": 2,
    "offered": 3,
    "hired": 4,
}
TERMINAL_STAGES: tuple[str, ...] = ("rejected", "withdrawn")

DIGEST_FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "off")

# Column names shared by the evaluation code (query, item, score, relevance).
COL_QUERY = "job_id"
COL_ITEM = "worker_id"
COL_SCORE = "score"
COL_RELEVANCE = "relevance"
