"""Fairness audit: how much exposure each self-identified group gets at the top of rankings.

Measures from Geyik, Ambler and Kenthapadi, "Fairness-Aware Ranking in Search &
Recommendation Systems", KDD 2019, with natural logarithms:

- **skew@k** of a group in one ranking: log(share of the top k held by the group / the group's
  desired share). 0 is proportional, log 2 twice its share, -inf absent from the top k.
- **NDKL** of one ranking: sum over positions i of KL(group mix of the top i || desired mix)
  / log2(i + 1), divided by the sum of those discounts. 0 only when every prefix matches the
  desired mix; it is finite whenever every ranked group has a desired share.

The desired mix of a job is the group mix of its candidate pool (every ranked pair of that
job), so a ranking is judged against the people it could have put on top. Over many jobs,
skew@k is pooled: log(top-k slots the group got / top-k slots it would get in proportion),
summed over jobs; for a single job this is exactly skew@k. NDKL is averaged over jobs.

Groups come from `audit_attributes` (self-identified, optional, stored apart from workers and
never read by feature or ranking code); a worker without an answer is in `NOT_RECORDED`. Work
authorization is audited too (`WORK_AUTHORIZATION_ATTRIBUTE`, read from the profile): it is
shown to employers and filterable, never a feature, and citizenship is a protected ground in
Ontario, so the ranking must not sort by it through a proxy either.

Holdouts are small (a few hundred top-10 slots), so a group-blind ranking already shows
skews of 0.2 to 0.35 for small groups and an NDKL of 0.2 to 0.35. Two figures separate
sorting by group from chance:
- a group's skew is *judged* only when its top-k slot count is `Z_SIGNIFICANT` standard
  deviations or more from proportional, the deviation of a group-blind (random) ranking of
  the same pools (hypergeometric per job); `worst_abs_skew@k` is the largest judged |skew|
  (0 when none is judged), so a group shut out of the top k entirely is always caught;
- `ndkl_excess` is NDKL minus `ndkl_chance`, the mean NDKL of `CHANCE_SHUFFLES` random
  orderings of each pool (fixed seed).

**Promotion rule** (`fairness_gate`, used by `talentmatch train`): for each audit attribute,
a new model is not promoted when its `worst_abs_skew@10` exceeds `MAX_ABS_LOG_SKEW`
(|log 0.8|: a group holding under four fifths of its proportional share, the four-fifths rule
of thumb for adverse impact) AND is worse than the rival's (the champion, else the cold-start
scorer), or when its `ndkl_excess` exceeds `MAX_NDKL_EXCESS` AND is worse than the rival's.
Both conditions are needed so that a model is never blocked for a skew the serving scorer
already has (that would only keep the worse one serving). Without audit attributes the gate
passes and the card says the audit was not run.

Work authorization is reported, never gated (`REPORTED_ONLY`): a permit timeline is a fact an
employer may lawfully weigh (the earliest start is a feature), and on the demo the hiring
process itself favours workers who can start sooner, so a model that learns availability
shows a skew against `needs_permit` that the cold-start scorer does not. The card and the
promotion message show it, so a data scientist sees it; they do not decide promotion.

A group whose |skew| is over the limit but whose deviation is below `Z_SIGNIFICANT` is not
judged; it is not hidden either: `let_pass` lists it, and the model card names it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from sqlite_utils import Database

from matcher.constants import COL_ITEM, COL_QUERY, COL_SCORE

AUDIT_K = 10
NOT_RECORDED = "not_recorded"
# Four-fifths rule of thumb: a group holding under 80 % of its proportional share.
MAX_ABS_LOG_SKEW = abs(math.log(0.8))
# A deviation this many standard deviations of a group-blind ranking is not chance.
Z_SIGNIFICANT = 3.0
# Mean NDKL above chance that counts as sorting by group: about three times the spread of
# the mean NDKL of group-blind rankings on a demo holdout (20 % of 150 jobs).
MAX_NDKL_EXCESS = 0.1
CHANCE_SHUFFLES = 20
WORK_AUTHORIZATION_ATTRIBUTE = "work_authorization"
REPORTED_ONLY = frozenset({WORK_AUTHORIZATION_ATTRIBUTE})

Group = Hashable


def group_mix(groups: Sequence[Group]) -> dict[Group, float]:
    """Share of each group in a list of group labels."""
    counts = Counter(groups)
    total = sum(counts.values())
    return {group: count / total for group, count in counts.items()}


def skew_at_k(
    ranked_groups: Sequence[Group], desired: Mapping[Group, float], k: int
) -> dict[Group, float]:
    """log(share in the top k / desired share) for every group with a desired share."""
    top = Counter(ranked_groups[:k])
    size = min(k, len(ranked_groups))
    return {group: _log_ratio(top[group] / size, share) for group, share in desired.items()}


def _log_ratio(observed: float, expected: float) -> float:
    if observed == 0:
        return -math.inf
    return math.log(observed / expected)


def kl_divergence(actual: Mapping[Group, float], desired: Mapping[Group, float]) -> float:
    """KL(actual || desired) in nats; 0·log 0 counts as 0."""
    return sum(p * math.log(p / desired[group]) for group, p in actual.items() if p > 0)


def ndkl(ranked_groups: Sequence[Group], desired: Mapping[Group, float]) -> float:
    """Normalized discounted cumulative KL divergence of one ranking from the desired mix."""
    counts: Counter = Counter()
    total, normalizer = 0.0, 0.0
    for position, group in enumerate(ranked_groups, start=1):
        counts[group] += 1
        prefix = {g: c / position for g, c in counts.items()}
        discount = 1.0 / math.log2(position + 1)
        total += discount * kl_divergence(prefix, desired)
        normalizer += discount
    return total / normalizer if normalizer else 0.0


def ranked_groups_per_query(
    table: Mapping, groups: Mapping[int, Group], default: Group = NOT_RECORDED
) -> list[list[Group]]:
    """Each query's items in ranked order (score descending, ties by item id), as groups."""
    query = np.asarray(table[COL_QUERY])
    item = np.asarray(table[COL_ITEM])
    score = np.asarray(table[COL_SCORE], dtype=np.float64)
    order = np.lexsort((item, -score, query))
    query, item = query[order], item[order]
    bounds = np.flatnonzero(np.r_[True, query[1:] != query[:-1], True])
    labels = [groups.get(int(i), default) for i in item.tolist()]
    return [labels[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=True)]


