"""Ranking quality on real resumes and real job postings (../shared/data/real/).

The 166 distinct real resumes are imported as workers (resume text only: no skill years, no
total years, the same city preference for everyone), the real postings (Glassdoor's distinct
rows with a data title, Microsoft's by sub-category) as jobs in Toronto, through the
project's import functions into a temporary SQLite file. Every posting's workers are ranked
by the real shortlist path (`shortlist_for_job`) and, in the same run, by random, skill
overlap (Jaccard), TF-IDF and BM25 (bm25s) baselines. A resume is relevant to a posting
when its category is in the posting's occupation family (the data README's families,
defined below). Printed per posting source and family: precision@10, NDCG@10 and the
share of shortlists (top 10) the most frequent worker appears in, with its floor: with only
33 relevant resumes for a data posting, a ranker with perfect precision puts some resume in
at least 10 / 33 of the data shortlists.

    .venv/bin/python benchmarks/bench_real_data.py
    .venv/bin/python benchmarks/bench_real_data.py --data ../shared/data/real --limit-jobs 200

Family-level relevance is coarse (see the data README): it shows whether the right kind of
resume comes first, not whether the best candidate does.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from matcher.config import load_settings
from matcher.evaluation.baselines import jaccard_scores, random_scores, tfidf_scores
from matcher.features.population import load_jobs, load_worker_table
from matcher.importing import import_rows
from matcher.ranking.caches import clear_caches
from matcher.ranking.shortlists import clear_shortlist_cache, shortlist_for_job
from matcher.store import open_database


def default_data() -> Path:
    """The nearest `shared/data/real` above this file (a checkout or a worktree beside it)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "data" / "real").is_dir():
            return folder / "shared" / "data" / "real"
    return Path("../shared/data/real")


TOP_K = 10
FAMILIES: dict[str, tuple[str, ...]] = {
    "Data & analytics": ("Data Science", "Hadoop", "ETL Developer", "Database"),
    "Software development": (
        "Java Developer",
        "Python Developer",
        "DotNet Developer",
        "SAP Developer",
        "Blockchain",
        "Web Designing",
    ),
    "Software testing": ("Testing", "Automation Testing"),
    "Infrastructure, DevOps and security": ("DevOps Engineer", "Network Security Engineer"),
    "Business and project management": ("Business Analyst", "PMO", "Operations Manager"),
    "Engineering (non-software)": (
        "Mechanical Engineer",
        "Civil Engineer",
        "Electrical Engineering",
    ),
    "Human resources": ("HR",),
    "Legal": ("Advocate",),
    "Arts": ("Arts",),
    "Sales": ("Sales",),
    "Health and fitness": ("Health and fitness",),
}
FAMILY_OF_CATEGORY = {c: family for family, cats in FAMILIES.items() for c in cats}
GLASSDOOR_DATA_WORDS = (
    "data",
    "analyst",
    "analytics",
    "machine learning",
    "deep learning",
    "computer vision",
    "statistic",
    "business intelligence",
)
MICROSOFT_FAMILIES = {
    "Software Engineering": "Software development",
    "Software Development": "Software development",
    "Data & Applied Sciences": "Data & analytics",
    "Service Engineering": "Infrastructure, DevOps and security",
    "Program Management": "Business and project management",
}
METHODS = ("talentmatch", "random", "skill overlap", "tf-idf", "bm25")


