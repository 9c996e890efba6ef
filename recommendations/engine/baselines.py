"""Baselines the project's recommender is measured against, with the same interface.

* :class:`MostPopular` ranks items by how many distinct users gave them positive feedback
  in training, the same list for everyone.
* :class:`PlainLightFM` is stock LightFM with the WARP loss on the binary positive
  interactions: no side features, no sample weights, no online updates, and the
  hyperparameters of LightFM's own examples (see its defaults below), not tuned here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from .data import IdIndex, InteractionLog


class _IndexedRecommender:
    """Shared catalog bookkeeping and top-k selection for the baselines."""

    name = "baseline"

    def _index(self, log: InteractionLog, items: Iterable[str]) -> None:
        import scipy.sparse as sp  # imported lazily, like LightFM: only training needs it

        self._item_index = IdIndex(items)
        for item in log.item_ids:
            self._item_index.add(item)
        self._user_index = IdIndex(log.user_ids)
        users = self._user_index.lookup(log.user_ids)
        rows = self._item_index.lookup(log.item_ids)
        self._seen = sp.csr_matrix(
            (np.ones(len(log), dtype=np.float32), (users, rows)),
            shape=(len(self._user_index), len(self._item_index)),
        )
        self._seen.sum_duplicates()

    @property
    def item_ids(self) -> list[str]:
        """Catalog item ids in index order."""
        return self._item_index.ids

    def score_items(self, user_id: str, item_rows: np.ndarray | None = None) -> np.ndarray:
        """Scores for catalog rows (all when None)."""
        raise NotImplementedError

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        exclude: Iterable[str] = (),
        candidates: Iterable[str] | None = None,
        exclude_seen: bool = True,
    ) -> list[tuple[str, float]]:
        """Top-``k`` ``(item_id, score)``, same contract as the hybrid model's."""
        if k <= 0:
            return []
        rows = None if candidates is None else np.unique(self._item_index.lookup(candidates))
        scores = np.array(self.score_items(user_id, rows), dtype=np.float64)
        banned = [self._item_index.lookup(exclude)]
        user_row = self._user_index.get(user_id)
        if exclude_seen and user_row is not None:
            banned.append(
                self._seen.indices[self._seen.indptr[user_row] : self._seen.indptr[user_row + 1]]
            )
        banned_rows = np.concatenate(banned)
        if len(banned_rows):
            if rows is None:
                scores[banned_rows] = -np.inf
            else:
                scores[np.isin(rows, banned_rows)] = -np.inf
        valid = int(np.isfinite(scores).sum())
        want = min(k, valid)
        if want == 0:
            return []
        top = (
            np.argpartition(-scores, want - 1)[:want]
            if want < len(scores)
            else np.arange(len(scores))
        )
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])][:k]
        catalog_rows = top if rows is None else rows[top]
        ids = self._item_index.ids
        return [(ids[r], float(scores[t])) for t, r in zip(top, catalog_rows, strict=True)]


class MostPopular(_IndexedRecommender):
    """Everyone gets the items with the most distinct positive users in training."""

    name = "popular"

    def fit(
        self, log: InteractionLog, *, items: Iterable[str] = (), min_weight: float = 0.0, **_
    ) -> MostPopular:
        """Count positive users per item (``weight > 0 and >= min_weight``)."""
        started = time.perf_counter()
        self._index(log, items)
        positive = log.positive_mask(min_weight)
        users = self._user_index.lookup(log.user_ids[positive])
        rows = self._item_index.lookup(log.item_ids[positive])
        pairs = np.unique(np.stack([users, rows]), axis=1) if len(rows) else np.empty((2, 0))
        counts = np.bincount(pairs[1].astype(np.int64), minlength=len(self._item_index))
        # Ties are broken by catalog order (first seen), which keeps the ranking deterministic.
        self._scores = counts.astype(np.float64)
        self.train_seconds = time.perf_counter() - started
        return self

    def score_items(self, user_id: str, item_rows: np.ndarray | None = None) -> np.ndarray:
        """Positive-user counts (user-independent)."""
        return self._scores if item_rows is None else self._scores[item_rows]


class PlainLightFM(_IndexedRecommender):
    """Stock LightFM WARP on binary positives; no features, weights or online updates."""

    name = "lightfm"

    def __init__(
        self,
        no_components: int = 32,
        epochs: int = 30,
        learning_rate: float = 0.05,
        seed: int = 0,
        num_threads: int = 1,
    ):
        # 30 epochs at the default learning rate, as in LightFM's quickstart; 32 components
        # rather than the constructor's 10 so capacity is not the reason it loses.
        self.no_components = no_components
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.seed = seed
        self.num_threads = num_threads

    def fit(
        self, log: InteractionLog, *, items: Iterable[str] = (), min_weight: float = 0.0, **_
    ) -> PlainLightFM:
        """Train on the positives (``weight > 0 and >= min_weight``) as a 0/1 matrix."""
        import scipy.sparse as sp
        from lightfm import LightFM

        started = time.perf_counter()
        self._index(log, items)
        positive = log.positive_mask(min_weight)
        users = self._user_index.lookup(log.user_ids[positive])
        rows = self._item_index.lookup(log.item_ids[positive])
        matrix = sp.coo_matrix(
            (np.ones(len(rows), dtype=np.float32), (users, rows)),
            shape=(len(self._user_index), len(self._item_index)),
        ).tocsr()
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        self._model = LightFM(
            loss="warp",
            no_components=self.no_components,
            learning_rate=self.learning_rate,
            random_state=np.random.RandomState(self.seed),
        )
        if matrix.nnz:
            self._model.fit(matrix.tocoo(), epochs=self.epochs, num_threads=self.num_threads)
        else:
            self._model._initialize(self.no_components, matrix.shape[1], matrix.shape[0])
        self._item_bias, self._item_vecs = self._model.get_item_representations()
        _, self._user_vecs = self._model.get_user_representations()
        self.train_seconds = time.perf_counter() - started
        return self

    def score_items(self, user_id: str, item_rows: np.ndarray | None = None) -> np.ndarray:
        """``u.v + b``; users unseen in training get the item biases only."""
        row = self._user_index.get(user_id)
        vecs = self._item_vecs if item_rows is None else self._item_vecs[item_rows]
        bias = self._item_bias if item_rows is None else self._item_bias[item_rows]
        if row is None:
            return bias.astype(np.float64)
        return vecs @ self._user_vecs[row] + bias