def exposure_at_k(rankings: Sequence[Sequence[Group]], k: int = AUDIT_K) -> dict[Group, dict]:
    """Per group: top-k slots observed and expected in proportion, pooled skew@k, and z."""
    observed: Counter = Counter()
    expected: Counter = Counter()
    variance: Counter = Counter()
    for ranking in rankings:
        n, size = len(ranking), min(k, len(ranking))
        observed.update(ranking[:size])
        for group, share in group_mix(ranking).items():
            expected[group] += size * share
            # Hypergeometric: `size` slots drawn without replacement from a pool of `n`.
            variance[group] += size * share * (1 - share) * (n - size) / max(n - 1, 1)
    return {
        group: {
            "observed_slots": int(observed[group]),
            "expected_slots": float(expected[group]),
            "skew": _log_ratio(observed[group], expected[group]),
            "z": _z_score(observed[group], expected[group], variance[group]),
        }
        for group in sorted(expected, key=str)
    }


def _z_score(observed: float, expected: float, variance: float) -> float:
    if variance > 0:
        return (observed - expected) / math.sqrt(variance)
    return 0.0 if math.isclose(observed, expected) else math.copysign(math.inf, observed - expected)


def mean_ndkl(rankings: Sequence[Sequence[Group]]) -> float:
    """NDKL averaged over rankings, each against its own pool's group mix."""
    values = [ndkl(ranking, group_mix(ranking)) for ranking in rankings if ranking]
    return float(np.mean(values)) if values else float("nan")


def chance_ndkl(
    rankings: Sequence[Sequence[Group]], shuffles: int = CHANCE_SHUFFLES, seed: int = 0
) -> float:
    """Mean NDKL of group-blind rankings: random orderings of the same pools."""
    rng = np.random.default_rng(seed)
    pools = [sorted(ranking, key=str) for ranking in rankings]  # the pool, not its order
    shuffled = [
        [pool[i] for i in rng.permutation(len(pool))] for _ in range(shuffles) for pool in pools
    ]
    return mean_ndkl(shuffled)


