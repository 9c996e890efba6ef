"""The production ranker: retrieval + Keras ranker + popularity, weighted on training data.

Stages, each scoring every candidate:

* ``hybrid`` - the LightFM hybrid's embedding score (retrieval; collaborative taste, the
  viewer's recent events folded in);
* ``ranker`` - the Keras short-video ranker's value (:mod:`.ranker`: completion, loops,
  likes, comments, follows, skips, "Not interested" from popularity windows, age, creator
  and hashtag statistics, viewer history, context);
* ``popular`` - log positive events per video (most-popular).

The page is ranked by ``w_r z(ranker) + w_h z(hybrid) + w_p z(popular)`` (``z`` standardizes
over the candidates). The weights are non-negative, sum to 1 and are chosen on a grid by
NDCG@k on a validation slice carved out of the *training* log (each user's last 20% by
time): ``(0, 0, 1)`` is most-popular and ``(0, 1, 0)`` the hybrid alone, so on that slice
the pipeline is never worse than either. Then every stage is retrained on the whole log.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from itertools import product

import numpy as np

from ..config import HybridConfig
from ..data import InteractionLog, random_split, temporal_split
from ..recommender import HybridRecommender
from .ranker import RankerConfig
from .recommender import MonolithRecommender, _zscore

STAGES = ("ranker", "hybrid", "popular")


def weight_grid(step: float = 0.1) -> np.ndarray:
    """Every (w_ranker, w_hybrid, w_popular) >= 0 with sum 1 on a ``step`` grid."""
    n = round(1 / step)
    rows = [(a, b, n - a - b) for a, b in product(range(n + 1), repeat=2) if a + b <= n]
    return np.array(rows, dtype=np.float64) / n


class _Stage:
    """One stage of a fitted pipeline, ranking alone (for the evaluation table)."""

    def __init__(self, pipeline: ProductionRanker, weights: tuple[float, float, float]):
        self.pipeline = pipeline
        self.weights = np.array(weights)
        self.train_seconds = pipeline.train_seconds

    def recommend(self, user_id, k=10, *, exclude=(), candidates=None, exclude_seen=True):
        return self.pipeline.recommend(
            user_id,
            k,
            exclude=exclude,
            candidates=candidates,
            exclude_seen=exclude_seen,
            weights=self.weights,
        )


class ProductionRanker:
    """The For You ranking pipeline behind ``fit`` / ``recommend`` (module doc)."""

    name = "production"

    def __init__(
        self,
        *,
        seed: int = 0,
        k: int = 10,
        ranker_config: RankerConfig | None = None,
        hybrid_config: HybridConfig | None = None,
        validation_users: int = 1000,
        weights: Sequence[float] | None = None,
    ):
        self.seed = seed
        self.k = k
        self.ranker_config = ranker_config or RankerConfig(seed=seed)
        self.hybrid_config = hybrid_config or HybridConfig(seed=seed)
        self.validation_users = validation_users
        self.fixed_weights = None if weights is None else np.asarray(weights, dtype=float)
        self.validation: dict[tuple[float, float, float], float] = {}
        self.weights = np.array([0.0, 0.0, 1.0])

    # -- training ----------------------------------------------------------------------
    def _fit_stages(self, log, items, item_features, min_weight):
        hybrid = HybridRecommender(self.hybrid_config)
        hybrid.fit(log, items=items, item_features=item_features, min_weight=min_weight)
        ranker = MonolithRecommender(self.ranker_config, alpha=1.0, seed=self.seed)
        ranker.fit(log, items=items, item_features=item_features, min_weight=min_weight)
        state = ranker.state
        hybrid_rows = np.array(
            [-1 if (r := hybrid.item_row(item)) is None else r for item in state.item_ids],
            dtype=np.int64,
        )
        return hybrid, ranker, hybrid_rows

    def fit(
        self,
        log: InteractionLog,
        *,
        items: Iterable[str] = (),
        item_features: Mapping[str, Sequence[str]] | None = None,
        min_weight: float = 0.0,
        **_,
    ) -> ProductionRanker:
        started = time.perf_counter()
        items = list(items)
        if self.fixed_weights is not None:
            self.weights = self.fixed_weights
        else:
            self.weights = self._choose_weights(log, items, item_features, min_weight)
        self.hybrid, self.ranker, self._hybrid_rows = self._fit_stages(
            log, items, item_features, min_weight
        )
        self.train_seconds = time.perf_counter() - started
        return self

    def _choose_weights(self, log, items, item_features, min_weight) -> np.ndarray:
        split = temporal_split(log) if log.has_timestamps() else random_split(log, seed=self.seed)
        hybrid, ranker, hybrid_rows = self._fit_stages(
            split.train, items, item_features, min_weight
        )
        state = ranker.state
        relevant: dict[str, set[int]] = {}
        positive = split.test.positive_mask(min_weight)
        for user, item in zip(
            split.test.user_ids[positive], split.test.item_ids[positive], strict=True
        ):
            row = state.item_index.get(item)
            if row is not None and row not in ranker._seen.get(user, ()):
                relevant.setdefault(user, set()).add(row)
        users = sorted(relevant)
        if len(users) > self.validation_users:
            rng = np.random.default_rng(self.seed)
            users = sorted(rng.choice(users, size=self.validation_users, replace=False))
        grid = weight_grid()
        totals = np.zeros(len(grid))
        rows = np.arange(state.n_items)
        discounts = 1.0 / np.log2(np.arange(2, self.k + 2))
        for user in users:
            z = self._stage_scores(hybrid, ranker, hybrid_rows, user, rows)
            scores = grid @ z
            seen = np.fromiter(ranker._seen.get(user, ()), dtype=np.int64)
            scores[:, seen] = -np.inf
            k = min(self.k, scores.shape[1])
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
            top = np.take_along_axis(top, order, axis=1)
            hits = np.isin(top, np.fromiter(relevant[user], dtype=np.int64))
            ideal = discounts[: min(len(relevant[user]), self.k)].sum()
            totals += (hits * discounts[:k]).sum(axis=1) / ideal
        if not users:
            return np.array([0.0, 1.0, 0.0])
        means = totals / len(users)
        self.validation = {tuple(map(float, w)): float(m) for w, m in zip(grid, means, strict=True)}
        return grid[int(np.argmax(means))]

    @staticmethod
    def _stage_scores(hybrid, ranker, hybrid_rows, user, rows) -> np.ndarray:
        """(3, len(rows)): standardized ranker value, hybrid score and popularity."""
        parts = ranker.arrays.score(ranker.state, user, rows, ranker.state.clock)
        known = hybrid_rows[rows]
        raw = hybrid.score_items(user, np.maximum(known, 0))
        floor = raw[known >= 0].min() if (known >= 0).any() else 0.0
        hybrid_score = np.where(known >= 0, raw, floor)
        return np.stack(
            [_zscore(parts["value"]), _zscore(hybrid_score), _zscore(parts["popularity"])]
        )

    # -- ranking -----------------------------------------------------------------------
    def stages(self) -> dict[str, _Stage]:
        """Each stage alone (same fitted models), for the evaluation table."""
        self.ranker.train_seconds = self.ranker.train_seconds or 0.0
        return {"ranker": _Stage(self, (1.0, 0.0, 0.0)), "hybrid": self.hybrid}

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        exclude: Iterable[str] = (),
        candidates: Iterable[str] | None = None,
        exclude_seen: bool = True,
        weights: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        state = self.ranker.state
        if candidates is None:
            rows = np.arange(state.n_items)
        else:
            rows = np.unique(
                np.array(
                    [state.item_index[c] for c in candidates if c in state.item_index],
                    dtype=np.int64,
                )
            )
        if len(rows) == 0 or k <= 0:
            return []
        w = self.weights if weights is None else weights
        score = w @ self._stage_scores(self.hybrid, self.ranker, self._hybrid_rows, user_id, rows)
        banned = {state.item_index[e] for e in exclude if e in state.item_index}
        if exclude_seen:
            banned |= self.ranker._seen.get(user_id, set())
        if banned:
            score[np.isin(rows, np.fromiter(banned, dtype=np.int64))] = -np.inf
        order = np.argsort(-score, kind="stable")[:k]
        return [(state.item_ids[rows[i]], float(score[i])) for i in order if np.isfinite(score[i])]
