"""Shortlist speed and quality over synthetic national-scale populations.

Prints, for each population size: synthesis time, cache warm-up (first load of the worker
table), shortlist latency per request (median, p90, p99 over many different jobs, each
with the cache of re-ranked pools emptied first, so every request retrieves and re-ranks;
then the same jobs again from that cache), matches latency, peak resident memory, and
against exhaustive scoring (the model scoring every eligible worker): the two-stage
result's NDCG@10 and the speed ratio. A second pass does the same with a learned champion
serving (the retrieval weights are then fitted to it on its first shortlist).

    .venv/bin/python benchmarks/bench_shortlist.py                 # 100,000 and 1,000,000
    .venv/bin/python benchmarks/bench_shortlist.py --sizes 20000   # a quick run

Targets (issue 3): 100k workers median <= 50 ms, p99 <= 150 ms; 1M workers median <= 300 ms
and <= 4 GiB resident; NDCG@10 within 1% of exhaustive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher.config import Settings
from matcher.constants import CITIES, WORK_AUTHORIZATIONS
from matcher.features.population import load_job, load_jobs
from matcher.ranking.caches import clear_caches
from matcher.ranking.filters import CandidateFilters, eligible_mask
from matcher.ranking.index import open_jobs, worker_index
from matcher.ranking.retrieval import RERANK_POOL_SIZE, retrieve_candidates
from matcher.ranking.scorers import COLD_START_VERSION, load_serving_scorer
from matcher.ranking.shortlists import (
    clear_shortlist_cache,
    matches_for_worker,
    score_rows,
    shortlist_for_job,
)
from matcher.store import open_database

SEED_SKILLS = Path(__file__).resolve().parents[1] / "matcher" / "skills" / "seed_skills.txt"
NOW = "2026-01-05T00:00:00Z"
TITLES = (
    "Software developer",
    "Data engineer",
    "Backend engineer",
    "Frontend developer",
    "DevOps engineer",
    "Machine learning engineer",
    "Mobile developer",
    "QA engineer",
)
CITY_ORDERS = [
    ("Toronto",),
    ("Vancouver",),
    ("Montreal",),
    ("Toronto", "Montreal"),
    ("Toronto", "Vancouver"),
    ("Vancouver", "Toronto"),
    ("Montreal", "Toronto"),
    ("Toronto", "Vancouver", "Montreal"),
    ("Montreal", "Toronto", "Vancouver"),
    ("Vancouver", "Toronto", "Montreal"),
    (),
]
CITY_ORDER_WEIGHTS = np.array([22, 12, 8, 10, 10, 8, 6, 10, 5, 5, 4], dtype=float)
AUTHORIZATION_WEIGHTS = np.array([10, 15, 50, 10, 15], dtype=float)
INSERT_CHUNK = 50_000


def vocabulary() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Skill names, their category number and a popularity weight, from the vocabulary seed."""
    names, categories, weights = [], [], []
    category, position = -1, 0
    for line in SEED_SKILLS.read_text().splitlines():
        if line.startswith("## "):
            category, position = category + 1, 0
        elif line.strip() and not line.startswith("#"):
            names.append(line.split("|")[0].strip())
            categories.append(max(category, 0))
            position += 1
            weights.append(1.0 / position**0.9)  # the seed lists popular skills first
    return names, np.array(categories), np.array(weights)


def draw_skill_sets(rng, count: int, sizes: np.ndarray, skills) -> list[np.ndarray]:
    """Skill columns per entity: mostly from one category, the rest from everything, no repeat."""
    _, categories, weights = skills
    primary = rng.choice(categories.max() + 1, size=count)
    width = int(sizes.max())
    drawn = np.empty((count, width), dtype=np.int64)
    everything = weights / weights.sum()
    for category in np.unique(primary):
        members = np.flatnonzero(primary == category)
        inside = np.where(categories == category, weights, 0.0)
        inside = inside / inside.sum() if inside.sum() else everything
        drawn[members] = rng.choice(len(weights), size=(len(members), width), p=inside)
    from_everywhere = rng.random((count, width)) < 0.3
    drawn[from_everywhere] = rng.choice(len(weights), size=int(from_everywhere.sum()), p=everything)
    return [np.unique(drawn[i, : sizes[i]]) for i in range(count)]


