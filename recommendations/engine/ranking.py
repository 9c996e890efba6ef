"""Ranking: scores, exclusions, the "not interested" penalty and the per-creator cap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class RankingMixin:
    """``score_items`` and ``recommend`` of :class:`HybridRecommender`."""

    def score_items(
        self,
        user_id: str,
        item_rows: np.ndarray | None = None,
        *,
        user_features: Sequence[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> np.ndarray:
        """Raw scores (before filters and re-ranking) for catalog rows ``item_rows``
        (all items when None)."""
        self._check_fitted()
        u = self.user_vector(user_id, user_features) if vector is None else vector
        if item_rows is None:
            return self._item_vecs @ u + self._item_offset
        return self._item_vecs[item_rows] @ u + self._item_offset[item_rows]

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        exclude: Iterable[str] = (),
        candidates: Iterable[str] | None = None,
        exclude_seen: bool = True,
        max_per_group: int | None = None,
        user_features: Sequence[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """Top-``k`` ``(item_id, score)`` for a user, best first.

        * ``exclude``: item ids never to return (e.g. already in the feed).
        * ``candidates``: rank only these item ids (e.g. from a retrieval stage).
        * ``exclude_seen``: also drop items the user interacted with in training or online.
        * ``max_per_group``: at most this many items per creator (``group_prefix`` feature).
        * ``vector``: rank with this user embedding instead of the stored one.

        Items the user hid ("not interested") are always excluded, and items similar to
        the most recent hidden ones lose up to ``hide_similarity_penalty`` score spreads.
        """
        self._check_fitted()
        if k <= 0:
            return []
        index = self._item_index
        rows = np.unique(index.lookup(candidates)) if candidates is not None else None
        u = self.user_vector(user_id, user_features) if vector is None else vector
        state = self._online.get(user_id)
        hidden = (
            np.array(state.hidden, dtype=np.int64)
            if state is not None and state.hidden
            else np.empty(0, dtype=np.int64)
        )
        recent = hidden[-self.config.hide_penalty_recent :]
        penalize = len(recent) > 0 and self.config.hide_similarity_penalty > 0
        vecs = self._item_vecs if rows is None else self._item_vecs[rows]
        offset = self._item_offset if rows is None else self._item_offset[rows]
        if penalize:
            # One pass over the item matrix for the scores and the similarities to the
            # hidden items (it is the memory traffic, not the arithmetic, that costs).
            hidden_vecs = self._item_vecs[recent]
            directions = np.column_stack([np.asarray(u, dtype=np.float32), hidden_vecs.T])
            products = vecs @ directions
            scores = products[:, 0] + offset
            norms = self._item_norms if rows is None else self._item_norms[rows]
            cosine = products[:, 1:] / (norms[:, None] * self._item_norms[recent][None, :])
            similarity = np.maximum(cosine.max(axis=1), 0.0)
            scores -= np.float32(self.config.hide_similarity_penalty * self._score_scale) * (
                similarity
            )
        else:
            scores = vecs @ np.asarray(u, dtype=np.float32) + offset

        banned = [index.lookup(exclude), hidden]
        if exclude_seen:
            user_row = self._user_index.get(user_id)
            if user_row is not None:
                banned.append(
                    self._seen.indices[
                        self._seen.indptr[user_row] : self._seen.indptr[user_row + 1]
                    ]
                )
            if state is not None and state.seen:
                banned.append(np.fromiter(state.seen, dtype=np.int64))
        banned_rows = np.concatenate(banned)
        if len(banned_rows):
            if rows is None:
                scores[banned_rows] = -np.inf  # scores is a fresh array
            else:
                scores = np.where(np.isin(rows, banned_rows), -np.inf, scores)

        return self._top_k(scores, rows, k, max_per_group)

    def _top_k(
        self, scores: np.ndarray, rows: np.ndarray | None, k: int, max_per_group: int | None
    ) -> list[tuple[str, float]]:
        """Best ``k`` finite scores via argpartition (O(n), not a full sort), then the
        per-group cap. When the cap rejects items, fetch a larger slice and try again."""
        valid = int(np.isfinite(scores).sum())
        if valid == 0:
            return []
        want = min(valid, k if not max_per_group else 4 * k)
        while True:
            if want < len(scores):
                top = np.argpartition(-scores, want - 1)[:want]
            else:
                top = np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            top = top[np.isfinite(scores[top])]
            catalog_rows = top if rows is None else rows[top]
            if not max_per_group:
                break
            groups = self._item_groups[catalog_rows]
            counts: dict[int, int] = {}
            keep = []
            for position, group in enumerate(groups):
                if group >= 0:
                    if counts.get(group, 0) >= max_per_group:
                        continue
                    counts[group] = counts.get(group, 0) + 1
                keep.append(position)
                if len(keep) == k:
                    break
            if len(keep) == k or want >= valid:
                top, catalog_rows = top[keep], catalog_rows[keep]
                break
            want = min(valid, want * 4)
        ids = self._item_index.ids
        return [(ids[r], float(scores[t])) for t, r in zip(top[:k], catalog_rows[:k], strict=True)]
