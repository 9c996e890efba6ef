"""CSV loading/validation, splits, and the metrics against hand-computed values."""

import math

import numpy as np
import pytest

from recommendations.engine.baselines import MostPopular
from recommendations.engine.data import (
    DataError,
    InteractionLog,
    Split,
    load_candidates,
    load_interactions,
    load_items,
    random_split,
    temporal_split,
)
from recommendations.engine.evaluation import format_report, replay_online, run_evaluation
from recommendations.engine.metrics import (
    RankingAccumulator,
    catalog_coverage,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from recommendations.engine.recommender import HybridRecommender


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- metrics by hand


def test_metrics_match_hand_computed_values():
    ranked = ["a", "b", "c", "d"]
    relevant = {"b", "d", "e"}
    # Top 3 = a, b, c: one hit (b) at rank 2.
    assert precision_at_k(ranked, relevant, 3) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, relevant, 3) == pytest.approx(1 / 3)
    dcg = 1 / math.log2(3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(dcg / ideal)  # 0.29608
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(0.29608, abs=1e-5)
    # Short lists are not rewarded: precision still divides by k.
    assert precision_at_k(["b"], relevant, 10) == pytest.approx(0.1)
    assert ndcg_at_k(["b", "d", "e"], relevant, 3) == pytest.approx(1.0)
    assert recall_at_k(ranked, set(), 3) == 0.0
    assert ndcg_at_k(ranked, set(), 3) == 0.0
    assert catalog_coverage([["a", "b"], ["b", "c"]], 5) == pytest.approx(3 / 5)
    assert catalog_coverage([], 0) == 0.0
    with pytest.raises(ValueError):
        precision_at_k(ranked, relevant, 0)


def test_accumulator_skips_users_without_relevant_items():
    acc = RankingAccumulator(k=2, catalog_size=4)
    acc.add(["x", "y"], {"x"})
    acc.add(["z", "y"], set())
    result = acc.result()
    assert result["users"] == 1
    assert result["precision"] == pytest.approx(0.5)
    assert result["coverage"] == pytest.approx(2 / 4)


def test_evaluation_of_most_popular_by_hand():
    # Train: i1 liked by 3 users, i2 by 2, i3 by 1, i4 by none.
    train = InteractionLog.from_records(
        [
            ("u1", "i1", 1, 1.0),
            ("u1", "i2", 2, 1.0),
            ("u2", "i1", 1, 1.0),
            ("u2", "i3", 2, 1.0),
            ("u3", "i1", 1, 1.0),
            ("u3", "i2", 2, 1.0),
        ]
    )
    test = InteractionLog.from_records(
        [
            ("u1", "i3", 3, 1.0),  # u1 ranks [i3, i4]: hit at 1 -> P=1/2 R=1 NDCG=1
            ("u2", "i4", 3, 1.0),  # u2 ranks [i2, i4]: hit at 2 -> P=1/2 R=1 NDCG=1/log2(3)
            ("u3", "i1", 3, 1.0),  # already seen in train: not relevant -> u3 skipped
            ("u3", "i4", 4, -1.0),  # negative: never relevant
        ]
    )
    report = run_evaluation(
        Split(train, test, "test-file"), k=2, models={"popular": MostPopular}, replay=False
    )
    result = report.results["popular"]
    assert result.users == 2
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(1.0)
    assert result.ndcg == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert result.coverage == pytest.approx(3 / 4)  # i3, i4, i2 of 4 items
    lines = format_report(report, project="popular")
    assert lines[-1] == "RESULT precision_at_k=0.5000 recall_at_k=1.0000 ndcg_at_k=0.8155"


def test_replay_compares_online_with_frozen(clusters):
    log, item_features, _ = clusters
    # Test period: a0 turns to cluster B.
    test = InteractionLog.from_records(
        [("a0", f"B{i}", 2_000_000 + i, 1.0) for i in range(8)] + [("a0", "A19", 2_000_100, -1.0)]
    )
    model = HybridRecommender(no_components=16, epochs=30).fit(log, item_features=item_features)
    replay = replay_online(model, Split(log, test, "test-file"), k=5)
    assert replay.steps == 8 and replay.users == 1
    assert replay.ndcg_online > replay.ndcg_frozen
    assert replay.online_gain > 1
    no_stamps = InteractionLog.from_records([("a0", "B1", None, 1.0)])
    assert replay_online(model, Split(log, no_stamps, "test-file"), k=5) is None


# ---------------------------------------------------------------- loading


def test_load_interactions(tmp_path):
    path = write(
        tmp_path / "i.csv",
        "user_id,item_id,timestamp,weight\n"
        "u1,v1,100,1\n"
        "\n"
        "u1,v2,,0.5\n"
        "u2,v1,2024-01-01T00:00:00Z,-1\n",
    )
    log = load_interactions(path)
    assert list(log.user_ids) == ["u1", "u1", "u2"]
    assert list(log.lines) == [2, 4, 5]
    assert log.timestamps[0] == 100 and math.isnan(log.timestamps[1])
    assert log.timestamps[2] == pytest.approx(1704067200)
    assert list(log.weights) == [1.0, 0.5, -1.0]
    assert not log.has_timestamps()
    assert list(log.positive_mask(0.6)) == [True, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: empty file"),
        ("user,item,time,weight\nu,v,1,1\n", "line 1: header"),
        ("user_id,item_id,timestamp,weight\nu,v,1,1\nu,v,1\n", "line 3: expected 4 fields"),
        ("user_id,item_id,timestamp,weight\nu,v,1,1\nu,v,1,abc\n", "line 3: weight 'abc'"),
        ("user_id,item_id,timestamp,weight\nu,v,1,nan\n", "line 2: weight 'nan' is not finite"),
        ("user_id,item_id,timestamp,weight\nu,v,yesterday,1\n", "line 2: timestamp"),
        ("user_id,item_id,timestamp,weight\n,v,1,1\n", "line 2: empty user_id"),
        ("user_id,item_id,timestamp,weight\nu, ,1,1\n", "line 2: empty item_id"),
        ("user_id,item_id,timestamp,weight\n", "no interactions"),
    ],
)
def test_malformed_interactions_name_file_and_line(tmp_path, text, message):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(DataError) as error:
        load_interactions(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(DataError, match="interactions file not found"):
        load_interactions(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="items file not found"):
        load_items(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="candidates file not found"):
        load_candidates(tmp_path / "nope.txt")


def test_load_items_and_candidates(tmp_path):
    items = load_items(
        write(tmp_path / "items.csv", "item_id,features\nv1,creator:1|tag:a| tag:a |\nv2,\n")
    )
    assert items == {"v1": ["creator:1", "tag:a"], "v2": []}
    with pytest.raises(DataError, match=r"line 3: duplicate item_id 'v1' \(first on line 2\)"):
        load_items(write(tmp_path / "dup.csv", "item_id,features\nv1,a\nv1,b\n"))
    with pytest.raises(DataError, match="line 2: expected 2 fields"):
        load_items(write(tmp_path / "x.csv", "item_id,features\nv1,a,b\n"))
    assert load_candidates(write(tmp_path / "c.txt", "v2\n\nv1\nv2\n")) == ["v2", "v1"]
    with pytest.raises(DataError, match="line 1: expected one item id per line"):
        load_candidates(write(tmp_path / "c2.txt", "v1,v2\n"))


# ---------------------------------------------------------------- splits


def test_temporal_split_takes_each_users_last_fifth():
    records = [("u1", f"i{t}", t, 1.0) for t in range(10, 0, -1)]  # file order != time
    records += [("u2", "i1", 5, 1.0), ("u2", "i2", 5, 1.0)]  # tie: file order decides
    records += [("u3", "i1", 1, 1.0)]  # a single event stays in train
    split = temporal_split(InteractionLog.from_records(records))
    test = sorted(zip(split.test.user_ids, split.test.item_ids, strict=True))
    assert test == [("u1", "i10"), ("u1", "i9"), ("u2", "i2")]
    assert len(split.train) == 10
    missing = InteractionLog.from_records([("u1", "i1", 1, 1.0), ("u1", "i2", None, 1.0)])
    with pytest.raises(DataError, match="line 2: the temporal split needs a timestamp"):
        temporal_split(missing)


def test_random_split_is_seeded():
    log = InteractionLog.from_records([(f"u{i % 7}", f"i{i}", None, 1.0) for i in range(100)])
    first, second = random_split(log, seed=1), random_split(log, seed=1)
    assert len(first.test) == 20 and len(first.train) == 80
    assert np.array_equal(first.test.lines, second.test.lines)
    assert not np.array_equal(first.test.lines, random_split(log, seed=2).test.lines)
