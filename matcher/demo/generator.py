"""Generating the demo data set: workers, jobs, candidate pools, outcomes and the truth.

`generate_demo` is pure (seed in, rows out); `build_demo` writes its rows through the real
import path. Each part draws from its own random stream, so the audit attributes are
independent of everything the hiring process sees.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from matcher.constants import CITIES
from matcher.demo import hiring_process, texts
from matcher.demo.profiles import (
    AVAILABILITY_DAYS,
    CITY_COUNT_WEIGHTS,
    CITY_SALARY_FACTOR,
    COMMON_SKILL_SHARE,
    CORE_SKILL_SHARE,
    EDUCATION_WEIGHTS,
    EMPLOYER_PREFIXES,
    EMPLOYER_SUFFIXES,
    ENGLISH_LEVEL_WEIGHTS,
    ENGLISH_LEVELS,
    FIRST_CHOICE_WEIGHTS,
    FIRST_NAMES,
    FRENCH_LEVEL_WEIGHTS,
    FRENCH_LEVELS,
    GENERAL_SKILL_SHARE,
    GENERAL_SKILLS,
    JOB_CITY_WEIGHTS,
    JOB_FRENCH_LEVELS,
    JOB_FRENCH_WEIGHTS,
    JOB_SENIORITY_WEIGHTS,
    LAST_NAMES,
    MATCH_EMAILS_SHARE,
    RELATED_ROLE_SHARE,
    RELATED_SKILL_SHARE,
    REMOTE_WEIGHTS,
    ROLE_KEYS,
    ROLE_WEIGHTS,
    ROLES,
    SENIORITIES,
    WORK_AUTHORIZATION_WEIGHTS,
    WORKER_OPEN_TO_REMOTE_SHARE,
    all_demo_skills,
)

SKILLS: tuple[str, ...] = all_demo_skills()
SKILL_INDEX: dict[str, int] = {name: index for index, name in enumerate(SKILLS)}

POOL_SIZE_RANGE = (30, 80)
# Where a job's candidate pool comes from, like a real search: the role family in the job's
# city, the role family anywhere, anyone.
POOL_SHARES = (0.45, 0.25, 0.30)
# New postings nobody has been shown yet, so the live service has fresh jobs to match.
FRESH_JOB_SHARE = 0.10
FRESH_JOB_MAX_AGE_DAYS = 14
POSTING_WINDOW_DAYS = 165
CLOSED_AFTER_DAYS = 160

AUDIT_GENDERS = {"woman": 0.34, "man": 0.56, "non_binary": 0.03, "undisclosed": 0.07}
AUDIT_AGE_BANDS = {"18-24": 0.05, "25-34": 0.45, "35-44": 0.32, "45-54": 0.13, "55+": 0.05}
AUDIT_RESPONSE_SHARE = 0.85  # workers who chose to self-identify at all


@dataclass(frozen=True)
class WorkerSample:
    """The generated workers as arrays, one row per worker."""

    external_ids: list[str]
    names: list[str]
    role: np.ndarray
    years: np.ndarray
    skills: np.ndarray  # bool (workers, len(SKILLS))
    skill_years: np.ndarray
    city_rank: np.ndarray  # (workers, 3): rank of each of CITIES, 0 when not listed
    open_to_remote: np.ndarray
    french_level: np.ndarray
    english_level: np.ndarray
    salary_expectation: np.ndarray
    work_authorization: np.ndarray
    available_day: np.ndarray  # days after the as-of date
    education: np.ndarray
    match_emails: np.ndarray


@dataclass(frozen=True)
class JobSample:
    """The generated jobs as arrays, one row per job."""

    external_ids: list[str]
    employer: list[str]
    role: np.ndarray
    seniority: np.ndarray
    city: np.ndarray  # index into CITIES
    remote: np.ndarray
    min_years: np.ndarray
    salary_min: np.ndarray
    salary_max: np.ndarray
    french_required: np.ndarray
    posted_day: np.ndarray  # days after the as-of date (negative: in the past)
    fresh: np.ndarray
    required: np.ndarray  # bool (jobs, len(SKILLS))
    nice: np.ndarray


@dataclass(frozen=True)
class DemoDataset:
    """Everything the demo writes, as contract rows plus the truth and the audit attributes."""

    seed: int
    as_of: dt.date
    employers: list[str]
    workers: list[dict]
    jobs: list[dict]
    outcomes: list[dict]
    true_probabilities: list[tuple[str, str, float]]  # (job external id, worker external id, p)
    audit_attributes: list[tuple[str, str, str]]  # (worker external id, attribute, value)
    # (job external id, worker external id, "interested" | "not_for_me", ISO UTC time)
    interest: list[tuple[str, str, str, str]] = field(default_factory=list)


def generate_demo(*, workers: int, jobs: int, seed: int, as_of: dt.date) -> DemoDataset:
    """The whole demo data set for `seed`, with every date relative to `as_of`."""
    if workers < 1 or jobs < 1:
        raise ValueError("the demo needs at least one worker and one job")
    # Spawned children depend only on their position: a seventh stream (interest) leaves the
    # first six, and so every other draw, as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    worker_rng, job_rng, pool_rng, funnel_rng, audit_rng, text_rng, interest_rng = streams
    worker_sample = generate_workers(worker_rng, workers)
    employers = employer_names(job_rng, jobs)
    job_sample = generate_jobs(job_rng, jobs, employers)
    job_index, worker_index = draw_candidate_pools(pool_rng, worker_sample, job_sample)
    fit = pair_fit(worker_sample, job_sample, job_index, worker_index)
    latent_employer, latent_worker = hiring_process.draw_latent(funnel_rng, job_index.size)
    step_probs = hiring_process.step_probabilities(fit, latent_employer, latent_worker)
    events = hiring_process.simulate_funnel(step_probs, funnel_rng)
    truth = hiring_process.hire_probability(step_probs)
    answers = hiring_process.draw_interest(fit, latent_worker, events, interest_rng)
    return DemoDataset(
        seed=seed,
        as_of=as_of,
        employers=sorted(set(job_sample.employer)),
        workers=worker_rows(worker_sample, as_of, text_rng),
        jobs=job_rows(job_sample, as_of, text_rng),
        outcomes=outcome_rows(events, job_sample, worker_sample, job_index, worker_index, as_of),
        true_probabilities=[
            (job_sample.external_ids[j], worker_sample.external_ids[w], round(float(p), 6))
            for j, w, p in zip(
                job_index.tolist(), worker_index.tolist(), truth.tolist(), strict=True
            )
        ],
        audit_attributes=audit_attribute_rows(audit_rng, worker_sample.external_ids),
        interest=interest_rows(answers, job_sample, worker_sample, job_index, worker_index, as_of),
    )


# --- workers ---------------------------------------------------------------------------------


def generate_workers(rng: np.random.Generator, count: int) -> WorkerSample:
    """Workers with role-shaped skills, ranked cities, French by city, pay by seniority."""
    role = rng.choice(len(ROLES), size=count, p=ROLE_WEIGHTS)
    years = np.round(np.clip(rng.gamma(2.0, 3.2, count) + 0.5, 0.5, 30) * 2) / 2
    skills = _worker_skills(rng, role)
    skill_years = np.where(skills, _skill_years(rng, years, skills.shape[1]), 0.0)
    city_rank = _city_ranks(rng, count)
    authorization = _choice(rng, WORK_AUTHORIZATION_WEIGHTS, count)
    return WorkerSample(
        external_ids=[f"W{i + 1:06d}" for i in range(count)],
        names=[
            f"{FIRST_NAMES[f]} {LAST_NAMES[last]}"
            for f, last in zip(
                rng.integers(len(FIRST_NAMES), size=count).tolist(),
                rng.integers(len(LAST_NAMES), size=count).tolist(),
                strict=True,
            )
        ],
        role=role,
        years=years,
        skills=skills,
        skill_years=skill_years,
        city_rank=city_rank,
        open_to_remote=rng.random(count) < WORKER_OPEN_TO_REMOTE_SHARE,
        french_level=_french_levels(rng, city_rank),
        english_level=rng.choice(ENGLISH_LEVELS, size=count, p=ENGLISH_LEVEL_WEIGHTS),
        salary_expectation=_salary_expectations(rng, role, years, city_rank),
        work_authorization=authorization,
        available_day=_available_days(rng, authorization),
        education=_choice(rng, EDUCATION_WEIGHTS, count),
        match_emails=rng.random(count) < MATCH_EMAILS_SHARE,
    )


def _worker_skills(rng: np.random.Generator, role: np.ndarray) -> np.ndarray:
    """Each role's core and common skills with their shares, a related role's core sometimes."""
    own = np.stack([_role_skill_shares(r) for r in range(len(ROLES))])
    related_core = np.stack([_related_core_shares(r) for r in range(len(ROLES))])
    shares = own[role]
    picked_related = (
        rng.integers(0, 1 << 16, role.size) % np.array([len(r.related_roles) for r in ROLES])[role]
    )
    has_related = rng.random(role.size) < RELATED_ROLE_SHARE
    related_role = np.array(
        [
            ROLE_KEYS.index(ROLES[r].related_roles[k])
            for r, k in zip(role, picked_related, strict=True)
        ],
        dtype=int,
    ).reshape(-1)
    shares = np.where(has_related[:, None], np.maximum(shares, related_core[related_role]), shares)
    skills = rng.random(shares.shape) < shares
    # Everyone lists at least one core skill of their role.
    core_pick = rng.integers(0, 1 << 16, role.size)
    for r, profile in enumerate(ROLES):
        rows = np.flatnonzero(role == r)
        columns = [SKILL_INDEX[s] for s in profile.core_skills]
        skills[rows, np.array(columns)[core_pick[rows] % len(columns)]] = True
    return skills


def _role_skill_shares(role: int) -> np.ndarray:
    shares = np.zeros(len(SKILLS))
    for skill in GENERAL_SKILLS:
        shares[SKILL_INDEX[skill]] = GENERAL_SKILL_SHARE
    for skill in ROLES[role].common_skills:
        shares[SKILL_INDEX[skill]] = COMMON_SKILL_SHARE
    for skill in ROLES[role].core_skills:
        shares[SKILL_INDEX[skill]] = CORE_SKILL_SHARE
    return shares


def _related_core_shares(role: int) -> np.ndarray:
    shares = np.zeros(len(SKILLS))
    for skill in ROLES[role].core_skills:
        shares[SKILL_INDEX[skill]] = RELATED_SKILL_SHARE
    return shares


def _skill_years(rng: np.random.Generator, years: np.ndarray, skill_count: int) -> np.ndarray:
    """Years with each skill: a share of the career, in half years, at least half a year."""
    share = rng.uniform(0.3, 1.0, (years.size, skill_count))
    return np.maximum(np.round(share * years[:, None] * 2) / 2, 0.5)


def _city_ranks(rng: np.random.Generator, count: int) -> np.ndarray:
    """Ranked city lists (Plackett-Luce by popularity via Gumbel keys), one to three long."""
    weights = np.log([FIRST_CHOICE_WEIGHTS[city] for city in CITIES])
    keys = weights + rng.gumbel(size=(count, len(CITIES)))
    position = np.argsort(np.argsort(-keys, axis=1), axis=1)  # 0 = first choice
    listed = rng.choice([1, 2, 3], size=count, p=CITY_COUNT_WEIGHTS)
    return np.where(position < listed[:, None], position + 1, 0)


def _french_levels(rng: np.random.Generator, city_rank: np.ndarray) -> np.ndarray:
    """NCLC French: highest among workers who put Montreal first, low when it is absent."""
    montreal = city_rank[:, CITIES.index("Montreal")]
    group = np.where(montreal == 1, 0, np.where(montreal > 1, 1, 2))
    levels = np.zeros(montreal.size, dtype=int)
    for index, name in enumerate(("montreal_first", "montreal_listed", "no_montreal")):
        rows = np.flatnonzero(group == index)
        levels[rows] = rng.choice(FRENCH_LEVELS, size=rows.size, p=FRENCH_LEVEL_WEIGHTS[name])
    return levels


def _seniority_factor(years: np.ndarray) -> np.ndarray:
    """Pay grows with experience up to about eight years, then flattens."""
    return 0.7 + 0.11 * np.minimum(years, 8) + 0.01 * np.clip(years - 8, 0, 10)


def _salary_expectations(
    rng: np.random.Generator, role: np.ndarray, years: np.ndarray, city_rank: np.ndarray
) -> np.ndarray:
    base = np.array([r.base_salary_cad for r in ROLES])[role]
    first_city = np.argmax(city_rank == 1, axis=1)
    city_factor = np.array([CITY_SALARY_FACTOR[c] for c in CITIES])[first_city]
    noise = rng.lognormal(0, 0.12, role.size)
    return (np.round(base * _seniority_factor(years) * city_factor * noise / 1000) * 1000).astype(
        int
    )


def _available_days(rng: np.random.Generator, authorization: np.ndarray) -> np.ndarray:
    """Days until the worker can start: people who still need a permit wait months."""
    low = np.array([AVAILABILITY_DAYS[a][0] for a in authorization])
    high = np.array([AVAILABILITY_DAYS[a][1] for a in authorization])
    return rng.integers(low, high + 1)


def worker_rows(sample: WorkerSample, as_of: dt.date, text_rng: np.random.Generator) -> list[dict]:
    """The workers as JSON Lines contract rows, some of them entered by resume alone."""
    rows = _listed_worker_rows(sample, as_of)
    resume_only = text_rng.random(len(rows)) < texts.RESUME_ONLY_SHARE
    dated = text_rng.random(len(rows)) < texts.DATED_RESUME_SHARE
    for row, only, has_dates in zip(rows, resume_only.tolist(), dated.tolist(), strict=True):
        _write_resume(row, text_rng, as_of, resume_only=only, dated=has_dates)
    return rows


def _write_resume(
    row: dict, rng: np.random.Generator, as_of: dt.date, *, resume_only: bool, dated: bool
) -> None:
    """Give `row` its resume; a resume-only worker keeps no skill list and no typed years."""
    row["resume_text"] = texts.resume_text(
        rng,
        title=row.pop("_title"),
        years=row["years_experience"],
        skills=[skill["name"] for skill in row["skills"]],
        cities=row["city_preferences"],
        education=row["education"],
        as_of=as_of,
        dated=dated or not resume_only,
    )
    if resume_only:
        row["skills"] = []
        del row["years_experience"]


def _listed_worker_rows(sample: WorkerSample, as_of: dt.date) -> list[dict]:
    """The workers as contract rows with typed skill lists (columns turned into lists once)."""
    skills = _skill_lists(sample.skills, sample.skill_years)
    cities = _city_lists(sample.city_rank)
    start_dates = _iso_dates(as_of, sample.available_day)
    columns = zip(
        sample.external_ids,
        sample.names,
        sample.role.tolist(),
        sample.years.tolist(),
        skills,
        cities,
        start_dates,
        sample.education.tolist(),
        sample.open_to_remote.tolist(),
        sample.english_level.tolist(),
        sample.french_level.tolist(),
        sample.salary_expectation.tolist(),
        sample.work_authorization.tolist(),
        sample.match_emails.tolist(),
        strict=True,
    )
    return [
        {
            "external_id": external_id,
            "name": name,
            "email": f"{_email_local_part(name)}.{external_id.lower()}@example.com",
            "skills": skill_list,
            "_title": ROLES[role].title,
            "years_experience": years,
            "education": education,
            "city_preferences": city_list,
            "open_to_remote": remote,
            "english_level": english,
            "french_level": french,
            "salary_expectation_cad": salary,
            "work_authorization": authorization,
            "available_from": start,
            "match_emails": consent,
        }
        for (
            external_id,
            name,
            role,
            years,
            skill_list,
            city_list,
            start,
            education,
            remote,
            english,
            french,
            salary,
            authorization,
            consent,
        ) in columns
    ]


def _skill_lists(skills: np.ndarray, skill_years: np.ndarray) -> list[list[dict]]:
    """Each worker's skills as `{"name", "years"}` items, in vocabulary column order."""
    rows, columns = np.nonzero(skills)
    items = [
        {"name": SKILLS[c], "years": y}
        for c, y in zip(columns.tolist(), skill_years[rows, columns].tolist(), strict=True)
    ]
    bounds = np.searchsorted(rows, np.arange(skills.shape[0] + 1)).tolist()
    return [items[bounds[i] : bounds[i + 1]] for i in range(skills.shape[0])]