def worst_abs_skew(exposure: Mapping[Group, Mapping], z_min: float = Z_SIGNIFICANT) -> float:
    """Largest |skew| among groups whose deviation from proportional is not chance."""
    judged = [abs(e["skew"]) for e in exposure.values() if abs(e["z"]) >= z_min]
    return max(judged) if judged else 0.0


def let_pass(exposure: Mapping[Group, Mapping], z_min: float = Z_SIGNIFICANT) -> dict:
    """Groups over the skew limit that the significance rule did not judge: {group: (skew, z)}."""
    return {
        str(group): {"skew": e["skew"], "z": e["z"]}
        for group, e in exposure.items()
        if abs(e["skew"]) > MAX_ABS_LOG_SKEW and abs(e["z"]) < z_min
    }


def audit_ranking(
    table: Mapping, groups: Mapping[int, Group], *, k: int = AUDIT_K, chance: float | None = None
) -> dict:
    """Exposure at k, worst judged |skew@k| and NDKL (and its excess over chance) of a scorer."""
    rankings = ranked_groups_per_query(table, groups)
    exposure = exposure_at_k(rankings, k)
    chance = chance_ndkl(rankings) if chance is None else chance
    ndkl_value = mean_ndkl(rankings)
    return {
        f"skew@{k}": {str(group): e["skew"] for group, e in exposure.items()},
        "z": {str(group): e["z"] for group, e in exposure.items()},
        "expected_slots": {str(group): e["expected_slots"] for group, e in exposure.items()},
        "observed_slots": {str(group): e["observed_slots"] for group, e in exposure.items()},
        f"worst_abs_skew@{k}": worst_abs_skew(exposure),
        "let_pass": let_pass(exposure),
        "ndkl": ndkl_value,
        "ndkl_chance": chance,
        "ndkl_excess": ndkl_value - chance,
    }


def load_audit_groups(db: Database) -> dict[str, dict[int, str]]:
    """attribute -> {worker id: value}: self-identified attributes, plus work authorization.

    Work authorization is audited only beside self-identified attributes, so a database
    without them keeps the "not audited" card.
    """
    groups: dict[str, dict[int, str]] = {}
    for worker_id, attribute, value in db.execute(
        "SELECT worker_id, attribute, value FROM audit_attributes ORDER BY attribute, worker_id"
    ):
        groups.setdefault(attribute, {})[worker_id] = value
    if groups:
        groups[WORK_AUTHORIZATION_ATTRIBUTE] = dict(
            db.execute("SELECT id, work_authorization FROM workers ORDER BY id").fetchall()
        )
    return groups


def fairness_audit(
    tables: Mapping[str, Mapping],
    groups_by_attribute: Mapping[str, Mapping[int, Group]],
    *,
    k: int = AUDIT_K,
) -> dict:
    """The audit written into model cards: every scorer's figures for every attribute."""
    attributes = sorted(groups_by_attribute)
    chance = {}
    if tables:
        any_table = next(iter(tables.values()))
        chance = {
            a: chance_ndkl(ranked_groups_per_query(any_table, groups_by_attribute[a]))
            for a in attributes
        }
    return {
        "k": k,
        "thresholds": {
            "max_abs_log_skew": MAX_ABS_LOG_SKEW,
            "z_significant": Z_SIGNIFICANT,
            "max_ndkl_excess": MAX_NDKL_EXCESS,
        },
        "attributes": attributes,
        "scorers": {
            scorer: {
                a: audit_ranking(table, groups_by_attribute[a], k=k, chance=chance[a])
                for a in attributes
            }
            for scorer, table in tables.items()
        },
    }


def fairness_gate(audit: Mapping, candidate: str, rival: str) -> tuple[bool, str]:
    """(passes, reason) of the promotion rule in the module docstring."""
    scorers = audit.get("scorers", {})
    if not audit.get("attributes") or candidate not in scorers:
        return True, "fairness not audited (no audit attributes)"
    gated = [a for a in audit["attributes"] if a not in REPORTED_ONLY]
    problems = [
        problem
        for attribute in gated
        for problem in _gate_problems(audit, attribute, candidate, rival)
    ]
    reported = _reported_only_summary(audit, candidate)
    if problems:
        return False, "fairness: " + "; ".join(problems) + reported
    return True, f"fairness within limits ({', '.join(gated)})" + reported


