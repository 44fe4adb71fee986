"""Fit bands: one score that means one thing, whichever scorer serves and whoever looks.

A pair's fit is its band and its percentile. The percentile places the worker among the
job's eligible candidates (100: the best of them, 0: the last); it does not depend on the
scorer's scale, so learned and cold-start rankings read alike. The band combines that
percentile with an absolute guard on substance, the share of the job's required skills the
worker holds and whether they can work the job as offered, so that the best of three poor
candidates is not called "strong". Every page, email, CLI line and API response asks a
`FitBand` for its parts; `docs/FIT_BANDS.md` explains the rule to people.

Pure Python on purpose: the command line and the digest templates import it at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matcher.i18n import N_


@dataclass(frozen=True)
class FitBand:
    """One band: its key (the API's value), its label, its rule and its legend text."""

    key: str
    label: str
    min_percentile: int
    min_required_share: float  # share of the job's required skills the worker holds
    needs_workable: bool  # the worker can work the job as offered (its city, or remote)
    legend: str  # a msgid: "%(percent)d" is the top share of candidates the band reaches

    def admits(self, percentile: int, required_share: float, workable: bool) -> bool:
        """Whether a pair with these facts reaches this band."""
        return (
            percentile >= self.min_percentile
            and required_share >= self.min_required_share
            and (workable or not self.needs_workable)
        )


STRONG = FitBand(
    "strong",
    N_("Strong fit"),
    90,
    0.75,
    True,
    N_(
        "top %(percent)d%% of the job's eligible candidates, at least three quarters of its"
        " required skills, and able to work it as offered"
    ),
)
GOOD = FitBand(
    "good",
    N_("Good fit"),
    70,
    0.5,
    True,
    N_(
        "top %(percent)d%%, at least half of the required skills, and able to work the job as"
        " offered"
    ),
)
FAIR = FitBand(
    "fair",
    N_("Fair fit"),
    40,
    0.25,
    False,
    N_("top %(percent)d%% and at least a quarter of the required skills"),
)
WEAK = FitBand("weak", N_("Weak fit"), 0, 0.0, False, N_("everyone else"))
# Best first: a pair's band is the first that admits it.
BANDS: tuple[FitBand, ...] = (STRONG, GOOD, FAIR, WEAK)
BAND_KEYS: tuple[str, ...] = tuple(band.key for band in BANDS)


def band_named(key: str) -> FitBand:
    """The band with this key; ValueError names the valid ones otherwise."""
    for band in BANDS:
        if band.key == key:
            return band
    raise ValueError(f"fit band must be one of {', '.join(BAND_KEYS)}, not {key!r}")


def percentile_of(rank: int, eligible: int) -> int:
    """The share (0-100, rounded down) of the other eligible candidates ranked below `rank`."""
    if eligible <= 1:
        return 100
    rank = min(max(rank, 1), eligible)
    return (100 * (eligible - rank)) // (eligible - 1)


def required_share(explanation: Mapping[str, Any]) -> float:
    """The share of the job's required skills the worker holds (1 when it requires none)."""
    matched = len(explanation.get("matched_skills") or ())
    required = matched + len(explanation.get("missing_skills") or ())
    return 1.0 if required == 0 else matched / required


def band_for(percentile: int, share: float, workable: bool) -> FitBand:
    """The best band that admits these facts."""
    return next(band for band in BANDS if band.admits(percentile, share, workable))


@dataclass(frozen=True)
class Fit:
    """A pair's band and percentile, the same for the employer and the worker."""

    band: FitBand
    percentile: int

    @classmethod
    def of(cls, percentile: int, explanation: Mapping[str, Any]) -> Fit:
        """The fit of a pair with this percentile and explanation."""
        workable = bool(explanation.get("remote_compatible", True))
        return cls(band_for(percentile, required_share(explanation), workable), percentile)

    def at_least(self, band: FitBand) -> bool:
        """Whether this fit is `band` or a better one."""
        return BANDS.index(self.band) <= BANDS.index(band)

    def to_json(self) -> dict[str, Any]:
        return {"band": self.band.key, "percentile": self.percentile}
