"""The hiring pipeline: each candidate's current stage per job, and the one state machine.

A candidate's stage is derived from the append-only outcome events: the latest decision
event (shortlisted ... withdrawn) wins; `shown`/`viewed` events alone make a candidate `new`.

The state machine governs decisions made through the pages and the API
(`decisions.record_decision`); `talentmatch import outcomes` takes history as it happened.

    new          -> shortlisted, contacted, rejected
    shortlisted  -> contacted, rejected
    contacted    -> interviewed (only once the worker accepted the contact request), rejected
    interviewed  -> offered, rejected
    offered      -> hired, rejected
    hired        -> nothing: a hire is final (a hire that fell through is imported history)
    rejected     -> shortlisted (reconsidered)
    withdrawn    -> shortlisted (the worker came back)

Every open stage may also end in `withdrawn`: the worker's choice, which the employer records
on the pages or the API (or import brings in).
Recording the stage a candidate is already in is not a transition and adds no event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from matcher.constants import DECISION_STAGES
from matcher.i18n import N_, Term


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: its key, how people read it, and whether it is still open."""

    key: str
    label: str
    description: str
    is_open: bool = True


PIPELINE_STAGES: tuple[Stage, ...] = (
    Stage("new", N_("New"), "Shown or viewed, no decision yet."),
    Stage("shortlisted", N_("Shortlisted"), "Kept for a closer look."),
    Stage("contacted", N_("Contacted"), "A contact request was sent."),
    Stage("interviewed", N_("Interviewed"), "Interviewed after accepting contact."),
    Stage("offered", N_("Offered"), "An offer was made."),
    Stage("hired", N_("Hired"), "Hired: final.", is_open=False),
    Stage("rejected", N_("Rejected"), "Not going further.", is_open=False),
    Stage("withdrawn", N_("Withdrawn"), "The worker withdrew.", is_open=False),
)
STAGE_BY_KEY: dict[str, Stage] = {stage.key: stage for stage in PIPELINE_STAGES}
PIPELINE_STAGE_KEYS: tuple[str, ...] = tuple(stage.key for stage in PIPELINE_STAGES)
# Outcome stages that place a candidate in the pipeline without a decision.
NEW_EVENT_STAGES: tuple[str, ...] = ("shown", "viewed")
HIRED_IS_FINAL = "hired_is_final"


@dataclass(frozen=True)
class Rule:
    """The one rule that allows moving into `target`: from which stages, on what condition."""

    name: str
    target: str
    sources: tuple[str, ...]
    description: str
    needs_accepted_contact: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "shortlist_new_or_reconsidered",
        "shortlisted",
        ("new", "rejected", "withdrawn"),
        N_("Shortlisted: a new candidate, or a rejected or withdrawn one reconsidered."),
    ),
    Rule(
        "contact_before_interview",
        "contacted",
        ("new", "shortlisted"),
        N_("Contacted: a new or shortlisted candidate."),
    ),
    Rule(
        "interview_after_accepted_contact",
        "interviewed",
        ("contacted",),
        N_("Interviewed: only after contacted and the worker accepted the contact request."),
        needs_accepted_contact=True,
    ),
    Rule(
        "offer_after_interview", "offered", ("interviewed",), N_("Offered: only after interviewed.")
    ),
    Rule("hire_after_offer", "hired", ("offered",), N_("Hired: only after offered.")),
    Rule(
        "reject_open_candidate",
        "rejected",
        ("new", "shortlisted", "contacted", "interviewed", "offered"),
        N_("Rejected: from any open stage (not after a hire)."),
    ),
    Rule(
        "withdraw_open_candidate",
        "withdrawn",
        ("new", "shortlisted", "contacted", "interviewed", "offered"),
        N_("Withdrawn: from any open stage (not after a hire)."),
    ),
)
RULE_BY_TARGET: dict[str, Rule] = {rule.target: rule for rule in RULES}
RULE_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


class TransitionRefused(ValueError):
    """The state machine does not allow this decision now; `rule` names the rule that refuses."""

    def __init__(
        self, rule: str, message: str, current: str, requested: str, /, **values: object
    ) -> None:
        super().__init__(message % values if values else message)
        self.rule = rule
        self.message = str(self)  # English, as the API answers it
        self.msgid = message  # and its words for pages: `matcher.i18n.localized(refused)`
        self.values = values
        self.current = current
        self.requested = requested


@dataclass(frozen=True)
class CandidateStage:
    """Where a candidate stands on a job: the stage, since when, and the contact answer."""

    worker: str
    stage: str
    since: str
    contact_status: str | None = None

    @property
    def label(self) -> str:
        return STAGE_BY_KEY[self.stage].label


def stage_label(key: str) -> str:
    """The words for a stage key, on every page, CSV and email."""
    return STAGE_BY_KEY[key].label


