"""The ranker's features, computed point-in-time from a stream of events (numpy only).

:class:`FeatureState` is everything the ranker knows about the world *before* an event:
per video its popularity over several windows (exponentially decayed counts of positive
events with a 1-day and a 7-day half-life, and all-time), its share of negative events, its
age; per creator the same popularity; per hashtag/topic its 7-day popularity; per viewer
their history (recent positive videos, how often they liked each creator and hashtag,
their skip share). Training walks the events in time order and computes each example's
features from the state before its mini-batch, then folds the batch in: the features
never contain the label (no leakage), exactly as in serving, where the state is the one
exported by the real-time worker.

Events come as :class:`Batch`: ids, timestamps and one row of labels per event for the
tasks in :data:`TASKS` with a mask saying which labels the source has (a CSV of weights
only knows "positive", "strong" and "negative"; the app's watch events know them all).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

DAY = 86_400.0

#: Ranking tasks (one sigmoid head each) and their weight in the value the feed ranks by.
TASKS = ("complete", "loops", "like", "comment", "follow", "skip", "not_interested")
VALUE_WEIGHTS = np.array([1.0, 0.5, 1.0, 1.0, 1.5, -0.5, -2.0])

FEATURE_NAMES = (
    "item_pos_1d",
    "item_pos_7d",
    "item_pos_all",
    "item_neg_share",
    "item_age_days",
    "creator_pos_7d",
    "creator_pos_all",
    "user_creator_pos",
    "user_tag_share_mean",
    "user_tag_share_max",
    "user_tag_neg_share",
    "user_pos",
    "user_neg_share",
    "tag_pos_7d",
    "hour_sin",
    "hour_cos",
)
N_FEATURES = len(FEATURE_NAMES)


@dataclass
class Batch:
    """A time-ordered slice of events."""

    users: np.ndarray  # object array of str
    items: np.ndarray  # object array of str
    timestamps: np.ndarray  # float64 unix seconds
    labels: np.ndarray  # (n, len(TASKS)) float in [0, 1]
    mask: np.ndarray  # (n, len(TASKS)) 1 where the source knows the label
    positive: np.ndarray  # bool: counts as engagement (popularity, history)
    negative: np.ndarray  # bool: a skip / not interested

    def __len__(self) -> int:
        return len(self.users)

    def slice(self, start: int, stop: int) -> Batch:
        return Batch(
            *(
                getattr(self, name)[start:stop]
                for name in ("users", "items", "timestamps", "labels", "mask")
            ),
            positive=self.positive[start:stop],
            negative=self.negative[start:stop],
        )

    def batches(self, size: int) -> Iterator[Batch]:
        for start in range(0, len(self), size):
            yield self.slice(start, start + size)


def batch_from_weights(
    users, items, timestamps, weights, min_weight: float = 0.0, strong: float = 1.0
) -> Batch:
    """Events with one weight each (``evaluate_recs``' CSV), time-ordered.

    ``weight > 0`` (and ``>= min_weight``) is a completion, ``>= strong`` also a like,
    ``< 0`` a skip, ``<= -1`` a "Not interested"; loops, comments and follows are unknown.
    """
    weights = np.asarray(weights, dtype=np.float64)
    stamps = np.asarray(timestamps, dtype=np.float64)
    stamps = np.where(np.isfinite(stamps), stamps, 0.0)
    order = np.argsort(stamps, kind="stable")
    weights, stamps = weights[order], stamps[order]
    positive = (weights > 0) & (weights >= min_weight)
    n = len(weights)
    labels = np.zeros((n, len(TASKS)))
    labels[:, 0] = positive
    labels[:, 2] = positive & (weights >= max(strong, min_weight))
    labels[:, 5] = weights < 0
    labels[:, 6] = weights <= -1
    mask = np.zeros_like(labels)
    mask[:, [0, 2, 5, 6]] = 1.0
    return Batch(
        np.asarray(users, dtype=object)[order],
        np.asarray(items, dtype=object)[order],
        stamps,
        labels,
        mask,
        positive,
        weights < 0,
    )


def batch_from_labels(users, items, timestamps, columns: Mapping[str, np.ndarray]) -> Batch:
    """Events with every short-video label (the simulator's ``events.csv``, the app)."""
    stamps = np.asarray(timestamps, dtype=np.float64)
    order = np.argsort(stamps, kind="stable")
    ratio = np.asarray(columns["watch_ratio"], dtype=np.float64)[order]
    get = {name: np.asarray(columns[name], dtype=np.float64)[order] for name in columns}
    labels = np.stack(
        [
            ratio >= 1.0,
            np.minimum(get["loops"], 3.0) / 3.0,
            get["liked"],
            get["commented"],
            get["followed"],
            get["skipped"],
            get["not_interested"],
        ],
        axis=1,
    ).astype(np.float64)
    positive = (ratio >= 1.0) | (get["liked"] > 0) | (get["commented"] > 0)
    return Batch(
        np.asarray(users, dtype=object)[order],
        np.asarray(items, dtype=object)[order],
        stamps[order],
        labels,
        np.ones_like(labels),
        positive,
        (get["skipped"] > 0) | (get["not_interested"] > 0),
    )


@dataclass
class _User:
    pos: int = 0
    neg: int = 0
    history: deque = field(default_factory=lambda: deque(maxlen=20))
    creators: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    neg_tags: Counter = field(default_factory=Counter)


class FeatureState:
    """Point-in-time statistics of videos, creators, hashtags and viewers (module doc)."""

    half_lives = (1.0 * DAY, 7.0 * DAY)

    def __init__(
        self,
        item_features: Mapping[str, Sequence[str]] | None = None,
        published: Mapping[str, float] | None = None,
        max_tags: int = 4,
    ):
        self.max_tags = max_tags
        self.item_index: dict[str, int] = {}
        self.item_ids: list[str] = []
        self.creator_index: dict[str, int] = {}
        self.creator_names: list[str] = []
        self.tag_index: dict[str, int] = {}
        self.tag_names: list[str] = []
        self._features = dict(item_features or {})
        self._published = dict(published or {})
        n = 0
        self.item_creator = np.full(n, -1, dtype=np.int64)
        self.item_tags = np.full((n, max_tags), -1, dtype=np.int64)
        self.item_first = np.full(n, np.nan)
        self.item_pos = np.zeros((3, n))  # 1d, 7d, all-time
        self.item_events = np.zeros(n)
        self.item_neg = np.zeros(n)
        self.creator_pos = np.zeros((2, 0))  # 7d, all-time
        self.tag_pos = np.zeros(0)  # 7d
        self.users: dict[str, _User] = {}
        self.clock = -math.inf
        for item in self._features:
            self.add_item(item)

    # -- entities ----------------------------------------------------------------------
    def _grow(self, n: int) -> None:
        have = len(self.item_creator)
        if n <= have:
            return
        extra = max(n - have, have)
        self.item_creator = np.concatenate([self.item_creator, np.full(extra, -1, np.int64)])
        self.item_tags = np.concatenate(
            [self.item_tags, np.full((extra, self.max_tags), -1, np.int64)]
        )
        self.item_first = np.concatenate([self.item_first, np.full(extra, np.nan)])
        self.item_pos = np.concatenate([self.item_pos, np.zeros((3, extra))], axis=1)
        self.item_events = np.concatenate([self.item_events, np.zeros(extra)])
        self.item_neg = np.concatenate([self.item_neg, np.zeros(extra)])

    def _intern(self, name: str, index: dict[str, int], names: list[str]) -> int:
        row = index.get(name)
        if row is None:
            row = index[name] = len(names)
            names.append(name)
        return row

    def add_item(
        self, item: str, features: Sequence[str] | None = None, published: float | None = None
    ) -> int:
        """The item's index, registering it (and its creator and hashtags) if new."""
        row = self.item_index.get(item)
        if row is not None:
            return row
        row = self.item_index[item] = len(self.item_ids)
        self.item_ids.append(item)
        self._grow(row + 1)
        features = self._features.get(item, ()) if features is None else features
        tags = []
        for feature in features:
            if feature.startswith("creator:"):
                self.item_creator[row] = self._intern(
                    feature, self.creator_index, self.creator_names
                )
            elif len(tags) < self.max_tags:
                tags.append(self._intern(feature, self.tag_index, self.tag_names))
        self.item_tags[row, : len(tags)] = tags
        if len(self.creator_names) > self.creator_pos.shape[1]:
            grow = len(self.creator_names) * 2 - self.creator_pos.shape[1]
            self.creator_pos = np.concatenate([self.creator_pos, np.zeros((2, grow))], axis=1)
        if len(self.tag_names) > len(self.tag_pos):
            self.tag_pos = np.concatenate([self.tag_pos, np.zeros(len(self.tag_names))])
        stamp = self._published.get(item) if published is None else published
        if stamp is not None:
            self.item_first[row] = stamp
        return row

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def creator_of(self, rows: np.ndarray) -> list[str | None]:
        return [self.creator_names[c] if c >= 0 else None for c in self.item_creator[rows]]

    # -- time --------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Decay the windowed counts to ``now``."""
        if not math.isfinite(self.clock):
            self.clock = now
            return
        gap = now - self.clock
        if gap <= 0:
            return
        for w, half_life in enumerate(self.half_lives):
            decay = 0.5 ** (gap / half_life)
            self.item_pos[w] *= decay
            if w == 1:
                self.creator_pos[0] *= decay
                self.tag_pos *= decay
        self.clock = now

    def observe(self, batch: Batch) -> None:
        """Fold a batch of events into the state (after its examples were built)."""
        if len(batch) == 0:
            return
        self.advance(float(batch.timestamps[-1]))
        rows = np.array([self.add_item(item) for item in batch.items], dtype=np.int64)
        first = np.isnan(self.item_first[rows])
        self.item_first[rows[first]] = batch.timestamps[first]
        pos_rows = rows[batch.positive]
        for w in range(3):
            np.add.at(self.item_pos[w], pos_rows, 1.0)
        np.add.at(self.item_events, rows, 1.0)
        np.add.at(self.item_neg, rows[batch.negative], 1.0)
        creators = self.item_creator[pos_rows]
        creators = creators[creators >= 0]
        np.add.at(self.creator_pos[0], creators, 1.0)
        np.add.at(self.creator_pos[1], creators, 1.0)
        tags = self.item_tags[pos_rows].ravel()
        np.add.at(self.tag_pos, tags[tags >= 0], 1.0)
        tag_lists = self.item_tags[rows].tolist()
        creator_list = self.item_creator[rows].tolist()
        for user, row, pos, neg, tag_row, creator in zip(
            batch.users.tolist(),
            rows.tolist(),
            batch.positive.tolist(),
            batch.negative.tolist(),
            tag_lists,
            creator_list,
            strict=True,
        ):
            state = self.users.get(user)
            if state is None:
                state = self.users[user] = _User()
            if pos:
                state.pos += 1
                state.history.append(row)
                if creator >= 0:
                    state.creators[creator] += 1
                for tag in tag_row:
                    if tag >= 0:
                        state.tags[tag] += 1
            elif neg:
                state.neg += 1
                for tag in tag_row:
                    if tag >= 0:
                        state.neg_tags[tag] += 1

    # -- features ----------------------------------------------------------------------
    def item_matrix(self, rows: np.ndarray, now: float) -> np.ndarray:
        """The user-independent columns for item ``rows`` at time ``now``."""
        gap = max(0.0, now - self.clock) if math.isfinite(self.clock) else 0.0
        d1 = 0.5 ** (gap / self.half_lives[0])
        d7 = 0.5 ** (gap / self.half_lives[1])
        out = np.zeros((len(rows), N_FEATURES))
        out[:, 0] = np.log1p(self.item_pos[0, rows] * d1)
        out[:, 1] = np.log1p(self.item_pos[1, rows] * d7)
        out[:, 2] = np.log1p(self.item_pos[2, rows])
        out[:, 3] = (self.item_neg[rows] + 0.5) / (self.item_events[rows] + 2.0)
        first = self.item_first[rows]
        age = np.where(np.isnan(first), 0.0, np.maximum(0.0, now - first) / DAY)
        out[:, 4] = np.log1p(age)
        creators = self.item_creator[rows]
        has = creators >= 0
        out[has, 5] = np.log1p(self.creator_pos[0, creators[has]] * d7)
        out[has, 6] = np.log1p(self.creator_pos[1, creators[has]])
        tags = self.item_tags[rows]
        valid = tags >= 0
        tag_pop = np.where(valid, np.log1p(self.tag_pos[np.maximum(tags, 0)] * d7), 0.0)
        out[:, 13] = tag_pop.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
        hour = (now % DAY) / DAY * 2 * math.pi
        out[:, 14] = math.sin(hour)
        out[:, 15] = math.cos(hour)
        return out

    def fill_user(self, out: np.ndarray, user: str, rows: np.ndarray) -> None:
        """Add the viewer's columns (history, affinities) for item ``rows`` into ``out``."""
        state = self.users.get(user)
        if state is None:
            return
        out[:, 11] = math.log1p(state.pos)
        out[:, 12] = (state.neg + 0.5) / (state.pos + state.neg + 2.0)
        if state.creators:
            counts = np.zeros(len(self.creator_names) + 1)
            for creator, count in state.creators.items():
                counts[creator] = count
            out[:, 7] = np.log1p(counts[self.item_creator[rows]])  # -1 reads the 0 at the end
        if state.tags or state.neg_tags:
            tags = self.item_tags[rows]
            valid = tags >= 0
            n_valid = np.maximum(valid.sum(axis=1), 1)
            shares = np.zeros(len(self.tag_names) + 1)
            for tag, count in state.tags.items():
                shares[tag] = count / max(1, state.pos)
            per_tag = shares[tags]  # -1 reads the 0 at the end
            out[:, 8] = per_tag.sum(axis=1) / n_valid
            out[:, 9] = per_tag.max(axis=1)
            if state.neg_tags:
                neg = np.zeros(len(self.tag_names) + 1)
                for tag, count in state.neg_tags.items():
                    neg[tag] = count / max(1, state.neg)
                out[:, 10] = neg[tags].max(axis=1)

    def features(self, user: str, rows: np.ndarray, now: float) -> np.ndarray:
        """All columns (:data:`FEATURE_NAMES`) for one viewer and item ``rows``."""
        out = self.item_matrix(rows, now)
        self.fill_user(out, user, rows)
        return out

    def history(self, user: str, length: int) -> list[int]:
        """The viewer's most recent positive item rows, newest last."""
        state = self.users.get(user)
        return list(state.history)[-length:] if state else []

    def popularity(self) -> np.ndarray:
        """All-time positive events per item row (the most-popular baseline's score)."""
        return self.item_pos[2, : self.n_items].copy()
