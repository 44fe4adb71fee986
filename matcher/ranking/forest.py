"""Fast exact prediction for the learned ranker's small gradient-boosted trees.

scikit-learn walks each tree in turn (one compiled call per tree, 600 for the ranker's four
step classifiers), which costs about 40 ms for a 2,000-worker pool. Here every tree is
evaluated at once in numpy, as in QuickScorer (Lucchese et al., SIGIR 2015): each tree's
leaves are bits of a mask, left to right; a split whose test a row fails (x > threshold)
clears the bits of its left subtree, and the row's leaf is the lowest bit left (a table
from mask to leaf value). Per feature,
the splits sorted by threshold turn "every split the row fails" into a prefix, so the masks
of all prefixes are precomputed and a row needs one lookup per feature (the masks of eight
trees ANDed as one 64-bit word). Leaf values are then added in scikit-learn's order, so the
raw predictions are bit-for-bit the same.

It reads scikit-learn's private tree arrays, so it is used only with the scikit-learn
versions it was tested with (`TESTED_SKLEARN`) and only when, at load, its probabilities on
probe rows equal the model's own `predict_proba`; otherwise the caller uses `predict_proba`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

MAX_LEAVES = 8  # leaf masks are uint8
ALL_LEAVES = np.uint64(2**64 - 1)  # eight trees' masks with no leaf cleared
# Rows per pass: a pass's masks and leaf indices stay in cache. On a worker partition's
# 120,000 pooled pairs, passes of 4,096 rows took a third of the time of one pass.
CHUNK_ROWS = 4096
# The scikit-learn versions whose tree internals this was tested against (requirements.lock
# pins one of them); widen only after tests/test_ranker_prediction.py passes on the new one.
TESTED_SKLEARN = SpecifierSet(">=1.9,<1.10")
PROBE_ROWS = 256
_LOWEST_BIT = np.array(
    [(value & -value).bit_length() - 1 if value else 0 for value in range(256)], dtype=np.intp
)


@dataclass(frozen=True)
class FeatureSplits:
    """Every split on one feature: sorted thresholds and the leaf masks after each prefix."""

    feature: int
    thresholds: np.ndarray  # (n_splits,) float64, ascending
    prefix_masks: np.ndarray  # (n_splits + 1, n_trees) uint8: leaves left after the k lowest
    words: np.ndarray = field(init=False, repr=False, compare=False)  # the same, 8 trees a word

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", _as_words(self.prefix_masks))


@dataclass(frozen=True)
class CompiledForest:
    """One boosted model's trees in arrays: raw predictions of many rows in a few numpy calls."""

    baseline: float
    splits: list[FeatureSplits]
    value_of_mask: np.ndarray  # (n_trees, 256) float64: the value of the mask's lowest leaf
    n_trees: int
    link: Callable[[np.ndarray], np.ndarray]  # raw predictions to class probabilities
    # value_of_mask flattened, and each tree's offset into it: one gather for every tree.
    flat_values: np.ndarray = field(init=False, repr=False, compare=False)
    tree_offsets: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flat_values", self.value_of_mask.ravel())
        offsets = np.arange(self.n_trees, dtype=np.intp)[:, None] * self.value_of_mask.shape[1]
        object.__setattr__(self, "tree_offsets", offsets)

    def positive_probability(self, X: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row, as `predict_proba(X)[:, 1]`."""
        return self.link(self.raw_predict(X))[:, 1]

    def raw_predict(self, X: np.ndarray) -> np.ndarray:
        """The sum of the baseline and every tree's leaf value for each row of `X` (no NaN)."""
        columns = np.ascontiguousarray(np.asarray(X, dtype=np.float64).T)
        raw = np.empty(columns.shape[1], dtype=np.float64)
        for start in range(0, len(raw), CHUNK_ROWS):
            raw[start : start + CHUNK_ROWS] = self._raw_chunk(
                columns[:, start : start + CHUNK_ROWS]
            )
        return raw

    def _raw_chunk(self, columns: np.ndarray) -> np.ndarray:
        """`raw_predict` of the rows given as (features, rows) columns."""
        words = np.full((columns.shape[1], _word_count(self.n_trees)), ALL_LEAVES, np.uint64)
        taken = np.empty_like(words)
        for split in self.splits:
            failed = np.searchsorted(split.thresholds, columns[split.feature], side="left")
            words &= np.take(split.words, failed, axis=0, out=taken)
        masks = words.view(np.uint8)[:, : self.n_trees]
        # (n_trees, rows) in C order, so that each tree's values are contiguous to add.
        values = self.flat_values[np.add(masks.T, self.tree_offsets, order="C")]
        raw = np.full(columns.shape[1], self.baseline, dtype=np.float64)
        for tree_values in values:  # one tree at a time, as scikit-learn adds them
            raw += tree_values
        return raw


def _word_count(n_trees: int) -> int:
    return -(-n_trees // 8)


def _as_words(masks: np.ndarray) -> np.ndarray:
    """(rows, n_trees) uint8 masks as (rows, words) uint64, padded with trees of all leaves."""
    padded = np.full((len(masks), _word_count(masks.shape[1]) * 8), 0xFF, dtype=np.uint8)
    padded[:, : masks.shape[1]] = masks
    return padded.view(np.uint64)


def compile_forest(model, sklearn_version: str | None = None) -> CompiledForest | None:
    """The fitted HistGradientBoostingClassifier's trees compiled, or None if not supported.

    Supported: a tested scikit-learn (`sklearn_version`, default the installed one), binary
    classification, numeric splits only, at most MAX_LEAVES per tree, and agreement with the
    model's own `predict_proba` on probe rows.
    """
    if not sklearn_is_tested(sklearn_version):
        return None
    try:
        forest = _compile(model)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None  # internals shaped otherwise than the tested versions'
    return forest if forest is not None and agrees_with_sklearn(forest, model) else None


def sklearn_is_tested(version: str | None = None) -> bool:
    """Whether `version` (default: the installed scikit-learn) is in TESTED_SKLEARN."""
    if version is None:
        import sklearn

        version = sklearn.__version__
    try:
        return Version(version) in TESTED_SKLEARN
    except InvalidVersion:
        return False


def agrees_with_sklearn(forest: CompiledForest, model) -> bool:
    """Whether the compiled trees give exactly the model's `predict_proba` on probe rows."""
    probe = _probe_rows(forest, model.n_features_in_)
    return bool(
        np.array_equal(forest.positive_probability(probe), model.predict_proba(probe)[:, 1])
    )


def _probe_rows(forest: CompiledForest, n_features: int) -> np.ndarray:
    """Rows at, just below and between the split thresholds, where evaluators can differ."""
    rng = np.random.default_rng(0)
    rows = rng.random((PROBE_ROWS, n_features))
    for split in forest.splits:
        points = np.concatenate(
            [split.thresholds, np.nextafter(split.thresholds, -np.inf), split.thresholds + 1e-3]
        )
        rows[:, split.feature] = rng.choice(points, PROBE_ROWS)
    return rows


def _compile(model) -> CompiledForest | None:
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
        link=model._loss.predict_proba,
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