def _city_lists(city_rank: np.ndarray) -> list[list[str]]:
    """Each worker's ranked cities, first choice first."""
    order = np.argsort(np.where(city_rank > 0, city_rank, 99), axis=1, kind="stable")
    listed = (city_rank > 0).sum(axis=1)
    return [
        [CITIES[c] for c in row[:count]]
        for row, count in zip(order.tolist(), listed.tolist(), strict=True)
    ]


def _iso_dates(as_of: dt.date, days: np.ndarray) -> list[str]:
    dates = np.datetime64(as_of, "D") + days.astype("timedelta64[D]")
    return np.datetime_as_string(dates, unit="D").tolist()


@functools.cache
def _email_local_part(name: str) -> str:
    """ASCII, dotted form of a name; addresses use example.com so demo mail reaches nobody."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "." for ch in ascii_name.lower()).strip(".")


# --- employers and jobs ----------------------------------------------------------------------


def employer_names(rng: np.random.Generator, jobs: int) -> list[str]:
    """Distinct fictional Canadian company names, about one per six jobs."""
    combos = len(EMPLOYER_PREFIXES) * len(EMPLOYER_SUFFIXES)
    count = int(np.clip(round(jobs / 6), min(5, jobs), combos))
    picks = rng.permutation(combos)[:count]
    prefix, suffix = np.divmod(picks, len(EMPLOYER_SUFFIXES))
    return [
        f"{EMPLOYER_PREFIXES[p]} {EMPLOYER_SUFFIXES[s]}"
        for p, s in zip(prefix.tolist(), suffix.tolist(), strict=True)
    ]


def generate_jobs(rng: np.random.Generator, count: int, employers: list[str]) -> JobSample:
    """Jobs in all three cities: role skills, seniority, pay by city, French mostly in Montreal."""
    role = rng.choice(len(ROLES), size=count, p=ROLE_WEIGHTS)
    seniority = rng.choice(len(SENIORITIES), size=count, p=JOB_SENIORITY_WEIGHTS)
    city = rng.choice(len(CITIES), size=count, p=[JOB_CITY_WEIGHTS[c] for c in CITIES])
    salary_min, salary_max = _job_salaries(rng, role, seniority, city)
    required, nice = _job_skills(rng, role)
    fresh = rng.random(count) < FRESH_JOB_SHARE
    posted_day = np.where(
        fresh,
        -rng.integers(0, FRESH_JOB_MAX_AGE_DAYS + 1, count),
        -hiring_process.MAX_FUNNEL_DAYS - rng.integers(0, POSTING_WINDOW_DAYS + 1, count),
    )
    # A few employers post many jobs, most post a few.
    popularity = 1.0 / np.arange(1, len(employers) + 1) ** 0.7
    employer = rng.choice(len(employers), size=count, p=popularity / popularity.sum())
    return JobSample(
        external_ids=[f"J{i + 1:06d}" for i in range(count)],
        employer=[employers[e] for e in employer.tolist()],
        role=role,
        seniority=seniority,
        city=city,
        remote=_choice(rng, REMOTE_WEIGHTS, count),
        min_years=np.array([SENIORITIES[s].min_years for s in seniority]),
        salary_min=salary_min,
        salary_max=salary_max,
        french_required=_job_french(rng, city),
        posted_day=posted_day,
        fresh=fresh,
        required=required,
        nice=nice,
    )


def _job_salaries(
    rng: np.random.Generator, role: np.ndarray, seniority: np.ndarray, city: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    base = np.array([r.base_salary_cad for r in ROLES])[role]
    level = np.array([s.salary_factor for s in SENIORITIES])[seniority]
    city_factor = np.array([CITY_SALARY_FACTOR[c] for c in CITIES])[city]
    midpoint = base * level * city_factor * rng.lognormal(0, 0.06, role.size)
    salary_min = (np.round(midpoint * 0.88 / 5000) * 5000).astype(int)
    salary_max = (np.round(midpoint * 1.12 / 5000) * 5000).astype(int)
    return salary_min, np.maximum(salary_max, salary_min)


def _job_skills(rng: np.random.Generator, role: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three to five required skills, mostly the role's core; two or three nice-to-haves."""
    required = np.zeros((role.size, len(SKILLS)), dtype=bool)
    nice = np.zeros_like(required)
    required_counts = rng.integers(3, 6, role.size)
    nice_counts = rng.integers(2, 4, role.size)
    for j, r in enumerate(role.tolist()):
        profile = ROLES[r]
        core = list(rng.permutation(profile.core_skills))
        common = list(rng.permutation(profile.common_skills))
        chosen = (core + common)[: required_counts[j]]
        extras = [s for s in common + core if s not in chosen][: nice_counts[j]]
        required[j, [SKILL_INDEX[s] for s in chosen]] = True
        nice[j, [SKILL_INDEX[s] for s in extras]] = True
    return required, nice


