"""Top-k ranking metrics with binary relevance.

Conventions (the usual ones, e.g. LightFM's and most papers'):

* ``precision@k`` = hits in the top k / k, even when fewer than k items could be ranked,
  so a model is not rewarded for returning short lists.
* ``recall@k`` = hits in the top k / number of relevant items.
* ``NDCG@k`` = DCG / ideal DCG with ``DCG = sum(1 / log2(rank + 1))`` over hits at 1-based
  ranks <= k; the ideal ranks all ``min(|relevant|, k)`` relevant items first.
* catalog coverage = distinct items recommended to anyone / items that could be recommended.

Users without relevant items are not scored at all (callers skip them).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

import numpy as np


def _hits(ranked: Sequence, relevant: Collection, k: int) -> list[int]:
    return [rank for rank, item in enumerate(list(ranked)[:k], start=1) if item in relevant]


def precision_at_k(ranked: Sequence, relevant: Collection, k: int) -> float:
    """Fraction of the k slots filled with relevant items."""
    if k <= 0:
        raise ValueError("k must be positive")
    return len(_hits(ranked, relevant, k)) / k


def recall_at_k(ranked: Sequence, relevant: Collection, k: int) -> float:
    """Fraction of the relevant items found in the top k (0 when nothing is relevant)."""
    if k <= 0:
        raise ValueError("k must be positive")
    if not relevant:
        return 0.0
    return len(_hits(ranked, relevant, k)) / len(relevant)


def dcg_discounts(k: int) -> np.ndarray:
    """``1 / log2(rank + 1)`` for ranks 1..k."""
    return 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))


def ndcg_at_k(ranked: Sequence, relevant: Collection, k: int) -> float:
    """Binary-relevance NDCG@k (0 when nothing is relevant)."""
    if k <= 0:
        raise ValueError("k must be positive")
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank in _hits(ranked, relevant, k))
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def catalog_coverage(recommendations: Iterable[Iterable], catalog_size: int) -> float:
    """Distinct recommended items / catalog size (0 for an empty catalog)."""
    if catalog_size <= 0:
        return 0.0
    distinct: set = set()
    for ranked in recommendations:
        distinct.update(ranked)
    return len(distinct) / catalog_size


class RankingAccumulator:
    """Averages precision/recall/NDCG@k over users and tracks coverage as lists come in."""

    def __init__(self, k: int, catalog_size: int):
        if k <= 0:
            raise ValueError("k must be positive")
        self.k = k
        self.catalog_size = catalog_size
        self.users = 0
        self._precision = 0.0
        self._recall = 0.0
        self._ndcg = 0.0
        self._recommended: set = set()

    def add(self, ranked: Sequence, relevant: Collection) -> None:
        """Score one user's ranked list against their relevant set (empty sets are ignored)."""
        if not relevant:
            return
        self.users += 1
        self._precision += precision_at_k(ranked, relevant, self.k)
        self._recall += recall_at_k(ranked, relevant, self.k)
        self._ndcg += ndcg_at_k(ranked, relevant, self.k)
        self._recommended.update(list(ranked)[: self.k])

    def result(self) -> dict[str, float]:
        """Mean metrics over the users added so far (zeros when there were none)."""
        n = max(self.users, 1)
        coverage = catalog_coverage([self._recommended], self.catalog_size)
        return {
            "users": self.users,
            "precision": self._precision / n,
            "recall": self._recall / n,
            "ndcg": self._ndcg / n,
            "coverage": coverage,
        }
