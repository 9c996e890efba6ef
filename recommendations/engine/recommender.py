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

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from .config import HybridConfig
from .data import IdIndex
from .online import OnlineMixin, OnlineState
from .persistence import PersistenceMixin
from .ranking import RankingMixin
from .training import TrainingMixin


class HybridRecommender(TrainingMixin, OnlineMixin, RankingMixin, PersistenceMixin):
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
        self._online: dict[str, OnlineState] = {}

    def _group_of(self, features: Sequence[str]) -> str | None:
        prefix = self.config.group_prefix
        return next((f for f in features if prefix and f.startswith(prefix)), None)

    def _finish_setup(self) -> None:
        """Derived arrays used at serving time (recomputed after loading a model file)."""
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
