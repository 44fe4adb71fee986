"""Fast exact prediction for the learned ranker's small gradient-boosted trees.

scikit-learn walks each tree in turn (one compiled call per tree, 600 for the ranker's four
step classifiers), which costs about 40 ms for a 2,000-worker pool. Here every tree is
evaluated at once in numpy, as in QuickScorer (Lucchese et al., SIGIR 2015): each tree's
leaves are bits of a mask, left to right; a split whose test a row fails (x > threshold)
clears the bits of its left subtree, and the row's leaf is the lowest bit left (a table
from mask to leaf value). Per feature,
the splits sorted by threshold turn "every split the row fails" into a prefix, so the masks
of all prefixes are precomputed and a row needs one lookup per feature. Leaf values are then
added in scikit-learn's order, so the raw predictions are bit-for-bit the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_LEAVES = 8  # leaf masks are uint8
_LOWEST_BIT = np.array(
    [(value & -value).bit_length() - 1 if value else 0 for value in range(256)], dtype=np.intp
)


@dataclass(frozen=True)
class FeatureSplits:
    """Every split on one feature: sorted thresholds and the leaf masks after each prefix."""

    feature: int
    thresholds: np.ndarray  # (n_splits,) float64, ascending
    prefix_masks: np.ndarray  # (n_splits + 1, n_trees) uint8: leaves left after the k lowest


@dataclass(frozen=True)
class CompiledForest:
    """One boosted model's trees in arrays: raw predictions of many rows in a few numpy calls."""

    baseline: float
    splits: list[FeatureSplits]
    value_of_mask: np.ndarray  # (n_trees, 256) float64: the value of the mask's lowest leaf
    n_trees: int

    def raw_predict(self, X: np.ndarray) -> np.ndarray:
        """The sum of the baseline and every tree's leaf value for each row of `X` (no NaN)."""
        X = np.asarray(X, dtype=np.float64)
        masks = np.full((len(X), self.n_trees), 0xFF, dtype=np.uint8)
        for split in self.splits:
            failed = np.searchsorted(split.thresholds, X[:, split.feature], side="left")
            masks &= split.prefix_masks[failed]
        values = self.value_of_mask[np.arange(self.n_trees)[:, None], masks.T]
        raw = np.full(len(X), self.baseline, dtype=np.float64)
        for tree_values in values:  # one tree at a time, as scikit-learn adds them
            raw += tree_values
        return raw


def compile_forest(model) -> CompiledForest | None:
    """The fitted HistGradientBoostingClassifier's trees compiled, or None if not supported.

    Supported: binary classification, numeric splits only, at most MAX_LEAVES per tree.
    """
    baseline = np.asarray(model._baseline_prediction, dtype=np.float64)
    if baseline.size != 1:
        return None
    trees = [predictors[0].nodes for predictors in model._predictors]
    if any(t["is_categorical"].any() or t["is_leaf"].sum() > MAX_LEAVES for t in trees):
        return None
    leaf_values = np.zeros((len(trees), MAX_LEAVES), dtype=np.float64)
    split_rows: list[tuple[int, float, int, int]] = []  # (feature, threshold, tree, mask)
    for tree_index, nodes in enumerate(trees):
        leaves_below = _leaves_below(nodes)
        leaf_values[tree_index, : len(leaves_below[0])] = nodes["value"][leaves_below[0]]
        leaf_bit = {leaf: 1 << bit for bit, leaf in enumerate(leaves_below[0])}
        for node in np.flatnonzero(~nodes["is_leaf"].astype(bool)):
            left_mask = sum(leaf_bit[leaf] for leaf in leaves_below[int(nodes["left"][node])])
            feature = int(nodes["feature_idx"][node])
            threshold = float(nodes["num_threshold"][node])
            split_rows.append((feature, threshold, tree_index, 0xFF & ~left_mask))
    return CompiledForest(
        baseline=float(baseline.ravel()[0]),
        splits=_feature_splits(split_rows, len(trees)),
        value_of_mask=leaf_values[:, _LOWEST_BIT],
        n_trees=len(trees),
    )


def _leaves_below(nodes: np.ndarray) -> dict[int, list[int]]:
    """For each node, the leaves of its subtree from left to right."""
    below: dict[int, list[int]] = {}

    def visit(node: int) -> list[int]:
        if nodes["is_leaf"][node]:
            below[node] = [node]
        else:
            below[node] = visit(int(nodes["left"][node])) + visit(int(nodes["right"][node]))
        return below[node]

    visit(0)
    return below


def _feature_splits(rows: list[tuple[int, float, int, int]], n_trees: int) -> list[FeatureSplits]:
    """Group the splits by feature, sort them by threshold and precompute the prefix masks."""
    result = []
    for feature in sorted({row[0] for row in rows}):
        own = sorted((row for row in rows if row[0] == feature), key=lambda row: row[1])
        step_masks = np.full((len(own) + 1, n_trees), 0xFF, dtype=np.uint8)
        for position, (_, _, tree, mask) in enumerate(own, start=1):
            step_masks[position, tree] = mask
        result.append(
            FeatureSplits(
                feature=feature,
                thresholds=np.array([row[1] for row in own], dtype=np.float64),
                prefix_masks=np.bitwise_and.accumulate(step_masks, axis=0),
            )
        )
    return result
