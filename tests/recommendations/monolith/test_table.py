"""The collisionless embedding table: one row per id, frequency filter, eviction, expiry."""

import logging

import numpy as np
import pytest

from recommendations.engine.monolith.table import CollisionlessTable

DAY = 86_400.0


def test_every_admitted_id_gets_its_own_row_until_the_table_is_full():
    table = CollisionlessTable("videos", capacity=1000, fallback_rows=4)
    keys = [f"v{i}" for i in range(1000)]
    rows = table.lookup(keys, now=0.0)
    assert len(set(rows.tolist())) == 1000  # no collisions at all
    assert rows.min() >= 4  # the fallback rows are never handed to an id
    assert table.free_rows == 0
    # the same ids map to the same rows again, and serving sees the same map
    assert np.array_equal(table.lookup(keys, now=1.0), rows)
    assert np.array_equal(table.get(keys), rows)


def test_an_id_looked_up_twice_in_one_batch_gets_one_row():
    table = CollisionlessTable("users", capacity=10)
    rows = table.lookup(["a", "b", "a"], now=0.0)
    assert rows[0] == rows[2] != rows[1]
    assert len(table) == 2


def test_frequency_filter_uses_the_shared_fallback_row_until_n_sightings():
    table = CollisionlessTable("hashtags", capacity=10, min_count=3, fallback_rows=2)
    first = table.lookup(["rare"], now=0.0)[0]
    second = table.lookup(["rare"], now=1.0)[0]
    assert first == second == table.fallback_row("rare") < 2
    assert "rare" not in table
    own = table.lookup(["rare"], now=2.0)[0]
    assert own >= 2 and "rare" in table
    assert table.pop_new_rows().tolist() == [own]  # the trainer must initialize it
    assert table.pop_new_rows().tolist() == []


def test_a_full_table_evicts_the_least_recently_seen_ids_and_says_so(caplog):
    table = CollisionlessTable("creators", capacity=3)
    table.lookup(["old"], now=0.0)
    table.lookup(["mid"], now=10.0)
    table.lookup(["new"], now=20.0)
    table.lookup(["old"], now=30.0)  # seen again: now "mid" is the oldest
    with caplog.at_level(logging.WARNING, logger="recommendations.monolith"):
        row = table.lookup(["newcomer"], now=40.0)[0]
    assert "mid" not in table and {"old", "new", "newcomer"} <= set(table._row)
    assert table.evictions == 1
    assert "'creators' is full (capacity 3): evicting 1 ids" in caplog.text
    assert table.id_of(row) == "newcomer"
    assert row in table.pop_new_rows()  # the evicted vector must not be inherited


def test_ids_of_the_same_batch_are_not_evicted_for_each_other():
    table = CollisionlessTable("videos", capacity=2)
    table.lookup(["a", "b"], now=0.0)
    rows = table.lookup(["a", "c"], now=5.0)  # "b" goes, not "a"
    assert "a" in table and "c" in table and "b" not in table
    assert rows[0] != rows[1]


def test_ids_unseen_for_d_days_free_their_rows():
    table = CollisionlessTable("users", capacity=5, expire_seconds=7 * DAY)
    table.lookup(["stale", "active"], now=0.0)
    table.lookup(["active"], now=6 * DAY)
    assert table.expire(now=8 * DAY) == ["stale"]
    assert "stale" not in table and "active" in table
    assert table.free_rows == 4
    # a returning id starts over on a (re-initialized) fresh row
    table.pop_new_rows()
    row = table.lookup(["stale"], now=9 * DAY)[0]
    assert table.pop_new_rows().tolist() == [row]


def test_expiry_also_forgets_pending_sightings():
    table = CollisionlessTable("hashtags", capacity=5, min_count=2, expire_seconds=DAY)
    table.lookup(["x"], now=0.0)
    table.expire(now=2 * DAY)
    table.lookup(["x"], now=2 * DAY)
    assert "x" not in table  # the first sighting was too long ago to count


def test_touched_rows_are_reported_once_for_export():
    table = CollisionlessTable("videos", capacity=10)
    rows = table.lookup(["a", "b", "c"], now=0.0)
    table.mark_touched(rows[:2])
    assert table.pop_touched().tolist() == sorted(rows[:2].tolist())
    assert table.pop_touched().tolist() == []


def test_a_serving_copy_reads_the_same_rows_and_falls_back_for_strangers():
    table = CollisionlessTable("videos", capacity=10, fallback_rows=3)
    table.lookup(["a", "b"], now=0.0)
    ids, rows = table.mapping()
    copy = CollisionlessTable.from_mapping("videos", ids, rows, capacity=10, fallback_rows=3)
    assert np.array_equal(copy.get(["a", "b"]), table.get(["a", "b"]))
    assert copy.get(["stranger"])[0] == table.fallback_row("stranger") < 3
    assert copy.rows_of(["stranger"]).tolist() == [-1]


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        CollisionlessTable("bad", capacity=0)