def synthesize_workers(conn: sqlite3.Connection, count: int, rng, skills) -> None:
    """`count` workers with realistic skills, cities, languages, salaries and start dates."""
    names = skills[0]
    today = dt.date(2026, 1, 5).toordinal()
    for start in range(0, count, INSERT_CHUNK):
        n = min(INSERT_CHUNK, count - start)
        ids = np.arange(start + 1, start + n + 1)
        years = np.clip(rng.gamma(2.0, 4.0, n), 0, 40).round(1)
        orders = rng.choice(
            len(CITY_ORDERS), size=n, p=CITY_ORDER_WEIGHTS / CITY_ORDER_WEIGHTS.sum()
        )
        remote = rng.random(n) < 0.4
        english = rng.integers(5, 13, n)
        french = np.where(rng.random(n) < 0.3, rng.integers(0, 13, n), -1)
        salary = np.where(rng.random(n) < 0.9, rng.lognormal(np.log(110_000), 0.3, n), -1)
        authorization = rng.choice(
            len(WORK_AUTHORIZATIONS), size=n, p=AUTHORIZATION_WEIGHTS / AUTHORIZATION_WEIGHTS.sum()
        )
        start_days = np.where(rng.random(n) < 0.8, rng.integers(0, 180, n), -1)
        titles = rng.integers(0, len(TITLES), n)
        conn.executemany(
            "INSERT INTO workers (id, external_id, name, email, resume_text, years_experience, "
            "city_preferences, open_to_remote, english_level, french_level, "
            "salary_expectation_cad, work_authorization, available_from, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    int(i),
                    f"W{i}",
                    f"Worker {i}",
                    f"w{i}@example.org",
                    f"{TITLES[titles[k]]} with {years[k]:g} years of experience",
                    float(years[k]),
                    ";".join(CITY_ORDERS[orders[k]]),
                    int(remote[k]),
                    int(english[k]),
                    None if french[k] < 0 else int(french[k]),
                    None if salary[k] < 0 else int(salary[k] // 1000 * 1000),
                    WORK_AUTHORIZATIONS[authorization[k]],
                    None
                    if start_days[k] < 0
                    else dt.date.fromordinal(today + int(start_days[k])).isoformat(),
                    NOW,
                    NOW,
                )
                for k, i in enumerate(ids)
            ),
        )
        sizes = np.clip(rng.poisson(6, n) + 2, 2, 20)
        skill_sets = draw_skill_sets(rng, n, sizes, skills)
        owners = np.repeat(ids, [len(columns) for columns in skill_sets])
        columns = np.concatenate(skill_sets)
        skill_years = np.minimum(years[owners - ids[0]], rng.integers(0, 10, len(owners)))
        conn.executemany(
            "INSERT INTO worker_skills (worker_id, skill, years) VALUES (?, ?, ?)",
            zip(owners.tolist(), [names[c] for c in columns], skill_years.tolist(), strict=True),
        )


