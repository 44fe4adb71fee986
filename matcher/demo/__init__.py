"""The `talentmatch demo` data set: realistic workers and jobs, and a documented hiring process.

See docs/DEMO_DATA.md for the generative process and the true hire probability.
"""

from matcher.demo.build import (
    DEFAULT_JOBS,
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    DemoError,
    DemoSummary,
    build_demo,
)
from matcher.demo.generator import DemoDataset, generate_demo

__all__ = [
    "DEFAULT_JOBS",
    "DEFAULT_SEED",
    "DEFAULT_WORKERS",
    "DemoDataset",
    "DemoError",
    "DemoSummary",
    "build_demo",
    "generate_demo",
]
