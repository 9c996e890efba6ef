"""The short-video simulator's files and the ranker's point-in-time features (no TF)."""

import numpy as np

from recommendations.engine.data import load_candidates, load_interactions, load_items
from recommendations.engine.monolith.features import (
    DAY,
    FEATURE_NAMES,
    TASKS,
    FeatureState,
    batch_from_labels,
    batch_from_weights,
)
from recommendations.engine.monolith.simulate import SimConfig, write_dataset

TINY = SimConfig(
    users=120, videos=150, creators=20, days=6, test_days=2, panel_users=30, panel_videos=40, seed=3
)


def col(name):
    return FEATURE_NAMES.index(name)


def test_the_simulator_writes_files_evaluate_recs_reads(tmp_path):
    stats = write_dataset(tmp_path, TINY)
    log = load_interactions(tmp_path / "interactions.csv")
    assert len(log) == stats.events > 500
    assert np.all(np.diff(log.timestamps) >= 0)  # time-ordered
    assert set(np.unique(log.weights[log.weights < 0])) <= {-0.3, -1.5}  # skip, not interested
    items = load_items(tmp_path / "items.csv")
    assert len(items) == TINY.videos
    assert all(features[0].startswith("creator:") for features in items.values())
    assert any(f.startswith("tag:") for f in items["v0"])
    full = load_interactions(tmp_path / "test_full.csv")
    assert len(full) == TINY.panel_users * TINY.panel_videos  # every pair observed
    assert len(load_candidates(tmp_path / "candidates.csv")) == TINY.panel_videos
    before = load_interactions(tmp_path / "train_before_cut.csv")
    assert before.timestamps.max() < full.timestamps.min()
    # popularity-heavy with a long tail, and short-video behaviour
    assert 0.2 < stats.skip_rate < 0.6 and stats.completion_rate > 0.1
    # the same seed gives the same world
    again = write_dataset(tmp_path / "again", TINY)
    assert again == stats


def test_labels_from_the_events_file_know_every_task(tmp_path):
    write_dataset(tmp_path, TINY)
    rows = np.genfromtxt(
        tmp_path / "events.csv", delimiter=",", names=True, dtype=None, encoding="utf-8"
    )
    batch = batch_from_labels(
        rows["user_id"],
        rows["video_id"],
        rows["timestamp"],
        {
            name: rows[name]
            for name in (
                "watch_ratio",
                "loops",
                "liked",
                "commented",
                "followed",
                "skipped",
                "not_interested",
            )
        },
    )
    assert batch.mask.all()
    assert batch.labels[:, TASKS.index("skip")].sum() == rows["skipped"].sum()
    assert not (batch.positive & (batch.labels[:, TASKS.index("skip")] > 0)).any()


def test_weights_become_labels_and_only_known_tasks_are_masked_in():
    batch = batch_from_weights(
        ["a", "a", "b"], ["x", "y", "x"], [3.0, 1.0, 2.0], [2.5, -1.5, 0.5], min_weight=0.0
    )
    assert batch.items.tolist() == ["y", "x", "x"]  # time order
    complete, like, skip = (TASKS.index(t) for t in ("complete", "like", "skip"))
    assert batch.labels[:, complete].tolist() == [0, 1, 1]
    assert batch.labels[:, like].tolist() == [0, 0, 1]
    assert batch.labels[:, skip].tolist() == [1, 0, 0]
    assert batch.mask[:, TASKS.index("loops")].sum() == 0


def test_features_are_point_in_time_and_windows_decay():
    state = FeatureState({"x": ["creator:c1", "tag:cats"], "y": ["creator:c2", "tag:dogs"]})
    rows = np.array([state.item_index["x"], state.item_index["y"]])
    before = state.features("a", rows, now=0.0)
    assert before[:, col("item_pos_all")].tolist() == [0.0, 0.0]  # nothing observed yet
    events = batch_from_weights(
        ["a", "b", "c"], ["x", "x", "y"], [0.0, 10.0, 20.0], [1.0, 1.0, -0.3]
    )
    state.observe(events)
    now = state.features("a", rows, now=20.0)
    assert now[0, col("item_pos_all")] == np.log1p(2)
    assert now[1, col("item_pos_all")] == 0.0
    assert now[1, col("item_neg_share")] > now[0, col("item_neg_share")]
    assert now[0, col("user_creator_pos")] == np.log1p(1)  # "a" liked c1 once
    assert now[0, col("user_tag_share_max")] == 1.0 and now[1, col("user_tag_share_max")] == 0
    later = state.features("a", rows, now=20.0 + 7 * DAY)
    assert abs(np.expm1(later[0, col("item_pos_1d")]) - 2 / 2**7) < 1e-6  # 1-day half-life
    assert abs(np.expm1(later[0, col("item_pos_7d")]) - 1.0) < 0.05  # halved after 7 days
    assert later[0, col("item_pos_all")] == now[0, col("item_pos_all")]  # all-time stays
    assert later[0, col("item_age_days")] > now[0, col("item_age_days")]
    assert state.history("a", 5) == [state.item_index["x"]]


def test_the_simulate_command_writes_the_data_set_and_rejects_bad_sizes(tmp_path):
    import io

    import pytest
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("simulate_short_video", out=str(tmp_path), users=60, videos=80, days=5, stdout=out)
    assert out.getvalue().startswith(f"wrote {tmp_path}: events=")
    assert len(load_interactions(tmp_path / "interactions.csv")) > 100
    with pytest.raises(CommandError, match="--days is too small"):
        call_command("simulate_short_video", out=str(tmp_path / "x"), days=2)