def _job_french(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    levels = np.zeros(city.size, dtype=int)
    for index, name in enumerate(CITIES):
        rows = np.flatnonzero(city == index)
        levels[rows] = rng.choice(JOB_FRENCH_LEVELS, size=rows.size, p=JOB_FRENCH_WEIGHTS[name])
    return levels


def job_rows(sample: JobSample, as_of: dt.date, text_rng: np.random.Generator) -> list[dict]:
    """The jobs as JSON Lines contract rows."""
    return [_job_row(sample, j, as_of, text_rng) for j in range(len(sample.external_ids))]


def _job_row(sample: JobSample, j: int, as_of: dt.date, text_rng: np.random.Generator) -> dict:
    role = ROLES[sample.role[j]]
    seniority = SENIORITIES[sample.seniority[j]]
    required = [SKILLS[c] for c in np.flatnonzero(sample.required[j])]
    nice = [SKILLS[c] for c in np.flatnonzero(sample.nice[j])]
    title = f"{seniority.title_prefix} {role.title}".strip() + f" ({required[0]})"
    city = CITIES[sample.city[j]]
    posted_day = int(sample.posted_day[j])
    return {
        "external_id": sample.external_ids[j],
        "employer": sample.employer[j],
        "title": title,
        "description": _job_description(sample, j, title, required, nice, text_rng),
        "required_skills": required,
        "nice_to_have_skills": nice,
        "city": city,
        "remote": str(sample.remote[j]),
        "min_years_experience": float(seniority.min_years),
        "salary_min_cad": int(sample.salary_min[j]),
        "salary_max_cad": int(sample.salary_max[j]),
        "french_level_required": int(sample.french_required[j]),
        "status": "closed" if posted_day < -CLOSED_AFTER_DAYS else "open",
        "posted_at": (as_of + dt.timedelta(days=posted_day)).isoformat(),
    }


def _job_description(
    sample: JobSample,
    j: int,
    title: str,
    required: list[str],
    nice: list[str],
    rng: np.random.Generator,
) -> str:
    """Posting text that names the job's skills in sections, as a real posting would."""
    return texts.posting_text(
        rng,
        employer=sample.employer[j],
        title=title,
        mission=ROLES[sample.role[j]].mission,
        city=CITIES[sample.city[j]],
        remote=str(sample.remote[j]),
        required=required,
        nice=nice,
        min_years=float(sample.min_years[j]),
        french_level=int(sample.french_required[j]),
        salary=(int(sample.salary_min[j]), int(sample.salary_max[j])),
    )


# --- who is shown to whom, and what happened -------------------------------------------------


def draw_candidate_pools(
    rng: np.random.Generator, workers: WorkerSample, jobs: JobSample
) -> tuple[np.ndarray, np.ndarray]:
    """For each non-fresh job, 30 to 80 shown workers, biased towards plausible candidates."""
    families = [_role_family_members(workers, r) for r in range(len(ROLES))]
    in_city_families = [
        [family[workers.city_rank[family, c] > 0] for c in range(len(CITIES))]
        for family in families
    ]
    everyone = np.arange(len(workers.external_ids))
    job_parts, worker_parts = [], []
    for j in np.flatnonzero(~jobs.fresh).tolist():
        family = families[jobs.role[j]]
        in_city = in_city_families[jobs.role[j]][jobs.city[j]]
        size = min(int(rng.integers(POOL_SIZE_RANGE[0], POOL_SIZE_RANGE[1] + 1)), everyone.size)
        sources = (in_city, family, everyone)
        picks = [
            _sample(rng, source, round(size * share))
            for source, share in zip(sources, POOL_SHARES, strict=True)
        ]
        pool = np.unique(np.concatenate(picks))
        job_parts.append(np.full(pool.size, j))
        worker_parts.append(pool)
    if not job_parts:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    return np.concatenate(job_parts), np.concatenate(worker_parts)


def _role_family_members(workers: WorkerSample, role: int) -> np.ndarray:
    family = [role] + [ROLE_KEYS.index(k) for k in ROLES[role].related_roles]
    return np.flatnonzero(np.isin(workers.role, family))


def _sample(rng: np.random.Generator, source: np.ndarray, size: int) -> np.ndarray:
    if source.size == 0 or size == 0:
        return np.zeros(0, dtype=int)
    return rng.choice(source, size=min(size, source.size), replace=False)


def pair_fit(
    workers: WorkerSample, jobs: JobSample, job_index: np.ndarray, worker_index: np.ndarray
) -> hiring_process.PairFit:
    """The fit of every shown pair, the inputs of the hiring process."""
    required = jobs.required[job_index]
    nice = jobs.nice[job_index]
    has = workers.skills[worker_index]
    salary_max = jobs.salary_max[job_index]
    return hiring_process.PairFit(
        required_coverage=(required & has).sum(1) / np.maximum(required.sum(1), 1),
        nice_coverage=(nice & has).sum(1) / np.maximum(nice.sum(1), 1),
        city_rank=workers.city_rank[worker_index, jobs.city[job_index]],
        remote_ok=(jobs.remote[job_index] == "remote") & workers.open_to_remote[worker_index],
        experience_gap=jobs.min_years[job_index] - workers.years[worker_index],
        french_shortfall=np.maximum(
            jobs.french_required[job_index] - workers.french_level[worker_index], 0
        ),
        salary_over=np.maximum(workers.salary_expectation[worker_index] - salary_max, 0)
        / salary_max,
        start_delay_days=np.maximum(
            workers.available_day[worker_index] - jobs.posted_day[job_index], 0
        ),
    )


def outcome_rows(
    events: hiring_process.FunnelEvents,
    jobs: JobSample,
    workers: WorkerSample,
    job_index: np.ndarray,
    worker_index: np.ndarray,
    as_of: dt.date,
) -> list[dict]:
    """The funnel events as outcome contract rows, timestamps in ISO UTC."""
    event_job = job_index[events.pair]
    posted = np.datetime64(as_of, "s") + jobs.posted_day[event_job].astype("timedelta64[D]")
    seconds = np.round(events.hours_after_posting * 3600).astype("timedelta64[s]")
    stamps = np.datetime_as_string(posted + seconds, unit="s")
    job_ids = jobs.external_ids
    worker_ids = workers.external_ids
    return [
        {
            "job_external_id": job_ids[j],
            "worker_external_id": worker_ids[w],
            "stage": stage,
            "at": f"{stamp}Z",
        }
        for j, w, stage, stamp in zip(
            event_job.tolist(),
            worker_index[events.pair].tolist(),
            events.stage.tolist(),
            stamps.tolist(),
            strict=True,
        )
    ]


def interest_rows(
    answers: hiring_process.InterestAnswers,
    jobs: JobSample,
    workers: WorkerSample,
    job_index: np.ndarray,
    worker_index: np.ndarray,
    as_of: dt.date,
) -> list[tuple[str, str, str, str]]:
    """The workers' interest answers as (job, worker, choice, time), timed as outcomes are."""
    answer_job = job_index[answers.pair]
    posted = np.datetime64(as_of, "s") + jobs.posted_day[answer_job].astype("timedelta64[D]")
    seconds = np.round(answers.hours_after_posting * 3600).astype("timedelta64[s]")
    stamps = np.datetime_as_string(posted + seconds, unit="s")
    return [
        (jobs.external_ids[j], workers.external_ids[w], choice, f"{stamp}Z")
        for j, w, choice, stamp in zip(
            answer_job.tolist(),
            worker_index[answers.pair].tolist(),
            np.where(answers.interested, "interested", "not_for_me").tolist(),
            stamps.tolist(),
            strict=True,
        )
    ]


# --- audit attributes ------------------------------------------------------------------------


def audit_attribute_rows(
    rng: np.random.Generator, worker_ids: list[str]
) -> list[tuple[str, str, str]]:
    """Self-identified gender and age band, drawn from their own stream: independent of all else."""
    count = len(worker_ids)
    answered = rng.random(count) < AUDIT_RESPONSE_SHARE
    genders = _choice(rng, AUDIT_GENDERS, count)
    age_bands = _choice(rng, AUDIT_AGE_BANDS, count)
    rows: list[tuple[str, str, str]] = []
    for i in np.flatnonzero(answered).tolist():
        rows.append((worker_ids[i], "gender", str(genders[i])))
        rows.append((worker_ids[i], "age_band", str(age_bands[i])))
    return rows


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    names = list(weights)
    probabilities = np.array([weights[n] for n in names])
    return np.array(names, dtype=object)[
        rng.choice(len(names), size=size, p=probabilities / probabilities.sum())
    ]