def refusal(current: str, requested: str, contact_status: str | None) -> TransitionRefused | None:
    """Why moving from `current` to `requested` is refused, or None when it is allowed."""
    if current == "hired":
        return TransitionRefused(
            HIRED_IS_FINAL,
            N_("Hired is final: nothing can be recorded after a hire."),
            "hired",
            requested,
        )
    rule = RULE_BY_TARGET.get(requested)
    if rule is None:
        raise ValueError(f"not a pipeline stage: {requested!r}")
    if current not in rule.sources:
        now = Term(stage_label(current), lower=True)
        message = N_("%(rule)s This candidate is %(stage)s.")
        return TransitionRefused(
            rule.name, message, current, requested, rule=Term(rule.description), stage=now
        )
    if rule.needs_accepted_contact and contact_status != "accepted":
        answer = Term(contact_status or N_("not sent"))
        message = N_("%(rule)s The contact request is %(status)s.")
        return TransitionRefused(
            rule.name, message, current, requested, rule=Term(rule.description), status=answer
        )
    return None


def allowed_decisions(current: str, contact_status: str | None) -> list[str]:
    """The decision stages an employer may record next, in funnel order."""
    return [
        stage
        for stage in DECISION_STAGES
        if stage != current and refusal(current, stage, contact_status) is None
    ]


def current_stage(events: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(stage, since) from a candidate's (stage, at) events in time order; None without any."""
    stage: tuple[str, str] | None = None
    for event_stage, at in events:
        if event_stage in STAGE_BY_KEY:
            stage = (event_stage, at)
        elif event_stage in NEW_EVENT_STAGES and stage is None:
            stage = ("new", at)
    return stage


def _current_stages(db: Database, job_id: int, worker_column: str) -> dict:
    """(stage, since) of every candidate with an outcome event on the job, by `worker_column`."""
    rows = db.execute(
        f"""SELECT w.{worker_column}, o.stage, o.at FROM outcomes o
            JOIN workers w ON w.id = o.worker_id
            WHERE o.job_id = ? ORDER BY o.at, o.id""",
        [job_id],
    ).fetchall()
    events: dict = {}
    for worker, stage, at in rows:
        events.setdefault(worker, []).append((stage, at))
    found = {worker: current_stage(worker_events) for worker, worker_events in events.items()}
    return {worker: stage for worker, stage in found.items() if stage is not None}


def pipeline_stages(db: Database, job_id: int) -> dict[str, CandidateStage]:
    """Every candidate with an outcome event on the job, by worker external id."""
    contacts = _contact_statuses(db, job_id)
    return {
        worker: CandidateStage(worker, stage, since, contacts.get(worker))
        for worker, (stage, since) in _current_stages(db, job_id, "external_id").items()
    }


def stages_by_worker_id(db: Database, job_id: int) -> dict[int, str]:
    """The current stage of every candidate with an outcome event, by internal worker id."""
    return {worker: stage for worker, (stage, _) in _current_stages(db, job_id, "id").items()}


def outcomes_version(db: Database, job_id: int) -> tuple[int, int]:
    """A version of the job's outcome events (append-only: their count and newest id)."""
    count, newest = db.execute(
        "SELECT count(*), coalesce(max(id), 0) FROM outcomes WHERE job_id = ?", [job_id]
    ).fetchone()
    return int(count), int(newest)


def candidate_stage(db: Database, job_id: int, worker_id: int) -> CandidateStage:
    """One candidate's stage on the job (`new` when nothing happened yet)."""
    rows = db.execute(
        "SELECT stage, at FROM outcomes WHERE job_id = ? AND worker_id = ? ORDER BY at, id",
        [job_id, worker_id],
    ).fetchall()
    external_id, contact = db.execute(
        """SELECT w.external_id, c.status FROM workers w
           LEFT JOIN contact_requests c ON c.worker_id = w.id AND c.job_id = ?
           WHERE w.id = ?""",
        [job_id, worker_id],
    ).fetchone()
    stage, since = current_stage([tuple(row) for row in rows]) or ("new", "")
    return CandidateStage(external_id, stage, since, contact)


def _contact_statuses(db: Database, job_id: int) -> dict[str, str]:
    rows = db.execute(
        """SELECT w.external_id, c.status FROM contact_requests c
           JOIN workers w ON w.id = c.worker_id WHERE c.job_id = ?""",
        [job_id],
    )
    return dict(rows.fetchall())


def stage_counts(stages: dict[str, CandidateStage]) -> dict[str, int]:
    """How many candidates are in each pipeline stage, every stage present."""
    counts = dict.fromkeys(PIPELINE_STAGE_KEYS, 0)
    for candidate in stages.values():
        counts[candidate.stage] += 1
    return counts


def pipeline_json(job_external_id: str, stages: dict[str, CandidateStage]) -> dict:
    """PRODUCT.md's pipeline shape: counts per stage and each candidate's stage since when."""
    ordered = sorted(
        stages.values(), key=lambda c: (PIPELINE_STAGE_KEYS.index(c.stage), c.since, c.worker)
    )
    return {
        "job": job_external_id,
        "stages": stage_counts(stages),
        "candidates": [
            {"worker": c.worker, "stage": c.stage, "since": c.since, "contact": c.contact_status}
            for c in ordered
        ],
    }