def load_resumes(data: Path) -> list[tuple[str, str]]:
    """The distinct (category, repaired text) resumes, in order of first appearance."""
    seen: dict[str, str] = {}
    with (data / "resumes" / "UpdatedResumeDataSet.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row["Resume"]
            if text not in seen:
                seen[text] = row["Category"]
    return [(category, _repair(text)) for text, category in seen.items()]


def _repair(text: str) -> str:
    """Undo the published data's mis-decoding (UTF-8 read as Latin-1), as the README says."""
    try:
        return text.encode("latin-1").decode("utf-8").replace("\r\n", "\n")
    except UnicodeError:
        return text.replace("\r\n", "\n")


def load_postings(data: Path) -> list[dict]:
    """Postings with a family: {source, family, title, description}."""
    postings = []
    with (data / "jobs" / "glassdoor_ds_jobs_us_2020.csv").open(encoding="utf-8", newline="") as f:
        distinct = {
            tuple(v for k, v in row.items() if k not in ("", "Unnamed: 0")): row
            for row in csv.DictReader(f)
        }
    for row in distinct.values():
        title = row["Job Title"]
        if any(word in title.lower() for word in GLASSDOOR_DATA_WORDS):
            postings.append(
                _posting("Glassdoor", "Data & analytics", title, row["Job Description"])
            )
    for item in json.loads((data / "jobs" / "microsoft_careers_sample.json").read_text("utf-8")):
        family = MICROSOFT_FAMILIES.get(item["subCategory"])
        if family is not None:
            postings.append(_posting("Microsoft", family, item["title"], item["description"]))
    return postings


def _posting(source: str, family: str, title: str, description: str) -> dict:
    return {"source": source, "family": family, "title": title.strip(), "description": description}


def build_database(path: Path, resumes: list[tuple[str, str]], postings: list[dict]):
    """Import workers and jobs through the project's importer; returns the open database."""
    db = open_database(path)
    workers = [
        {
            "external_id": f"R{number:03d}",
            "name": f"Resume {number}",
            "email": f"resume{number}@example.org",
            "resume_text": text,
            "city_preferences": "Toronto",
            "work_authorization": "open_work_permit",
        }
        for number, (_, text) in enumerate(resumes, start=1)
    ]
    jobs = [
        {
            "external_id": f"P{number:04d}",
            "employer": posting["source"],
            "title": posting["title"],
            "description": posting["description"],
            "city": "Toronto",
        }
        for number, posting in enumerate(postings, start=1)
    ]
    for kind, rows in (("workers", workers), ("jobs", jobs)):
        report = import_rows(db, kind, rows)
        if report.rejected:
            raise SystemExit(f"{kind} rejected: {report.rejected[:3]}")
    return db


def talentmatch_scores(db, job_external_ids: list[str], worker_ids: np.ndarray, settings):
    """(jobs, workers) scores from each job's shortlist: its rank order, as descending values."""
    column = {int(w): i for i, w in enumerate(worker_ids)}
    external_to_id = dict(db.execute("SELECT external_id, id FROM workers"))
    scores = np.full((len(job_external_ids), len(worker_ids)), -1.0)
    for row, external in enumerate(job_external_ids):
        shortlist = shortlist_for_job(db, external, limit=len(worker_ids), settings=settings)
        for candidate in shortlist.candidates:
            scores[row, column[external_to_id[candidate.worker]]] = len(worker_ids) - candidate.rank
    return scores


def bm25_scores(resumes: list[str], queries: list[str]) -> np.ndarray:
    """(queries, resumes) BM25 scores of each job text against every resume (bm25s)."""
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(resumes, stopwords="en", show_progress=False), show_progress=False
    )
    tokenized = bm25s.tokenize(queries, stopwords="en", return_ids=False, show_progress=False)
    return np.vstack([retriever.get_scores(tokens) for tokens in tokenized])


def pair_grid(job_ids: np.ndarray, worker_ids: np.ndarray) -> np.ndarray:
    """Every (job id, worker id) pair, job-major."""
    return np.column_stack([np.repeat(job_ids, len(worker_ids)), np.tile(worker_ids, len(job_ids))])


