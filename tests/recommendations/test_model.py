"""The hybrid recommender: ranking, online updates, cold start, persistence."""

import numpy as np
import pytest

from recommendations.engine.baselines import MostPopular, PlainLightFM
from recommendations.engine.events import Event
from recommendations.engine.persistence import ModelFormatError
from recommendations.engine.recommender import HybridRecommender

from .conftest import two_clusters


def cluster_of(item_id: str) -> str:
    return item_id[0]


def test_recommends_the_users_own_cluster(trained):
    for user in ("a0", "a5", "b0", "b7"):
        recs = trained.recommend(user, 5)
        assert len(recs) == 5
        assert {cluster_of(item) for item, _ in recs} == {user[0].upper()}
        # Never recommends what the user already interacted with.
        seen = {trained.item_ids[i] for i in trained._seen[trained._user_index[user]].indices}
        assert not seen & {item for item, _ in recs}
        scores = [score for _, score in recs]
        assert scores == sorted(scores, reverse=True)


def test_training_is_deterministic(clusters):
    log, item_features, _user_features = clusters
    first = HybridRecommender(no_components=8, epochs=5, seed=3).fit(
        log, item_features=item_features
    )
    second = HybridRecommender(no_components=8, epochs=5, seed=3).fit(
        log, item_features=item_features
    )
    assert first.recommend("a1", 10) == second.recommend("a1", 10)


def test_likes_shift_recommendations_towards_the_liked_cluster(trained):
    user = "a3"
    before = [cluster_of(item) for item, _ in trained.recommend(user, 5)]
    assert before.count("B") == 0
    likes = [Event.from_signal(f"B{i}", "like") for i in range(6)]
    assert trained.update_user(user, likes) == 6
    after = trained.recommend(user, 5)
    try:
        clusters_after = [cluster_of(item) for item, _ in after]
        assert clusters_after.count("B") >= 3
        # Liked items are seen now: not recommended back.
        assert not {f"B{i}" for i in range(6)} & {item for item, _ in after}
    finally:
        trained.reset_user(user)
    assert trained.recommend(user, 5) == trained.recommend(user, 5)
    assert [cluster_of(i) for i, _ in trained.recommend(user, 5)] == before


def test_update_user_accepts_tuples_and_ignores_unknown_items(trained):
    user = "b2"
    try:
        assert trained.update_user(user, [("A1", 1.0), ("A2", "like"), ("nope", 1.0)]) == 2
    finally:
        trained.reset_user(user)
    with pytest.raises(ValueError, match="unknown signal"):
        Event.from_signal("A1", "adore")


def test_not_interested_hides_the_item_and_lowers_similar_ones(trained):
    user = "a7"
    top_item, _ = trained.recommend(user, 1)[0]
    rows = np.array([trained._item_index[f"A{i}"] for i in range(20) if f"A{i}" != top_item])
    b_rows = np.array([trained._item_index[f"B{i}"] for i in range(20)])
    before_a = trained.score_items(user, rows).mean()
    before_b = trained.score_items(user, b_rows).mean()
    before = dict(trained.recommend(user, 40, exclude_seen=False))
    try:
        trained.update_user(user, [Event.from_signal(top_item, "not_interested")])
        after_list = trained.recommend(user, 40, exclude_seen=False)
        after = dict(after_list)
        assert top_item not in after  # hidden, even with exclude_seen=False
        # Items like the hidden one (same tag) drop, by more than the other cluster's.
        drop_a = before_a - trained.score_items(user, rows).mean()
        drop_b = before_b - trained.score_items(user, b_rows).mean()
        assert drop_a > 0
        assert drop_a > drop_b
        same_cluster = [item for item in after if cluster_of(item) == "A" and item in before]
        assert same_cluster
        assert all(after[item] < before[item] for item in same_cluster)
    finally:
        trained.reset_user(user)


