"""Monolith's collisionless embedding table, rebuilt for stock TensorFlow.

Hash-trick embeddings (``row = hash(id) % size``) make two ids share a row without anyone
noticing. Monolith (ByteDance, arXiv 2209.07663) gives every id its own row instead, and
keeps the table bounded with a *frequency filter* (an id only gets a row after N sightings;
until then it uses a shared fallback row) and *expiry* (ids unseen for D days give their
row back). This module is the id -> row half of that, in plain Python over numpy:

* rows ``0 .. fallback_rows-1`` are the shared fallback rows (an id that has not passed the
  filter, or an id serving has never seen, reads ``fallback_row(id)``: a stable crc32 of the
  id, so the same newcomer always lands on the same fallback row);
* rows ``fallback_rows .. fallback_rows+capacity-1`` belong to exactly one id each; a free
  list hands them out and takes them back, so **no two admitted ids ever share a row**;
* when the table is full, the ids seen least recently are evicted (a WARNING on the
  ``recommendations.monolith`` logger says how many and since when) and their rows reused;
* :meth:`expire` frees the rows of ids unseen for ``expire_seconds``.

The values live elsewhere: the Keras model owns a ``(rows, dim)`` variable per table and
re-initializes the rows :meth:`pop_new_rows` reports (an evicted or expired row must not
hand its old vector to the next id). :meth:`pop_touched` reports the rows trained since the
last export, which is all a real-time export writes.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable

import numpy as np

log = logging.getLogger("recommendations.monolith")

_FREE = -np.inf


class CollisionlessTable:
    """id -> row map over a fixed number of rows (see the module doc)."""

    def __init__(
        self,
        name: str,
        capacity: int,
        *,
        min_count: int = 1,
        expire_seconds: float | None = None,
        fallback_rows: int = 1,
    ):
        if capacity < 1 or fallback_rows < 1 or min_count < 1:
            raise ValueError("capacity, fallback_rows and min_count must be >= 1")
        self.name = name
        self.capacity = capacity
        self.min_count = min_count
        self.expire_seconds = expire_seconds
        self.fallback_rows = fallback_rows
        self._row: dict[str, int] = {}
        self._ids: list[str | None] = [None] * self.size
        self._last_seen = np.full(self.size, _FREE)
        # Free rows as a stack: the lowest row comes out first.
        self._free: list[int] = list(range(self.size - 1, fallback_rows - 1, -1))
        self._pending: dict[str, list[float]] = {}  # id -> [sightings, last seen]
        self._new_rows: set[int] = set()
        self._touched: set[int] = set()
        self.evictions = 0
        self.expirations = 0

    # -- sizes -------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Rows of the value array: fallback rows + capacity."""
        return self.fallback_rows + self.capacity

    def __len__(self) -> int:
        """Admitted ids (each with its own row)."""
        return len(self._row)

    def __contains__(self, key: object) -> bool:
        return key in self._row

    @property
    def free_rows(self) -> int:
        return len(self._free)

    def fallback_row(self, key: str) -> int:
        """The shared row of an id without its own row (stable across processes)."""
        return zlib.crc32(key.encode("utf-8")) % self.fallback_rows

    def id_of(self, row: int) -> str | None:
        """The id owning ``row`` (None for a free or fallback row)."""
        return self._ids[row]

    # -- training side -----------------------------------------------------------------
    def lookup(self, keys: Iterable[str], now: float) -> np.ndarray:
        """Rows for ``keys``, counting one sighting of each at time ``now``.

        An id gets its own row on its ``min_count``-th sighting (earlier sightings use its
        fallback row). When no row is free, the least recently seen ids are evicted first.
        """
        keys = list(keys)
        rows = np.empty(len(keys), dtype=np.int64)
        wanting: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            row = self._row.get(key)
            if row is not None:
                self._last_seen[row] = now
                rows[i] = row
                continue
            if key in wanting:
                wanting[key].append(i)
                continue
            pending = self._pending.get(key)
            count = (pending[0] if pending else 0) + 1
            if count >= self.min_count:
                self._pending.pop(key, None)
                wanting[key] = [i]
            else:
                self._pending[key] = [count, now]
                rows[i] = self.fallback_row(key)
        if wanting:
            shortage = len(wanting) - len(self._free)
            if shortage > 0:
                self._evict(shortage, now, protect=set(self._row.keys() & set(keys)))
            for key, positions in wanting.items():
                if not self._free:  # more new ids in one batch than the whole capacity
                    rows[positions] = self.fallback_row(key)
                    continue
                row = self._free.pop()
                self._row[key] = row
                self._ids[row] = key
                self._last_seen[row] = now
                self._new_rows.add(row)
                rows[positions] = row
        return rows

    def _evict(self, count: int, now: float, protect: set[str]) -> None:
        owned = np.isfinite(self._last_seen)
        owned[: self.fallback_rows] = False
        for key in protect:
            owned[self._row[key]] = False
        candidates = np.flatnonzero(owned)
        if len(candidates) == 0:
            return
        count = min(count, len(candidates))
        order = candidates[np.argsort(self._last_seen[candidates], kind="stable")[:count]]
        oldest = float(self._last_seen[order[-1]])
        log.warning(
            "embedding table %r is full (capacity %d): evicting %d ids unseen since %.0f "
            "(now %.0f); raise its capacity if this repeats",
            self.name,
            self.capacity,
            count,
            oldest,
            now,
        )
        for row in order:
            self._release(int(row))
        self.evictions += count

    def _release(self, row: int) -> None:
        key = self._ids[row]
        if key is not None:
            del self._row[key]
        self._ids[row] = None
        self._last_seen[row] = _FREE
        self._free.append(row)
        self._touched.discard(row)
        self._new_rows.discard(row)

    def expire(self, now: float) -> list[str]:
        """Free the rows of ids unseen for ``expire_seconds``; returns the expired ids."""
        if self.expire_seconds is None:
            return []
        limit = now - self.expire_seconds
        stale = np.flatnonzero(np.isfinite(self._last_seen) & (self._last_seen < limit))
        expired = [self._ids[row] for row in stale]
        for row in stale:
            self._release(int(row))
        self._pending = {k: v for k, v in self._pending.items() if v[1] >= limit}
        self.expirations += len(expired)
        if expired:
            log.info("embedding table %r: %d ids expired", self.name, len(expired))
        return [key for key in expired if key is not None]

    def mark_touched(self, rows: np.ndarray) -> None:
        """Record rows whose values a training step changed."""
        self._touched.update(int(r) for r in np.unique(rows))

    def pop_new_rows(self) -> np.ndarray:
        """Rows handed to a new id since the last call (their values need re-initializing)."""
        rows = np.array(sorted(self._new_rows), dtype=np.int64)
        self._new_rows.clear()
        return rows

    def pop_touched(self) -> np.ndarray:
        """Rows trained since the last call (what a real-time export writes)."""
        rows = np.array(sorted(self._touched), dtype=np.int64)
        self._touched.clear()
        return rows

    # -- serving side ------------------------------------------------------------------
    def get(self, keys: Iterable[str]) -> np.ndarray:
        """Rows for ``keys`` without counting sightings; unknown ids read their fallback row."""
        return np.array(
            [
                row if (row := self._row.get(key)) is not None else self.fallback_row(key)
                for key in keys
            ],
            dtype=np.int64,
        )

    def rows_of(self, keys: Iterable[str]) -> np.ndarray:
        """Like :meth:`get` but -1 for ids without their own row."""
        return np.array([self._row.get(key, -1) for key in keys], dtype=np.int64)

    def mapping(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, rows) of every admitted id, for export."""
        items = sorted(self._row.items(), key=lambda kv: kv[1])
        ids = np.array([k for k, _ in items], dtype=str)
        rows = np.array([r for _, r in items], dtype=np.int64)
        return ids, rows

    @classmethod
    def from_mapping(cls, name: str, ids: np.ndarray, rows: np.ndarray, **options):
        """A serving copy of an exported map (no sightings, nothing pending)."""
        table = cls(name, **options)
        taken = set()
        for key, row in zip(ids.tolist(), rows.tolist(), strict=True):
            table._row[key] = row
            table._ids[row] = key
            table._last_seen[row] = 0.0
            taken.add(row)
        table._free = [r for r in table._free if r not in taken]
        return table
