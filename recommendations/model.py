"""The project's recommender: hybrid LightFM (WARP) plus online fold-in of fresh events.

Training (``fit``) is a batch job: LightFM learns embeddings for item ids *and* item
features (creator, hashtags, title words...) and for user ids and user features, with the
WARP ranking loss on positive feedback weighted by signal strength and recency.

Between retrains, ``update_user`` folds a user's recent events (likes, watches, skips,
"not interested") into that user's embedding with the item side frozen: a few Newton steps
on a small convex objective (sampled-softmax for positives, pairwise push-down for
negatives, and an L2 pull towards the batch-trained embedding), the same idea as Monolith's
real-time training of the user side, but in-process and deterministic. ``recommend``
then ranks with the updated embedding, excludes what the user has seen or hidden, lowers
items similar to what they marked "not interested", and can cap items per creator.

The fitted state is plain numpy arrays, saved with ``np.savez`` (no pickle), so a model
file from another version or a truncated upload fails with :class:`ModelFormatError`
instead of executing anything.
"""

from __future__ import annotations

import io
import json
import math
import time
import zipfile
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import scipy.sparse as sp

from .data import IdIndex, InteractionLog

FORMAT_VERSION = 1

#: Default weights of app signals, used by :meth:`Event.from_signal`. Positive signals pull
#: the user towards an item, negative ones push away; ``not_interested`` also hides the item.
SIGNAL_WEIGHTS: dict[str, float] = {
    "view": 0.25,
    "watch": 0.5,
    "complete": 1.0,
    "like": 1.0,
    "comment": 1.0,
    "share": 1.5,
    "skip": -0.3,
    "not_interested": -1.5,
}


class ModelFormatError(ValueError):
    """A serialized model is corrupt, truncated or from an incompatible version."""


@dataclass(frozen=True)
class Event:
    """One piece of feedback on an item.

    ``weight`` > 0 is positive feedback, < 0 negative. ``hide`` removes the item from this
    user's recommendations for good (the "not interested" button).
    """

    item_id: str
    weight: float
    timestamp: float | None = None
    hide: bool = False

    @classmethod
    def from_signal(cls, item_id: str, signal: str, timestamp: float | None = None) -> Event:
        """An event for a named app signal (see :data:`SIGNAL_WEIGHTS`)."""
        try:
            weight = SIGNAL_WEIGHTS[signal]
        except KeyError:
            raise ValueError(
                f"unknown signal {signal!r}; known: {', '.join(SIGNAL_WEIGHTS)}"
            ) from None
        return cls(str(item_id), weight, timestamp, hide=signal == "not_interested")


@dataclass
class HybridConfig:
    """Hyperparameters. Defaults were chosen on a validation split carved out of the
    MovieLens-100k training data (see docs/recommendations.md), never on its test part."""

    no_components: int = 64
    #: LightFM runs with different seeds whose embeddings are concatenated (averaged
    #: scores). Off: +0.004 validation NDCG for 3x the training time was not worth it.
    ensemble: int = 1
    epochs: int = 15
    learning_rate: float = 0.05
    max_sampled: int = 30
    item_alpha: float = 0.0
    user_alpha: float = 0.0
    #: Share of an item's feature row given to its side features (the rest is its id);
    #: the same for users. Side features are what new items/users are scored by.
    item_feature_weight: float = 0.3
    user_feature_weight: float = 0.3
    #: Interaction weights are clipped at this value before training; WARP's updates
    #: scale with the weight, so an extreme weight would dominate an epoch.
    max_sample_weight: float = 3.0
    #: Half-life (days) of a per-user recency decay on training weights, measured back from
    #: the user's newest event; None disables it.
    recency_half_life_days: float | None = None
    #: Score += popularity_blend * standardized log popularity (time-decayed with
    #: popularity_half_life_days, measured back from the newest training event).
    popularity_blend: float = 0.0
    popularity_half_life_days: float | None = None
    #: Online fold-in: strength of the L2 pull towards the batch embedding (higher = new
    #: events move the user less); over at most foldin_max_events recent events.
    foldin_l2: float = 3.0
    foldin_iterations: int = 5
    foldin_contrast: int = 256
    foldin_max_events: int = 50
    #: At the end of training, fold each user's newest N training events into their
    #: embedding (0 = off); see ``_refresh_recent``.
    refresh_recent_events: int = 10
    #: The refresh's L2 pull: stiffer than ``foldin_l2`` because those events are already
    #: in the batch embedding (a weak pull would count them twice).
    refresh_l2: float = 12.0
    #: Online states kept in memory (least recently updated dropped first).
    max_online_users: int = 100_000
    #: Re-ranking: items similar (cosine) to the user's recent "not interested" items lose
    #: up to this many score standard deviations.
    hide_similarity_penalty: float = 1.0
    hide_penalty_recent: int = 5
    #: Feature prefix that defines an item's group for ``max_per_group`` (e.g. creator).
    group_prefix: str = "creator:"
    seed: int = 0
    num_threads: int = 1