def test_cold_users_are_scored_by_their_features_and_events(trained):
    recs = trained.recommend("stranger", 6, user_features=["pref:B"])
    assert [cluster_of(item) for item, _ in recs].count("B") >= 5
    # No features, no events: the popularity-driven ranking, still k items.
    assert len(trained.recommend("nobody", 6)) == 6
    try:
        trained.update_user("newcomer", [Event.from_signal(f"A{i}", "like") for i in range(3)])
        recs = trained.recommend("newcomer", 5)
        assert [cluster_of(item) for item, _ in recs].count("A") >= 4
    finally:
        trained.reset_user("newcomer")


def test_filters_candidates_exclude_and_group_cap(trained):
    recs = trained.recommend("a2", 5, candidates=["A1", "A2", "B1", "zzz"], exclude_seen=False)
    assert {item for item, _ in recs} <= {"A1", "A2", "B1"}
    recs = trained.recommend("a2", 10, exclude=["A0", "A1"], exclude_seen=False)
    assert not {"A0", "A1"} & {item for item, _ in recs}
    capped = trained.recommend("a2", 8, max_per_group=1, exclude_seen=False)
    creators = [trained._item_groups[trained._item_index[item]] for item, _ in capped]
    assert len(creators) == len(set(creators)) == 8
    assert trained.recommend("a2", 0) == []


def test_save_and_load_round_trip(trained):
    data = trained.to_bytes()
    loaded = HybridRecommender.from_bytes(data)
    assert loaded.recommend("b3", 10) == trained.recommend("b3", 10)
    assert loaded.recommend("x", 5, user_features=["pref:A"]) == trained.recommend(
        "x", 5, user_features=["pref:A"]
    )
    assert loaded.config == trained.config


@pytest.mark.parametrize(
    "payload",
    [b"", b"not a model", b"PK\x03\x04garbage"],
)
def test_corrupt_model_bytes_fail_cleanly(trained, payload):
    with pytest.raises(ModelFormatError):
        HybridRecommender.from_bytes(payload)


def test_truncated_or_pickled_model_fails_cleanly(trained, tmp_path):
    data = trained.to_bytes()
    with pytest.raises(ModelFormatError):
        HybridRecommender.from_bytes(data[: len(data) // 2])
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array([{"format": "microvid-hybrid"}], dtype=object))
    with pytest.raises(ModelFormatError):
        HybridRecommender.from_bytes(path.read_bytes())


def test_unfitted_model_says_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        HybridRecommender().recommend("a", 3)


def test_baselines_share_the_interface(clusters):
    log, item_features, _ = clusters
    popular = MostPopular().fit(log)
    recs = popular.recommend("a0", 3, exclude_seen=False)
    assert [score for _, score in recs] == sorted((s for _, s in recs), reverse=True)
    assert recs[0][1] == max(popular._scores)
    lightfm = PlainLightFM(no_components=8, epochs=20).fit(log, item_features=item_features)
    assert {cluster_of(item) for item, _ in lightfm.recommend("a0", 5)} == {"A"}
    assert lightfm.recommend("a0", 2, candidates=["B1"]) == lightfm.recommend(
        "a0", 2, candidates=["B1", "nope"]
    )


def test_fit_with_a_single_item_and_no_positives():
    log, _, _ = two_clusters()
    single = log.subset(log.item_ids == "A0")
    model = HybridRecommender(no_components=4, epochs=2).fit(single)
    assert model.recommend("a0", 5, exclude_seen=False)[0][0] == "A0"
    negatives = type(log).from_records([("u", "i", None, -1.0)])
    model = HybridRecommender(no_components=4, epochs=2).fit(negatives)
    assert model.recommend("u", 5) == []  # the only item was seen
    assert [item for item, _ in model.recommend("v", 5)] == ["i"]


def test_online_state_is_bounded(trained):
    model = HybridRecommender.from_bytes(trained.to_bytes())
    model.config.max_online_users = 2
    for user in ("a1", "a2", "a3"):
        model.update_user(user, [("B1", 1.0)])
    assert list(model._online) == ["a2", "a3"]  # least recently updated dropped first
    model.update_user("a2", [("B2", 1.0)])
    assert list(model._online) == ["a3", "a2"]
    assert model.item_row("B1") == trained.item_row("B1")
    assert model.item_row("nope") is None
