"""The Monolith ranker behind the evaluation interface (``fit`` / ``recommend``).

:class:`MonolithRecommender.fit`:

1. carves a validation slice out of the *training* log (each user's last 20% by time, or a
   seeded 20% without timestamps), trains the Keras ranker on the rest and picks the blend
   weight ``alpha`` of model value vs popularity (``alpha = 0`` is most-popular) that gives
   the best NDCG@k on the slice;
2. trains again on the whole training log and keeps ``alpha``.

Scoring then uses the exported numpy arrays (:class:`~.ranker.RankerArrays`), exactly what
serving loads, so the evaluation measures the served model. Training imports TensorFlow
(lazily, in ``fit``); scoring does not.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from ..data import InteractionLog, random_split, temporal_split
from .features import FeatureState, batch_from_weights
from .ranker import RankerArrays, RankerConfig

ALPHAS = tuple(round(float(a), 2) for a in np.linspace(0.0, 1.0, 11))


def _ndcg(ranked: list[int], relevant: set[int], k: int) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = [discounts[i] for i, row in enumerate(ranked[:k]) if row in relevant]
    ideal = discounts[: min(len(relevant), k)].sum()
    return float(sum(hits) / ideal) if ideal else 0.0


class MonolithRecommender:
    """Keras ranker + popularity blend chosen on a validation slice of training."""

    name = "monolith"

    def __init__(
        self,
        config: RankerConfig | None = None,
        *,
        k: int = 10,
        validation_users: int = 1000,
        seed: int = 0,
        alpha: float | None = None,
    ):
        self.config = config or RankerConfig(seed=seed)
        self.k = k
        self.validation_users = validation_users
        self.seed = seed
        self.fixed_alpha = alpha
        self.validation: dict[float, float] = {}
        self.arrays: RankerArrays | None = None
        self.state: FeatureState | None = None

    # -- training ----------------------------------------------------------------------
    def _train(self, log: InteractionLog, items, item_features, min_weight):
        from .train import Trainer

        state = FeatureState(item_features, max_tags=self.config.max_tags)
        for item in items:
            state.add_item(item)
        for item in log.item_ids:
            state.add_item(item)
        trainer = Trainer(self._sized(self.config, log, state), state)
        batch = batch_from_weights(
            log.user_ids, log.item_ids, log.timestamps, log.weights, min_weight
        )
        trainer.fit(batch)
        seen: dict[str, set[int]] = {}
        for user, item in zip(log.user_ids, log.item_ids, strict=True):
            seen.setdefault(user, set()).add(state.item_index[item])
        return trainer, state, seen

    @staticmethod
    def _sized(config: RankerConfig, log: InteractionLog, state: FeatureState) -> RankerConfig:
        """The config with table capacities fitted to the data (room to spare, no eviction)."""
        counts = {
            "users": len(set(log.user_ids.tolist())),
            "videos": state.n_items,
            "creators": len(state.creator_names),
            "hashtags": len(state.tag_names),
        }
        tables = {
            name: replace(spec, capacity=max(16, int(counts[name] * 1.25) + 16))
            for name, spec in config.tables.items()
        }
        return replace(config, tables=tables)

    def fit(
        self,
        log: InteractionLog,
        *,
        items: Iterable[str] = (),
        item_features: Mapping[str, Sequence[str]] | None = None,
        min_weight: float = 0.0,
        **_,
    ) -> MonolithRecommender:
        started = time.perf_counter()
        items = list(items)
        alpha = self.fixed_alpha
        if alpha is None:
            alpha = self._choose_alpha(log, items, item_features, min_weight)
        trainer, self.state, self._seen = self._train(log, items, item_features, min_weight)
        self.arrays = trainer.export(alpha=alpha, meta={"validation": self.validation})
        self.train_seconds = time.perf_counter() - started
        return self

    def _choose_alpha(self, log, items, item_features, min_weight) -> float:
        split = temporal_split(log) if log.has_timestamps() else random_split(log, seed=self.seed)
        trainer, state, seen = self._train(split.train, items, item_features, min_weight)
        arrays = trainer.export()
        relevant: dict[str, set[int]] = {}
        positive = split.test.positive_mask(min_weight)
        for user, item in zip(
            split.test.user_ids[positive], split.test.item_ids[positive], strict=True
        ):
            row = state.add_item(item)
            if row not in seen.get(user, ()):
                relevant.setdefault(user, set()).add(row)
        users = sorted(relevant)
        if len(users) > self.validation_users:
            rng = np.random.default_rng(self.seed)
            users = sorted(rng.choice(users, size=self.validation_users, replace=False))
        totals = dict.fromkeys(ALPHAS, 0.0)
        rows = np.arange(state.n_items)
        for user in users:
            parts = arrays.score(state, user, rows, state.clock)
            banned = np.fromiter(seen.get(user, ()), dtype=np.int64)
            zv = _zscore(parts["value"])
            zp = _zscore(parts["popularity"])
            for alpha in ALPHAS:
                score = alpha * zv + (1 - alpha) * zp
                score[banned] = -np.inf
                top = np.argsort(-score, kind="stable")[: self.k]
                totals[alpha] += _ndcg(top.tolist(), relevant[user], self.k)
        if not users:
            return 1.0
        self.validation = {alpha: total / len(users) for alpha, total in totals.items()}
        return max(ALPHAS, key=lambda a: (self.validation[a], a))

    # -- ranking -----------------------------------------------------------------------
    @property
    def alpha(self) -> float:
        return self.arrays.alpha if self.arrays else 1.0

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        exclude: Iterable[str] = (),
        candidates: Iterable[str] | None = None,
        exclude_seen: bool = True,
    ) -> list[tuple[str, float]]:
        state = self.state
        if candidates is None:
            rows = np.arange(state.n_items)
        else:
            rows = np.unique(
                np.array(
                    [state.item_index[c] for c in candidates if c in state.item_index],
                    dtype=np.int64,
                )
            )
        score = self.arrays.score(state, user_id, rows, state.clock)["score"]
        banned = {state.item_index[e] for e in exclude if e in state.item_index}
        if exclude_seen:
            banned |= self._seen.get(user_id, set())
        if banned:
            score[np.isin(rows, np.fromiter(banned, dtype=np.int64))] = -np.inf
        order = np.argsort(-score, kind="stable")[:k]
        return [(state.item_ids[rows[i]], float(score[i])) for i in order if np.isfinite(score[i])]


def _zscore(x: np.ndarray) -> np.ndarray:
    std = x.std()
    return (x - x.mean()) / std if std > 1e-12 else np.zeros_like(x)