def synthesize_jobs(conn: sqlite3.Connection, count: int, rng, skills) -> None:
    """`count` jobs (nine in ten open) asking for 2-5 required and 0-3 nice-to-have skills."""
    names = skills[0]
    conn.execute(
        "INSERT INTO employers (id, name, created_at) VALUES (1, 'Maple Systems', ?)", [NOW]
    )
    sets = draw_skill_sets(rng, count, rng.integers(2, 9, count), skills)
    for number, columns in enumerate(sets, start=1):
        city = CITIES[rng.choice(3, p=[0.5, 0.3, 0.2])]
        low = int(rng.integers(70, 140)) * 1000
        conn.execute(
            "INSERT INTO jobs (id, external_id, employer_id, title, description, city, remote, "
            "min_years_experience, salary_min_cad, salary_max_cad, french_level_required, "
            "status, created_at, updated_at) VALUES (?, ?, 1, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                number,
                f"J{number}",
                TITLES[number % len(TITLES)],
                city,
                ("onsite", "hybrid", "remote")[rng.choice(3, p=[0.4, 0.4, 0.2])],
                float(rng.integers(0, 9)),
                low,
                low + int(rng.integers(10, 50)) * 1000,
                int(rng.integers(5, 9)) if city == "Montreal" and rng.random() < 0.5 else 0,
                "open" if rng.random() < 0.9 else "closed",
                NOW,
                NOW,
            ],
        )
        required_count = max(2, min(5, len(columns) - int(rng.integers(0, 4))))
        for position, column in enumerate(rng.permutation(columns)):
            kind = "required" if position < required_count else "nice_to_have"
            conn.execute("INSERT INTO job_skills VALUES (?, ?, ?)", [number, names[column], kind])


def synthesize(path: str, workers: int, jobs: int, seed: int) -> None:
    """Build the database at `path` (run in a child process, so its memory is not counted)."""
    open_database(path).close()
    rng = np.random.default_rng(seed)
    skills = vocabulary()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        synthesize_workers(conn, workers, rng, skills)
        synthesize_jobs(conn, jobs, rng, skills)
    conn.close()


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def ndcg_at_10(chosen: list[str], exhaustive: list[tuple[str, float]], all_scores: dict) -> float:
    """NDCG@10 of `chosen` with the exhaustive model scores as graded relevance."""
    discounts = 1.0 / np.log2(np.arange(2, 12))
    ideal = sum(score * d for (_, score), d in zip(exhaustive[:10], discounts, strict=False))
    gained = sum(all_scores[w] * d for w, d in zip(chosen[:10], discounts, strict=False))
    return gained / ideal if ideal > 0 else 1.0


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.array(values), share))


def measure(path: str, size: int, timed_jobs: int, exhaustive_jobs: int, settings) -> list[str]:
    from sqlite_utils import Database

    db = Database(path)
    clear_caches()
    started = time.perf_counter()
    index = worker_index(db)
    open_jobs(db, index)
    warm_up = time.perf_counter() - started
    print(f"  cache warm-up (load worker table + index + open jobs): {warm_up:.1f} s")
    jobs = [job.external_id for job in load_jobs(db, status="open")]
    rng = np.random.default_rng(size)
    chosen = list(rng.choice(jobs, size=min(timed_jobs, len(jobs)), replace=False))
    shortlist_for_job(db, chosen[0], settings=settings)  # scorer load, first-touch pages
    time_shortlists(db, chosen, settings, "")
    worker_ids = [f"W{w}" for w in rng.integers(1, size + 1, size=50)]
    match_latencies = []
    for worker_id in worker_ids:
        started = time.perf_counter()
        matches_for_worker(db, worker_id, limit=10, settings=settings)
        match_latencies.append((time.perf_counter() - started) * 1000)
    print(
        f"  matches (top 10) over {len(worker_ids)} workers: median"
        f" {statistics.median(match_latencies):.1f} ms,"
        f" p99 {percentile(match_latencies, 99):.1f} ms"
    )
    compare_with_exhaustive(db, chosen[:exhaustive_jobs], settings)
    compare_matches_with_exhaustive(db, worker_ids[:10], len(jobs), settings)
    print(f"  peak RSS so far: {peak_rss_gib():.2f} GiB")
    db.close()
    return chosen


def timed_shortlist(db, job_id: str, settings, *, cold: bool = True, **options) -> tuple:
    """A shortlist and its latency in ms; `cold` empties the cache of re-ranked pools first."""
    if cold:
        clear_shortlist_cache()
    started = time.perf_counter()
    shortlist = shortlist_for_job(db, job_id, settings=settings, **options)
    return shortlist, (time.perf_counter() - started) * 1000