def _gate_problems(audit: Mapping, attribute: str, candidate: str, rival: str) -> list[str]:
    """The limits one attribute breaks, where the candidate is also worse than the rival."""
    k = audit["k"]
    mine = audit["scorers"][candidate][attribute]
    theirs = audit["scorers"].get(rival, {}).get(attribute)
    problems = []
    for figure, limit in (
        (f"worst_abs_skew@{k}", MAX_ABS_LOG_SKEW),
        ("ndkl_excess", MAX_NDKL_EXCESS),
    ):
        value = mine[figure]
        rival_value = theirs[figure] if theirs else -math.inf
        if value > limit and value > rival_value:
            problems.append(
                f"{attribute} {figure} {value:.3f} > {limit:.3f} and {rival} {rival_value:.3f}"
            )
    return problems


def _reported_only_summary(audit: Mapping, candidate: str) -> str:
    """'; work_authorization reported, not gated: worst |skew@10| 0.885' for each such one."""
    k = audit["k"]
    parts = [
        f"; {a} reported, not gated: worst |skew@{k}| "
        f"{audit['scorers'][candidate][a][f'worst_abs_skew@{k}']:.3f}"
        for a in audit["attributes"]
        if a in REPORTED_ONLY
    ]
    return "".join(parts)


def render_fairness_markdown(audit: Mapping | None) -> list[str]:
    """The model card's fairness section: the rule, every scorer's figures, the model's groups."""
    lines = ["## Fairness audit (exposure of self-identified groups; Geyik et al., KDD 2019)", ""]
    if not audit or not audit.get("attributes"):
        return [*lines, "Not audited: this database has no audit attributes.", ""]
    k, limits = audit["k"], audit["thresholds"]
    lines += [
        f"Promotion rule: not promoted when, for an attribute, worst |skew@{k}| (over groups "
        f"|z| >= {limits['z_significant']:g} from proportional) > "
        f"{limits['max_abs_log_skew']:.3f} (four-fifths rule) or NDKL excess over chance > "
        f"{limits['max_ndkl_excess']:.3f}, and worse than the rival (champion, else cold start).",
        "",
    ]
    for attribute in audit["attributes"]:
        reported = " (reported, not gated)" if attribute in REPORTED_ONLY else ""
        lines += [f"### {attribute}{reported}", "", *_scorer_table(audit, attribute), ""]
        model = audit["scorers"].get("model", {}).get(attribute)
        if model:
            lines += [*_group_table(model, k), "", *_let_pass_lines(model), ""]
    return lines


def _let_pass_lines(figures: Mapping) -> list[str]:
    """Groups over the skew limit that passed only because their deviation may be chance."""
    passed = figures.get("let_pass") or {}
    if not passed:
        return ["No group over the skew limit was let pass by the significance rule."]
    items = [f"{g} (skew {v['skew']:+.2f}, z {v['z']:+.2f})" for g, v in passed.items()]
    return [
        "Let pass by the significance rule (|skew| over the limit, |z| under "
        f"{Z_SIGNIFICANT:g}): " + ", ".join(items) + "."
    ]


def _scorer_table(audit: Mapping, attribute: str) -> list[str]:
    k = audit["k"]
    lines = [
        f"| scorer | worst abs skew@{k} | NDKL | NDKL chance | NDKL excess |",
        "|---|---|---|---|---|",
    ]
    for scorer, figures in audit["scorers"].items():
        f = figures[attribute]
        lines.append(
            f"| {scorer} | {f[f'worst_abs_skew@{k}']:.3f} | {f['ndkl']:.3f} | "
            f"{f['ndkl_chance']:.3f} | {f['ndkl_excess']:+.3f} |"
        )
    return lines


def _group_table(figures: Mapping, k: int) -> list[str]:
    lines = [
        f"| group (model) | expected top-{k} slots | observed | skew@{k} | z |",
        "|---|---|---|---|---|",
    ]
    for group, skew in figures[f"skew@{k}"].items():
        lines.append(
            f"| {group} | {figures['expected_slots'][group]:.1f} | "
            f"{figures['observed_slots'][group]} | {skew:+.3f} | {figures['z'][group]:+.2f} |"
        )
    return lines
