"""Permit timeline: the earliest date a worker could start a given job in Canada.

From the worker's work authorization and `available_from`, and the job's occupation (which
decides the employer's usual pathway), an estimate of the earliest feasible start, the
pathway it assumes and that pathway's typical processing time. Every figure is a typical
published processing standard or average, kept in this module only and documented with its
public source in `docs/PERMIT_TIMELINE.md`; none of it is legal advice.

Shown to workers (job page) and employers (candidate page) and used by the shortlist's
"can start by" filter. Work authorization is never a ranking feature: nothing here feeds
`matcher.features`. Pure Python at import, so every surface can import it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matcher.i18n import N_

# Authorizations that let the worker start any job on their available date.
NO_NEW_PERMIT: frozenset[str] = frozenset({"citizen", "permanent_resident", "open_work_permit"})
# An employer-specific permit is tied to another employer: a new job needs a new permit.
NEEDS_NEW_PERMIT: frozenset[str] = frozenset({"employer_specific_permit", "needs_permit"})


@dataclass(frozen=True)
class Pathway:
    """How a worker gets permission to work a job, and its typical processing time."""

    key: str
    label: str  # marked with N_: translated when shown
    lmia_business_days: int  # ESDC's Labour Market Impact Assessment
    permit_business_days: int  # IRCC's work permit, once the LMIA is positive
    source: str  # where the figures come from (docs/PERMIT_TIMELINE.md has the pages)

    @property
    def business_days(self) -> int:
        return self.lmia_business_days + self.permit_business_days

    @property
    def typical_weeks(self) -> int:
        """The whole pathway in weeks (5 business days each), rounded up."""
        return -(-self.business_days // 5)


# The constants of the timeline; docs/PERMIT_TIMELINE.md cites each.
NO_PERMIT_NEEDED = Pathway(
    "none", N_("No new permit needed"), 0, 0, "the worker's status already allows the work"
)
GLOBAL_TALENT_STREAM = Pathway(
    "global_talent_stream",
    N_("Global Talent Stream (LMIA, then a work permit)"),
    10,  # ESDC's service standard for GTS LMIAs: 10 business days
    10,  # IRCC's Global Skills Strategy standard: two weeks for the work permit
    "ESDC GTS service standard; IRCC Global Skills Strategy two-week processing",
)
HIGH_WAGE_LMIA = Pathway(
    "high_wage_lmia",
    N_("Regular high-wage LMIA, then a work permit"),
    45,  # ESDC's published high-wage averages ran about 40 to 66 business days (2023-24)
    40,  # an LMIA-based work permit from outside Canada: about 8 weeks, varying by country
    "ESDC LMIA processing times (high-wage stream); IRCC processing times tool",
)
# NOC 2021 unit groups of ESDC's Global Talent Occupations List (Category B).
GLOBAL_TALENT_NOC_CODES: frozenset[str] = frozenset(
    {
        "20012",  # computer and information systems managers
        "21210",  # mathematicians and statisticians (not actuaries)
        "21211",  # data scientists
        "21220",  # cybersecurity specialists
        "21221",  # business systems specialists
        "21222",  # information systems specialists
        "21223",  # database analysts and data administrators
        "21230",  # computer systems developers and programmers
        "21231",  # software engineers and designers
        "21232",  # software developers and programmers
        "21233",  # web designers
        "21234",  # web developers and programmers
        "21300",  # civil engineers
        "21310",  # electrical and electronics engineers
        "21311",  # computer engineers (except software)
        "21330",  # mining engineers
        "21390",  # aerospace engineers
        "22220",  # computer network and web technicians
        "22222",  # information systems testing technicians
        "22310",  # electrical and electronics engineering technologists and technicians
    }
)


@dataclass(frozen=True)
class StartEstimate:
    """The earliest feasible start, the pathway it assumes and the date the worker is free."""

    earliest_start: dt.date
    pathway: Pathway
    available_from: dt.date | None

    @property
    def needs_permit(self) -> bool:
        return self.pathway is not NO_PERMIT_NEEDED

    def to_json(self) -> dict:
        return {
            "earliest_start": self.earliest_start.isoformat(),
            "pathway": self.pathway.key,
            "typical_weeks": self.pathway.typical_weeks,
        }


def add_business_days(start: dt.date, days: int) -> dt.date:
    """`days` business days after `start`, skipping weekends (not public holidays)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def job_noc(occupation_code: str | None) -> str | None:
    """The NOC 2021 unit group of a job's O*NET-SOC occupation, when the titles file maps it."""
    if not occupation_code:
        return None
    from matcher.occupations import load_titles  # numpy: kept off the command line's start-up

    return load_titles().noc_of(occupation_code)


def pathway_for_job(occupation_code: str | None) -> Pathway:
    """The employer's usual pathway for a worker who needs a permit for this job.

    An occupation on the Global Talent Occupations List goes through the Global Talent
    Stream; any other through a regular high-wage LMIA (the posting's wage floors are not
    checked: see docs/PERMIT_TIMELINE.md).
    """
    if job_noc(occupation_code) in GLOBAL_TALENT_NOC_CODES:
        return GLOBAL_TALENT_STREAM
    return HIGH_WAGE_LMIA


def pathway_for(work_authorization: str, occupation_code: str | None) -> Pathway | None:
    """The pathway this worker takes to this job; None for an unknown authorization."""
    if work_authorization in NO_NEW_PERMIT:
        return NO_PERMIT_NEEDED
    if work_authorization in NEEDS_NEW_PERMIT:
        return pathway_for_job(occupation_code)
    return None


def permit_ready(pathway: Pathway, today: dt.date) -> dt.date:
    """When a permit applied for `today` through `pathway` typically arrives."""
    return add_business_days(today, pathway.business_days)


def earliest_start(
    work_authorization: str,
    available_from: dt.date | None,
    occupation_code: str | None,
    *,
    today: dt.date,
) -> StartEstimate | None:
    """The earliest feasible start for this worker and job, applying for a permit `today`.

    No permit needed: the available date (today when none is given or it has passed).
    A permit needed: the later of that and the pathway's typical processing from today.
    None when the authorization is not one the product knows.
    """
    pathway = pathway_for(work_authorization, occupation_code)
    if pathway is None:
        return None
    free = max(available_from or today, today)
    start = max(free, permit_ready(pathway, today)) if pathway.business_days else free
    return StartEstimate(start, pathway, available_from)


def parse_start_date(value: str | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) or None when empty; ValueError says what is wrong."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not a date (YYYY-MM-DD)") from None