def time_shortlists(db, job_ids: list[str], settings, label: str) -> None:
    """Cold (cache emptied before each) and then warm (cached) shortlist latencies."""
    for cold in (True, False):
        latencies = [
            timed_shortlist(db, job_id, settings, cold=cold, limit=50)[1] for job_id in job_ids
        ]
        if cold:  # fill the cache for the warm round
            for job_id in job_ids:
                shortlist_for_job(db, job_id, limit=50, settings=settings)
        print(
            f"  {label}shortlist (top 50), {'cold' if cold else 'warm'} cache, over"
            f" {len(job_ids)} jobs: median {statistics.median(latencies):.1f} ms,"
            f" p90 {percentile(latencies, 90):.1f} ms, p99 {percentile(latencies, 99):.1f} ms,"
            f" max {max(latencies):.1f} ms"
        )


def compare_with_exhaustive(db, job_ids: list[str], settings) -> None:
    """NDCG@10 of two-stage against exhaustive scoring, and the speed ratio between them.

    With a learned champion, also the NDCG@10 of a pool retrieved by the default (unfitted)
    weights, the baseline that fitting the retrieval weights to the model improves on.
    """
    ndcgs, overlaps, two_stage_ms, exhaustive_ms, unfitted = [], [], [], [], []
    learned = load_serving_scorer(db, settings).version != COLD_START_VERSION
    for job_id in job_ids:
        fast, elapsed = timed_shortlist(db, job_id, settings, limit=10)
        two_stage_ms.append(elapsed)
        full, elapsed = timed_shortlist(db, job_id, settings, limit=10, pool_size=None)
        exhaustive_ms.append(elapsed)
        scored = [(c.worker, c.score) for c in full.candidates]
        everyone = dict(scored)
        for candidate in fast.candidates:
            everyone.setdefault(candidate.worker, candidate.score)
        fast_ids = [c.worker for c in fast.candidates]
        ndcgs.append(ndcg_at_10(fast_ids, scored, everyone))
        overlaps.append(len(set(fast_ids) & {w for w, _ in scored[:10]}) / 10)
        if learned:
            default_top = top_10_from_default_weights(db, job_id, settings)
            unfitted.append(
                ndcg_at_10([w for w, _ in default_top], scored, everyone | dict(default_top))
            )
    ratio = statistics.median(exhaustive_ms) / statistics.median(two_stage_ms)
    print(
        f"  vs exhaustive over {len(job_ids)} jobs: NDCG@10 ratio mean {np.mean(ndcgs):.4f}"
        f" (min {min(ndcgs):.4f}, jobs below 0.99: {sum(n < 0.99 for n in ndcgs)}),"
        f" top-10 overlap {np.mean(overlaps):.2f};"
        f" exhaustive median {statistics.median(exhaustive_ms):.0f} ms,"
        f" two-stage {statistics.median(two_stage_ms):.1f} ms, speed-up x{ratio:.1f}"
    )
    if learned:
        print(
            f"  baseline, pool by default retrieval weights (not fitted): NDCG@10 ratio mean"
            f" {np.mean(unfitted):.4f} (min {min(unfitted):.4f},"
            f" jobs below 0.99: {sum(n < 0.99 for n in unfitted)})"
        )


def top_10_from_default_weights(db, job_id: str, settings) -> list[tuple[str, float]]:
    """The serving model's top 10 within a pool retrieved by the default weights only."""
    job = load_job(db, job_id)
    index = worker_index(db)
    scorer = load_serving_scorer(db, settings)
    mask = eligible_mask(index, job, CandidateFilters())
    pool = retrieve_candidates(index, job, mask, RERANK_POOL_SIZE)
    scores = score_rows(scorer, job, index.table, pool)
    best = np.lexsort((pool, -scores))[:10]
    return [(str(index.table.external_ids[pool[i]]), float(scores[i])) for i in best]