@dataclass
class _OnlineState:
    """A user's events since the last retrain and the embedding folded in from them."""

    items: deque = field(default_factory=deque)
    weights: deque = field(default_factory=deque)
    seen: set = field(default_factory=set)
    hidden: list = field(default_factory=list)
    vector: np.ndarray | None = None


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


class HybridRecommender:
    """Hybrid LightFM recommender with online user updates.

    Typical use::

        model = HybridRecommender().fit(log, item_features={"v1": ["creator:7", "tag:cats"]})
        model.update_user("u1", [Event.from_signal("v1", "like")])
        model.recommend("u1", k=20, exclude=already_in_feed)

    Ids are strings everywhere; unknown ids in events, ``exclude`` and ``candidates`` are
    ignored, so the serving layer can pass its lists through unfiltered.
    """

    name = "hybrid"

    def __init__(self, config: HybridConfig | None = None, **overrides):
        config = config or HybridConfig()
        if overrides:
            config = HybridConfig(**{**asdict(config), **overrides})
        self.config = config
        self._fitted = False
        self.train_seconds = 0.0
        self._online: dict[str, _OnlineState] = {}

    # ------------------------------------------------------------------ training

    def fit(
        self,
        log: InteractionLog,
        *,
        item_features: Mapping[str, Sequence[str]] | None = None,
        user_features: Mapping[str, Sequence[str]] | None = None,
        items: Iterable[str] = (),
        min_weight: float = 0.0,
    ) -> HybridRecommender:
        """Train on ``log``; rows with ``weight > 0 and >= min_weight`` are the positives.

        The catalog is the union of ``items``, the items in ``log`` and the keys of
        ``item_features``; catalog items without interactions are scored by their features.
        Every user and item of the log (any weight) is marked as seen by its user.
        """
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

    def _group_of(self, features: Sequence[str]) -> str | None:
        prefix = self.config.group_prefix
        return next((f for f in features if prefix and f.startswith(prefix)), None)

    def _finish_setup(self) -> None:
        """Derived arrays used at serving time (recomputed after load and add_items)."""
        cfg = self.config
        log_pop = np.log1p(self._popularity)
        spread = log_pop.std()
        standardized = (log_pop - log_pop.mean()) / spread if spread > 0 else 0.0 * log_pop
        self._item_offset = (self._item_bias + cfg.popularity_blend * standardized).astype(
            np.float32
        )
        self._item_norms = np.maximum(np.linalg.norm(self._item_vecs, axis=1), 1e-12).astype(
            np.float32
        )
        # The fold-in contrasts positives against a fixed, popularity-biased item sample:
        # negatives that users actually could have chosen, like WARP's sampled negatives.
        n_items = len(self._item_vecs)
        m = min(cfg.foldin_contrast, n_items)
        rng = np.random.default_rng(cfg.seed)
        p = np.sqrt(self._popularity + 1.0)
        self._contrast = np.sort(rng.choice(n_items, size=m, replace=False, p=p / p.sum()))
        self._score_scale = self._typical_score_spread()

    def _typical_score_spread(self) -> float:
        """Median over a sample of users of the std of their scores: the unit in which the
        hide penalty is expressed, so it means the same for every model."""
        n_users = len(self._user_vecs)
        if not n_users or not len(self._item_vecs):
            return 1.0
        sample = self._user_vecs[:: max(1, n_users // 64)][:64]
        scores = sample @ self._item_vecs.T + self._item_offset
        return float(np.median(scores.std(axis=1))) or 1.0

    # ------------------------------------------------------------------ catalog & users

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError("the model is not fitted; call fit() or from_bytes() first")

    @property
    def item_ids(self) -> list[str]:
        """Catalog item ids in the model's index order."""
        self._check_fitted()
        return self._item_index.ids

    def item_row(self, item_id: str) -> int | None:
        """The catalog row of ``item_id`` (the index used by ``fold_in``), or None."""
        self._check_fitted()
        return self._item_index.get(item_id)

    @property
    def user_ids(self) -> list[str]:
        """Users known from training."""
        self._check_fitted()
        return self._user_index.ids

    def add_items(self, item_features: Mapping[str, Sequence[str]]) -> int:
        """Add new (cold) items scored by their features alone; returns how many were new.

        Unknown features contribute nothing, so an item with none of the known features
        scores like an average unknown item (bias 0, zero vector).
        """
        self._check_fitted()
        new = [(item, fs) for item, fs in item_features.items() if item not in self._item_index]
        if not new:
            return 0
        vecs, biases, groups = [], [], []
        for item, features in new:
            self._item_index.add(item)
            vec, bias = self._side_representation(
                features,
                self._item_feature_index,
                self._item_feature_vecs,
                self._item_feature_bias,
                self.config.item_feature_weight,
            )
            vecs.append(vec)
            biases.append(bias)
            group = self._group_of(features)
            groups.append(-1 if group is None else self._group_index.add(group))
        self._item_vecs = np.vstack([self._item_vecs, np.array(vecs, dtype=np.float32)])
        self._item_bias = np.concatenate([self._item_bias, np.array(biases, dtype=np.float32)])
        self._popularity = np.concatenate([self._popularity, np.zeros(len(new))])
        self._item_groups = np.concatenate([self._item_groups, np.array(groups, dtype=np.int64)])
        self._seen = sp.csr_matrix(
            (self._seen.data, self._seen.indices, self._seen.indptr),
            shape=(self._seen.shape[0], len(self._item_index)),
        )
        self._finish_setup()
        return len(new)

    @staticmethod
    def _side_representation(
        features: Sequence[str],
        index: IdIndex,
        vecs: np.ndarray,
        biases: np.ndarray | None,
        side_weight: float,
    ) -> tuple[np.ndarray, float]:
        """What LightFM would compute for an entity whose id embedding is still untrained:
        its known side features with the weights they would get next to an id."""
        known = index.lookup(features)
        if not len(known):
            return np.zeros(vecs.shape[1], dtype=np.float32), 0.0
        share = side_weight / len(known)
        vec = share * vecs[known].sum(axis=0)
        bias = share * float(biases[known].sum()) if biases is not None else 0.0
        return vec.astype(np.float32), bias

    def base_user_vector(
        self, user_id: str, user_features: Sequence[str] | None = None
    ) -> np.ndarray:
        """The batch-trained embedding, or for an unknown user the one implied by their
        features (zero without features: they get the popularity-driven ranking)."""
        self._check_fitted()
        row = self._user_index.get(user_id)
        if row is not None:
            return self._user_vecs[row]
        vec, _ = self._side_representation(
            user_features or (),
            self._user_feature_index,
            self._user_feature_vecs,
            None,
            self.config.user_feature_weight,
        )
        return vec

    def user_vector(self, user_id: str, user_features: Sequence[str] | None = None) -> np.ndarray:
        """The embedding used for ranking: folded-in if the user has online events."""
        state = self._online.get(user_id)
        if state is not None and state.vector is not None:
            return state.vector
        return self.base_user_vector(user_id, user_features)

    # ------------------------------------------------------------------ online updates

    def update_user(
        self,
        user_id: str,
        events: Iterable[Event | tuple],
        *,
        user_features: Sequence[str] | None = None,
    ) -> int:
        """Fold fresh feedback into ``user_id``'s embedding; returns the events used.

        ``events`` are :class:`Event` objects or ``(item_id, weight)`` /
        ``(item_id, "signal")`` tuples, oldest first. The item side stays frozen. The user's
        last ``foldin_max_events`` events since the retrain are kept and the embedding is
        re-solved from the batch embedding each time, so the result does not depend on how
        the events were batched and never drifts. Events on unknown items are ignored.
        """
        self._check_fitted()
        # Most-recently-updated users last, so the oldest state is dropped first when the
        # process holds more than max_online_users (the events live in the app's database;
        # a dropped user is simply folded in again on their next update).
        state = self._online.pop(user_id, None) or _OnlineState()
        self._online[user_id] = state
        while len(self._online) > self.config.max_online_users:
            del self._online[next(iter(self._online))]
        used = 0
        for raw in events:
            event = raw if isinstance(raw, Event) else self._coerce_event(raw)
            row = self._item_index.get(event.item_id)
            if row is None:
                continue
            used += 1
            state.seen.add(row)
            if event.hide:
                state.hidden.append(row)
            if event.weight == 0:
                continue
            state.items.append(row)
            state.weights.append(float(event.weight))
            while len(state.items) > self.config.foldin_max_events:
                state.items.popleft()
                state.weights.popleft()
        if used:
            base = self.base_user_vector(user_id, user_features)
            state.vector = self.fold_in(base, np.array(state.items), np.array(state.weights))
        return used

    @staticmethod
    def _coerce_event(raw: tuple) -> Event:
        item, value = raw[0], raw[1]
        if isinstance(value, str):
            return Event.from_signal(str(item), value)
        return Event(str(item), float(value))

    def reset_user(self, user_id: str) -> None:
        """Forget a user's online events (e.g. once a retrain has absorbed them)."""
        self._online.pop(user_id, None)

    def fold_in(
        self,
        base: np.ndarray,
        items: np.ndarray,
        weights: np.ndarray,
        *,
        l2: float | None = None,
    ) -> np.ndarray:
        """Solve for a user embedding given events, with item embeddings frozen.

        Minimizes, over the user vector ``u`` (scores ``s_i = u.v_i + b_i``)::

            sum_pos w_j * (logsumexp(s_C + [s_j]) - s_j)          # rank j above contrast C
          + sum_neg |w_j| * mean_c softplus(s_j - s_c)             # push j (and look-alikes)
                                                                   # below the contrast items
          + l2 / 2 * ||u - base||^2           # stay near the batch model (l2: foldin_l2)

        It is convex, so a few damped Newton steps (d x d systems, d = no_components) solve
        it in about a millisecond for tens of events.
        """
        base = np.asarray(base, dtype=np.float64)
        if not len(items):
            return base.astype(np.float32)
        items = np.asarray(items, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        lam = self.config.foldin_l2 if l2 is None else l2
        contrast = self._contrast
        vc = self._item_vecs[contrast].astype(np.float64)
        bc = self._item_offset[contrast].astype(np.float64)
        pos, neg = weights > 0, weights < 0
        vp, bp, wp = (
            self._item_vecs[items[pos]].astype(np.float64),
            self._item_offset[items[pos]].astype(np.float64),
            weights[pos],
        )
        vn, bn, wn = (
            self._item_vecs[items[neg]].astype(np.float64),
            self._item_offset[items[neg]].astype(np.float64),
            -weights[neg],
        )
        m = len(contrast)

        def objective(u: np.ndarray) -> float:
            sc = vc @ u + bc
            total = 0.5 * lam * float(np.sum((u - base) ** 2))
            if len(wp):
                sp_ = vp @ u + bp
                lse_c = _logsumexp(sc)
                total += float(wp @ (np.logaddexp(lse_c, sp_) - sp_))
            if len(wn):
                sn = vn @ u + bn
                total += float(wn @ np.logaddexp(0.0, sn[:, None] - sc[None, :]).mean(axis=1))
            return total

        u = base.copy()
        dim = len(u)
        current = None
        for _ in range(self.config.foldin_iterations):
            sc = vc @ u + bc
            grad = lam * (u - base)
            hess = lam * np.eye(dim)
            if len(wp):
                sp_ = vp @ u + bp
                lse_c = _logsumexp(sc)
                q = np.exp(sc - lse_c)
                mu = q @ vc
                centered = vc - mu
                cov = (centered * q[:, None]).T @ centered
                p_self = np.exp(sp_ - np.logaddexp(lse_c, sp_))  # softmax mass on j itself
                rest = 1.0 - p_self
                diff = mu[None, :] - vp
                grad += (wp * rest) @ diff
                hess += float(wp @ rest) * cov
                hess += (diff * (wp * rest * p_self)[:, None]).T @ diff
            if len(wn):
                sn = vn @ u + bn
                sig = _sigmoid(sn[:, None] - sc[None, :])  # (neg events, m)
                # d/du mean_c softplus(s_j - s_c) = mean_c sig_jc (v_j - v_c)
                grad += (wn * sig.mean(axis=1)) @ vn - ((wn[:, None] * sig).sum(axis=0) @ vc) / m
                # Hessian sum_j sum_c a_jc (v_j - v_c)(v_j - v_c)^T, expanded so that it
                # costs three small matrix products instead of one per negative event.
                curv = sig * (1.0 - sig) * (wn[:, None] / m)  # a_jc, (neg events, m)
                mass = curv.sum(axis=1)
                pulled = curv @ vc  # sum_c a_jc v_c, (neg events, d)
                cross = vn.T @ pulled
                hess += (vn * mass[:, None]).T @ vn - cross - cross.T
                hess += (vc * curv.sum(axis=0)[:, None]).T @ vc
            step = np.linalg.solve(hess, grad)
            if current is None:
                current = objective(u)
            slope = float(grad @ step)
            scale = 1.0
            # Backtracking keeps every step a descent step (Newton can overshoot on the
            # flat parts of softplus/logsumexp).
            while True:
                candidate = u - scale * step
                value = objective(candidate)
                if value <= current - 1e-4 * scale * slope or scale < 1e-3:
                    break
                scale *= 0.5
            u, current = candidate, value
            if scale * math.sqrt(float(step @ step)) < 1e-6:
                break
        return u.astype(np.float32)

    # ------------------------------------------------------------------ ranking

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

    # ------------------------------------------------------------------ persistence

    _ARRAYS = (
        "_item_vecs",
        "_item_bias",
        "_user_vecs",
        "_item_feature_vecs",
        "_item_feature_bias",
        "_user_feature_vecs",
        "_popularity",
        "_item_groups",
    )

    def to_bytes(self) -> bytes:
        """Serialize the fitted model (not the online state) to ``.npz`` bytes."""
        self._check_fitted()
        meta = {
            "format": "microvid-hybrid",
            "version": FORMAT_VERSION,
            "config": asdict(self.config),
            "trained_at": self.trained_at,
            "train_seconds": self.train_seconds,
        }
        arrays = {name.lstrip("_"): getattr(self, name) for name in self._ARRAYS}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta)),
            item_ids=np.array(self._item_index.ids, dtype=str),
            user_ids=np.array(self._user_index.ids, dtype=str),
            item_features=np.array(self._item_feature_index.ids, dtype=str),
            user_features=np.array(self._user_feature_index.ids, dtype=str),
            groups=np.array(self._group_index.ids, dtype=str),
            seen_indptr=self._seen.indptr,
            seen_indices=self._seen.indices,
            **arrays,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> HybridRecommender:
        """Load a model saved by :meth:`to_bytes`; raises :class:`ModelFormatError` on a
        corrupt, truncated or incompatible file (pickles are refused)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
            meta = json.loads(str(arrays["meta"]))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelFormatError(f"not a readable model file: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != "microvid-hybrid":
            raise ModelFormatError("not a microvid hybrid model file")
        if meta.get("version") != FORMAT_VERSION:
            raise ModelFormatError(
                f"model format version {meta.get('version')} is not {FORMAT_VERSION}"
            )
        known = {f.name for f in fields(HybridConfig)}
        model = cls(HybridConfig(**{k: v for k, v in meta["config"].items() if k in known}))
        try:
            model._item_index = IdIndex(arrays["item_ids"].tolist())
            model._user_index = IdIndex(arrays["user_ids"].tolist())
            model._item_feature_index = IdIndex(arrays["item_features"].tolist())
            model._user_feature_index = IdIndex(arrays["user_features"].tolist())
            model._group_index = IdIndex(arrays["groups"].tolist())
            for name in cls._ARRAYS:
                setattr(model, name, arrays[name.lstrip("_")])
            n_users, n_items = len(model._user_index), len(model._item_index)
            model._seen = sp.csr_matrix(
                (
                    np.ones(len(arrays["seen_indices"]), dtype=np.float32),
                    arrays["seen_indices"],
                    arrays["seen_indptr"],
                ),
                shape=(n_users, n_items),
            )
            dim = model.config.no_components * max(1, model.config.ensemble)
            checks = [
                model._item_vecs.shape == (n_items, dim),
                model._item_bias.shape == (n_items,),
                model._user_vecs.shape == (n_users, dim),
                model._item_feature_vecs.shape == (len(model._item_feature_index), dim),
                model._item_feature_bias.shape == (len(model._item_feature_index),),
                model._user_feature_vecs.shape == (len(model._user_feature_index), dim),
                model._popularity.shape == (n_items,),
                model._item_groups.shape == (n_items,),
            ]
            if not all(checks):
                raise ModelFormatError("model arrays have inconsistent shapes")
            model._finish_setup()
        except KeyError as exc:
            raise ModelFormatError(f"model file lacks {exc}") from exc
        except ValueError as exc:
            if isinstance(exc, ModelFormatError):
                raise
            raise ModelFormatError(f"model arrays are inconsistent: {exc}") from exc
        model.trained_at = meta.get("trained_at")
        model.train_seconds = float(meta.get("train_seconds") or 0.0)
        model._fitted = True
        return model


def _logsumexp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * values))
