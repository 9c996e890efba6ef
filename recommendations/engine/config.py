"""The recommender's hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass


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