def compare_matches_with_exhaustive(db, worker_ids: list[str], open_count: int, settings) -> None:
    """Matches from the retrieved job pool against scoring every open job for the worker."""
    ndcgs = []
    for worker_id in worker_ids:
        fast = matches_for_worker(db, worker_id, limit=10, settings=settings)
        full = matches_for_worker(db, worker_id, limit=10, settings=settings, pool_size=open_count)
        scored = [(m.job, m.score) for m in full.jobs]
        everyone = dict(scored)
        for match in fast.jobs:
            everyone.setdefault(match.job, match.score)
        ndcgs.append(ndcg_at_10([m.job for m in fast.jobs], scored, everyone))
    print(
        f"  matches vs scoring all {open_count} open jobs, {len(worker_ids)} workers:"
        f" NDCG@10 mean {np.mean(ndcgs):.4f} (min {min(ndcgs):.4f})"
    )


def train_demo_champion(folder: Path, settings) -> Path | None:
    """Train a learned ranker on the demo data set; its database holds the registry rows.

    A first model the promotion rule refuses (too few compared jobs to be significant) is
    promoted by hand, as `talentmatch models promote` would: the benchmark measures serving
    a learned model, not the rule.
    """
    from matcher import registry
    from matcher.demo import build_demo
    from matcher.ranking.training import train_and_register

    path = folder / "demo.db"
    demo = open_database(path)
    build_demo(demo, workers=3000, jobs=200, seed=7)
    train_and_register(demo, settings)
    newest = demo.execute(
        "SELECT version FROM model_versions ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    if newest and registry.champion_version(demo) is None:
        registry.promote(demo, newest[0], "promoted by the benchmark")
    champion = registry.champion_version(demo)
    demo.close()
    print(f"learned champion trained on the demo data: {champion or 'none'}")
    return path if champion else None


def install_champion(demo_path: Path, path: str) -> None:
    """Serve the demo's champion from the synthetic database (same registry folder)."""
    conn = sqlite3.connect(path)
    conn.execute("ATTACH DATABASE ? AS demo", [str(demo_path)])
    with conn:
        conn.execute("INSERT INTO model_versions SELECT * FROM demo.model_versions")
        conn.execute("INSERT INTO model_champion SELECT * FROM demo.model_champion")
    conn.close()


def measure_learned(path: str, demo_path: Path, job_ids: list[str], settings) -> None:
    """Latency and NDCG@10 against exhaustive scoring with the learned champion serving."""
    from sqlite_utils import Database

    install_champion(demo_path, path)
    db = Database(path)
    _, elapsed = timed_shortlist(db, job_ids[0], settings)
    print(f"  learned champion: first shortlist (loads it, fits retrieval): {elapsed:.0f} ms")
    time_shortlists(db, job_ids, settings, "learned champion: ")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, default=400, help="jobs in each database")
    parser.add_argument("--timed-jobs", type=int, default=200)
    parser.add_argument("--exhaustive-jobs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-learned",
        dest="learned",
        action="store_false",
        help="skip the second pass with a learned champion trained on the demo data",
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_shortlist_") as folder:
        settings = Settings(db_path=Path(folder) / "unused.db", models_dir=Path(folder) / "models")
        demo_path = train_demo_champion(Path(folder), settings) if arguments.learned else None
        for size in arguments.sizes:
            path = str(Path(folder) / f"workers_{size}.db")
            print(f"{size:,} workers, {arguments.jobs} jobs")
            started = time.perf_counter()
            child = multiprocessing.get_context("fork").Process(
                target=synthesize, args=(path, size, arguments.jobs, arguments.seed)
            )
            child.start()
            child.join()
            print(f"  synthesis (separate process): {time.perf_counter() - started:.1f} s")
            exhaustive = (
                arguments.exhaustive_jobs
                if size <= 200_000
                else max(3, arguments.exhaustive_jobs // 4)
            )
            chosen = measure(path, size, arguments.timed_jobs, exhaustive, settings)
            if demo_path is not None:
                measure_learned(path, demo_path, chosen[: arguments.timed_jobs // 2], settings)
                from sqlite_utils import Database

                db = Database(path)
                compare_with_exhaustive(db, chosen[:exhaustive], settings)
                db.close()
            clear_caches()
    print(f"peak RSS of the measuring process: {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