def top_k(scores: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """(jobs, k) worker columns of the best scores per row; ties to the lower column."""
    order = np.lexsort((np.broadcast_to(np.arange(scores.shape[1]), scores.shape), -scores), axis=1)
    return order[:, :k]


def metrics(top: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    """precision@k, NDCG@k (binary relevance) and the dominant worker's share of shortlists."""
    hits = np.take_along_axis(relevant, top, axis=1).astype(float)
    discounts = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    ideal_counts = np.minimum(relevant.sum(axis=1), top.shape[1])
    ideal = np.array([discounts[:n].sum() for n in ideal_counts])
    counts = Counter(top.ravel().tolist())
    return {
        "p@10": float(hits.mean()),
        "ndcg@10": float(np.mean((hits @ discounts) / np.maximum(ideal, 1e-9))),
        "dominant": counts.most_common(1)[0][1] / len(top) if len(top) else float("nan"),
    }


def dominant_floor(relevant: np.ndarray, k: int = TOP_K) -> float:
    """The least dominant share a ranker with perfect precision@k can have on these postings.

    The postings of one family share r relevant resumes filling k places each, so some
    resume is in at least k / r of that family's shortlists; over several families, the
    largest such share of all the postings.
    """
    if not len(relevant):
        return float("nan")
    patterns, counts = np.unique(relevant, axis=0, return_counts=True)
    shares = counts / len(relevant) * np.minimum(1.0, k / np.maximum(patterns.sum(axis=1), 1))
    return float(shares.max())


def print_table(groups: dict[str, np.ndarray], tops: dict[str, np.ndarray], relevant) -> None:
    """One line per (group, method)."""
    print(f"{'group':<52}{'method':<15}{'p@10':>7}{'ndcg@10':>9}{'dominant':>10}")
    for name, members in groups.items():
        chance = relevant[members].mean()
        print(f"{name + f' ({len(members)} postings, chance {chance:.2f})':<52}")
        print(f"{'':<52}{'(floor)':<15}{'':>16}{dominant_floor(relevant[members]):>10.3f}")
        for method in METHODS:
            figures = metrics(tops[method][members], relevant[members])
            print(
                f"{'':<52}{method:<15}{figures['p@10']:>7.3f}"
                f"{figures['ndcg@10']:>9.3f}{figures['dominant']:>10.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--limit-jobs", type=int, default=0, help="use only the first N postings")
    args = parser.parse_args()
    data = args.data or default_data()
    resumes = load_resumes(data)
    postings = load_postings(data)
    if args.limit_jobs:
        postings = postings[: args.limit_jobs]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        clear_caches()
        clear_shortlist_cache()
        db = build_database(Path(folder) / "real.db", resumes, postings)
        imported = time.perf_counter() - started
        settings = load_settings().with_overrides(models_dir=Path(folder) / "models")
        table = load_worker_table(db)
        jobs = load_jobs(db, status=None)
        job_ids = np.array([job.id for job in jobs])
        pairs = pair_grid(job_ids, table.worker_ids)
        shape = (len(jobs), len(table.worker_ids))
        by_id = {job.id: job for job in jobs}
        started_ranking = time.perf_counter()
        scores = {
            "talentmatch": talentmatch_scores(
                db, [job.external_id for job in jobs], table.worker_ids, settings
            ),
        }
        ranked = time.perf_counter() - started_ranking
        scores["random"] = random_scores(pairs).reshape(shape)
        scores["skill overlap"] = jaccard_scores(pairs, by_id, table).reshape(shape)
        scores["tf-idf"] = tfidf_scores(db, pairs, by_id).reshape(shape)
        scores["bm25"] = bm25_scores([text for _, text in resumes], [job.text() for job in jobs])
        db.close()
    categories = np.array([category for category, _ in resumes])
    worker_family = np.array([FAMILY_OF_CATEGORY[c] for c in categories])
    job_family = np.array([p["family"] for p in postings])
    relevant = job_family[:, None] == worker_family[None, :]
    tops = {method: top_k(values) for method, values in scores.items()}
    sources = np.array([p["source"] for p in postings])
    groups: dict[str, np.ndarray] = {"all postings": np.arange(len(postings))}
    for source in dict.fromkeys(sources):
        groups[source] = np.flatnonzero(sources == source)
    for family in dict.fromkeys(job_family):
        groups[family] = np.flatnonzero(job_family == family)
        for source in dict.fromkeys(sources[job_family == family]):
            groups[f"  {source}: {family}"] = np.flatnonzero(
                (job_family == family) & (sources == source)
            )
    print(
        f"{len(resumes)} resumes, {len(postings)} postings; imported in {imported:.1f} s, "
        f"talentmatch shortlists in {ranked:.1f} s "
        f"({1000 * ranked / max(len(jobs), 1):.1f} ms each)"
    )
    print_table(groups, tops, relevant)
    most = Counter(tops["talentmatch"].ravel().tolist()).most_common(3)
    print(
        "talentmatch's most frequent workers: "
        + ", ".join(f"{categories[w]} resume #{w + 1} in {n / len(postings):.0%}" for w, n in most)
    )


if __name__ == "__main__":
    main()
