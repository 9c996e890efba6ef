"""Batch training: LightFM (WARP) on ids and side features, then the per-user refresh with
each user's newest events. LightFM and SciPy are imported inside the functions."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Self

import numpy as np

from .data import IdIndex, InteractionLog

if TYPE_CHECKING:
    import scipy.sparse as sp


def _feature_matrix(
    rows: int,
    identity_of_row: np.ndarray | None,
    features_of_row: Sequence[Sequence[int]],
    n_identity: int,
    n_side: int,
    side_weight: float,
) -> sp.csr_matrix:
    """Rows = entities, columns = [ids..., side features...].

    Each row sums to 1 (LightFM works best with normalized rows): an entity with side
    features gives ``side_weight`` to them, split evenly, and the rest to its id column.
    """
    import scipy.sparse as sp

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in range(rows):
        side = features_of_row[row] if row < len(features_of_row) else ()
        has_id = identity_of_row is not None and identity_of_row[row] >= 0
        if side and has_id:
            id_share, side_share = 1.0 - side_weight, side_weight / len(side)
        elif side:
            id_share, side_share = 0.0, 1.0 / len(side)
        else:
            id_share, side_share = 1.0, 0.0
        if has_id:
            indices.append(int(identity_of_row[row]))
            data.append(id_share)
        for feature in side:
            indices.append(n_identity + feature)
            data.append(side_share)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), indptr),
        shape=(rows, n_identity + n_side),
    )


class TrainingMixin:
    """``fit`` and the training-time helpers of :class:`HybridRecommender`."""

    def fit(
        self,
        log: InteractionLog,
        *,
        item_features: Mapping[str, Sequence[str]] | None = None,
        user_features: Mapping[str, Sequence[str]] | None = None,
        items: Iterable[str] = (),
        min_weight: float = 0.0,
    ) -> Self:
        """Train on ``log``; rows with ``weight > 0 and >= min_weight`` are the positives.

        The catalog is the union of ``items``, the items in ``log`` and the keys of
        ``item_features``; catalog items without interactions are scored by their features.
        Every user and item of the log (any weight) is marked as seen by its user.
        """
        import scipy.sparse as sp
        from lightfm import LightFM  # imported lazily: the Cython module is slow to load

        started = time.perf_counter()
        cfg = self.config
        item_features = dict(item_features or {})
        user_features = dict(user_features or {})

        self._item_index = IdIndex(items)
        for item in log.item_ids:
            self._item_index.add(item)
        for item in item_features:
            self._item_index.add(item)
        self._user_index = IdIndex(log.user_ids)
        for user in user_features:
            self._user_index.add(user)
        n_users, n_items = len(self._user_index), len(self._item_index)

        users = self._user_index.lookup(log.user_ids)
        item_rows = self._item_index.lookup(log.item_ids)
        self._seen = sp.csr_matrix(
            (np.ones(len(log), dtype=np.float32), (users, item_rows)), shape=(n_users, n_items)
        )
        self._seen.sum_duplicates()
        self._seen.data[:] = 1.0

        positive = log.positive_mask(min_weight)
        weights = np.minimum(log.weights[positive], cfg.max_sample_weight)
        stamps = log.timestamps[positive]
        pos_users, pos_items = users[positive], item_rows[positive]
        if cfg.recency_half_life_days and np.isfinite(stamps).any():
            weights = weights * self._user_recency(pos_users, stamps, n_users)
        interactions = sp.coo_matrix(
            (weights.astype(np.float32), (pos_users, pos_items)), shape=(n_users, n_items)
        ).tocsr()
        interactions.sum_duplicates()
        interactions.data = np.minimum(interactions.data, cfg.max_sample_weight)
        interactions = interactions.tocoo()
        # Normalize to mean 1 so the learning rate means the same whatever the weight scale.
        if interactions.nnz:
            interactions.data /= interactions.data.mean()
        binary = sp.coo_matrix(
            (np.ones(interactions.nnz, dtype=np.float32), (interactions.row, interactions.col)),
            shape=(n_users, n_items),
        )

        self._item_feature_index = IdIndex(f for fs in item_features.values() for f in fs)
        self._user_feature_index = IdIndex(f for fs in user_features.values() for f in fs)
        item_side = [
            self._item_feature_index.lookup(item_features.get(item, ()))
            for item in self._item_index.ids
        ]
        user_side = [
            self._user_feature_index.lookup(user_features.get(user, ()))
            for user in self._user_index.ids
        ]
        item_matrix = _feature_matrix(
            n_items,
            np.arange(n_items),
            [list(s) for s in item_side],
            n_items,
            len(self._item_feature_index),
            cfg.item_feature_weight,
        )
        user_matrix = _feature_matrix(
            n_users,
            np.arange(n_users),
            [list(s) for s in user_side],
            n_users,
            len(self._user_feature_index),
            cfg.user_feature_weight,
        )

        # An ensemble of LightFM runs with different seeds, concatenated: the score
        # u.v = sum_k u_k.v_k / K is their average, and fold-in still solves one vector.
        parts: dict[str, list[np.ndarray]] = {
            key: [] for key in ("iv", "ib", "uv", "fv", "fb", "ufv")
        }
        members = max(1, cfg.ensemble)
        for member in range(members):
            lightfm = LightFM(
                loss="warp",
                no_components=cfg.no_components,
                learning_rate=cfg.learning_rate,
                max_sampled=cfg.max_sampled,
                item_alpha=cfg.item_alpha,
                user_alpha=cfg.user_alpha,
                random_state=np.random.RandomState(cfg.seed + 1000 * member),
            )
            if interactions.nnz:
                lightfm.fit(
                    binary,
                    user_features=user_matrix,
                    item_features=item_matrix,
                    sample_weight=interactions,
                    epochs=cfg.epochs,
                    num_threads=cfg.num_threads,
                )
            else:
                # Nothing to learn from: keep LightFM's initial state so shapes are right.
                lightfm._initialize(cfg.no_components, item_matrix.shape[1], user_matrix.shape[1])
            item_bias, item_vecs = lightfm.get_item_representations(item_matrix)
            _, user_vecs = lightfm.get_user_representations(user_matrix)
            parts["iv"].append(item_vecs)
            parts["ib"].append(item_bias / members)
            parts["uv"].append(user_vecs / members)
            # Side-feature embeddings (not the id ones) are kept for cold-start scoring.
            parts["fv"].append(lightfm.item_embeddings[n_items:])
            parts["fb"].append(lightfm.item_biases[n_items:] / members)
            parts["ufv"].append(lightfm.user_embeddings[n_users:] / members)

        def join(key: str) -> np.ndarray:
            return np.ascontiguousarray(np.hstack(parts[key]), dtype=np.float32)

        self._item_vecs = join("iv")
        self._user_vecs = join("uv")
        self._item_feature_vecs = join("fv")
        self._user_feature_vecs = join("ufv")
        self._item_bias = np.sum(parts["ib"], axis=0).astype(np.float32)
        self._item_feature_bias = np.sum(parts["fb"], axis=0).astype(np.float32)

        self._popularity = self._item_popularity(pos_items, stamps, n_items)
        self._item_groups = self._groups(item_features)
        self._finish_setup()
        if cfg.refresh_recent_events > 0:
            self._refresh_recent(log, users, item_rows)
            self._score_scale = self._typical_score_spread()
        self._online = {}
        self._fitted = True
        known_times = log.timestamps[np.isfinite(log.timestamps)]
        self.trained_at = float(known_times.max()) if len(known_times) else None
        self.train_seconds = time.perf_counter() - started
        return self

    def _refresh_recent(self, log: InteractionLog, users: np.ndarray, rows: np.ndarray) -> None:
        """Fold each user's newest training events into their embedding, as if they had
        just happened: the batch embedding averages a whole history, while what a user
        watches next follows what they watched last."""
        n = self.config.refresh_recent_events
        order = log.time_order()
        by_user: dict[int, list[int]] = {}
        for position in order:
            if log.weights[position] != 0:
                by_user.setdefault(int(users[position]), []).append(int(position))
        for user, positions in by_user.items():
            recent = positions[-n:]
            self._user_vecs[user] = self.fold_in(
                self._user_vecs[user], rows[recent], log.weights[recent], l2=self.config.refresh_l2
            )

    def _user_recency(self, users: np.ndarray, stamps: np.ndarray, n_users: int) -> np.ndarray:
        """Per-event decay ``0.5 ** (age / half_life)``, age counted from the user's newest
        event, so a user's current taste outweighs what they liked months ago."""
        finite = np.where(np.isfinite(stamps), stamps, -np.inf)
        newest = np.full(n_users, -np.inf)
        np.maximum.at(newest, users, finite)
        age_days = (newest[users] - finite) / 86400.0
        decay = np.power(0.5, age_days / self.config.recency_half_life_days)
        return np.where(np.isfinite(decay), decay, 1.0)

    def _item_popularity(self, items: np.ndarray, stamps: np.ndarray, n_items: int) -> np.ndarray:
        """Positive-feedback count per item, optionally decayed towards the newest event."""
        weights = np.ones(len(items))
        half_life = self.config.popularity_half_life_days
        if half_life and len(stamps) and np.isfinite(stamps).any():
            newest = np.nanmax(stamps)
            age = np.where(np.isfinite(stamps), (newest - stamps) / 86400.0, 0.0)
            weights = np.power(0.5, age / half_life)
        return np.bincount(items, weights=weights, minlength=n_items).astype(np.float64)

    def _groups(self, item_features: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Group index (e.g. creator) of each catalog item, -1 for none."""
        self._group_index = IdIndex()
        result = np.full(len(self._item_index), -1, dtype=np.int64)
        for item, features in item_features.items():
            group = self._group_of(features)
            if group is not None:
                result[self._item_index[item]] = self._group_index.add(group)
        return result
