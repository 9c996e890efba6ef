"""Small synthetic data sets where the right recommendations are known."""

import numpy as np
import pytest

from recommendations.engine.data import InteractionLog
from recommendations.engine.recommender import HybridRecommender

N_PER_CLUSTER_ITEMS = 20
N_PER_CLUSTER_USERS = 30


def two_clusters(seed: int = 0):
    """Users ``a*`` like items ``A*`` and users ``b*`` like items ``B*``.

    Items carry ``tag:`` and ``creator:`` features, users a ``pref:`` feature. Returns
    (log, item_features, user_features). Each user likes 8 items of their cluster; a few
    popular items of each cluster are liked by almost everyone in it.
    """
    rng = np.random.default_rng(seed)
    item_features = {}
    for cluster in "AB":
        for i in range(N_PER_CLUSTER_ITEMS):
            item_features[f"{cluster}{i}"] = [f"tag:{cluster}", f"creator:{cluster}{i % 4}"]
    user_features = {}
    records = []
    clock = 1_000_000.0
    for cluster in "AB":
        weights = 1.0 / np.arange(1, N_PER_CLUSTER_ITEMS + 1)  # Zipf-ish popularity
        for u in range(N_PER_CLUSTER_USERS):
            user = f"{cluster.lower()}{u}"
            user_features[user] = [f"pref:{cluster}"]
            liked = rng.choice(
                N_PER_CLUSTER_ITEMS, size=8, replace=False, p=weights / weights.sum()
            )
            for i in liked:
                clock += 60
                records.append((user, f"{cluster}{i}", clock, 1.0))
    return InteractionLog.from_records(records), item_features, user_features


@pytest.fixture(scope="module")
def clusters():
    return two_clusters()


@pytest.fixture(scope="module")
def trained(clusters):
    """A hybrid model trained on the two clusters (fast settings)."""
    log, item_features, user_features = clusters
    return HybridRecommender(no_components=16, epochs=30, seed=0).fit(
        log, item_features=item_features, user_features=user_features
    )
