"""Loading, validating and splitting the plain-CSV interaction format.

The offline recommender works on two small CSV formats so that anything (the app's own
event export, MovieLens, a partner's log) can be evaluated the same way:

* interactions: header ``user_id,item_id,timestamp,weight``. Ids are opaque strings,
  ``timestamp`` is unix seconds or an ISO 8601 datetime and may be empty, ``weight`` is a
  finite float. Positive weights are positive feedback (watch, like, share...), negative
  weights are negative feedback (skip, "not interested").
* items: header ``item_id,features``; ``features`` is a ``|``-separated list of opaque
  feature strings such as ``creator:42|tag:cats|word:kitten``.

Every problem in a file raises :class:`DataError` naming the file and the line, so that the
management command can turn it into a readable ``CommandError``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

INTERACTION_COLUMNS = ("user_id", "item_id", "timestamp", "weight")
ITEM_COLUMNS = ("item_id", "features")
FEATURE_SEPARATOR = "|"


class DataError(ValueError):
    """A data file is missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class InteractionLog:
    """A columnar log of (user, item, timestamp, weight) events.

    ``timestamps`` holds unix seconds as float64 with NaN where the file had no timestamp;
    ``lines`` keeps each row's line number in its source file so that ties in time keep the
    file's order and errors can point back at the data.
    """

    user_ids: np.ndarray  # object array of str
    item_ids: np.ndarray  # object array of str
    timestamps: np.ndarray  # float64, NaN = unknown
    weights: np.ndarray  # float64
    lines: np.ndarray  # int64
    source: str = "<memory>"

    def __len__(self) -> int:
        return len(self.user_ids)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Sequence],
        source: str = "<memory>",
    ) -> InteractionLog:
        """Build a log from ``(user_id, item_id, timestamp|None, weight)`` tuples."""
        users, items, stamps, weights = [], [], [], []
        for record in records:
            user, item, stamp, weight = record
            users.append(str(user))
            items.append(str(item))
            stamps.append(math.nan if stamp is None else float(stamp))
            weights.append(float(weight))
        n = len(users)
        return cls(
            user_ids=np.array(users, dtype=object),
            item_ids=np.array(items, dtype=object),
            timestamps=np.array(stamps, dtype=np.float64),
            weights=np.array(weights, dtype=np.float64),
            lines=np.arange(1, n + 1, dtype=np.int64),
            source=source,
        )

    def subset(self, mask_or_index: np.ndarray) -> InteractionLog:
        """Rows selected by a boolean mask or an index array, in that order."""
        return InteractionLog(
            user_ids=self.user_ids[mask_or_index],
            item_ids=self.item_ids[mask_or_index],
            timestamps=self.timestamps[mask_or_index],
            weights=self.weights[mask_or_index],
            lines=self.lines[mask_or_index],
            source=self.source,
        )

    def has_timestamps(self) -> bool:
        """True when every row has a timestamp (and there is at least one row)."""
        return len(self) > 0 and bool(np.all(np.isfinite(self.timestamps)))

    def positive_mask(self, min_weight: float = 0.0) -> np.ndarray:
        """Rows that count as positive feedback: ``weight > 0`` and ``weight >= min_weight``."""
        return (self.weights > 0) & (self.weights >= min_weight)

    def time_order(self) -> np.ndarray:
        """Indices sorting rows by (timestamp, line); unknown timestamps sort first."""
        stamps = np.where(np.isfinite(self.timestamps), self.timestamps, -np.inf)
        return np.lexsort((self.lines, stamps))

    def events_by_user(self) -> dict[str, np.ndarray]:
        """Row indices of each user's events, in time order."""
        order = self.time_order()
        result: dict[str, list[int]] = {}
        for row in order:
            result.setdefault(self.user_ids[row], []).append(int(row))
        return {user: np.array(rows, dtype=np.int64) for user, rows in result.items()}


@dataclass(frozen=True)
class Split:
    """A train/test split of one interaction log."""

    train: InteractionLog
    test: InteractionLog
    protocol: str


def _open_csv(path: Path, what: str):
    if not path.exists():
        raise DataError(f"{what} file not found: {path}")
    if not path.is_file():
        raise DataError(f"{what} path is not a file: {path}")
    try:
        # utf-8-sig: spreadsheets like to prepend a byte-order mark.
        return path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read {what} file {path}: {exc}") from exc


def _parse_timestamp(raw: str) -> float:
    """Unix seconds, or an ISO 8601 datetime (naive = UTC); empty -> NaN."""
    raw = raw.strip()
    if not raw:
        return math.nan
    try:
        value = float(raw)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"timestamp {raw!r} is neither unix seconds nor an ISO 8601 datetime"
            ) from None
        if parsed.tzinfo is None:
            # Naive datetimes are taken as UTC so results don't depend on the server's zone.
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    if not math.isfinite(value):
        raise ValueError(f"timestamp {raw!r} is not finite")
    return value


def _check_header(header: list[str] | None, expected: tuple[str, ...], path: Path) -> None:
    if header is None:
        raise DataError(f"{path}, line 1: empty file, expected header {','.join(expected)}")
    cleaned = tuple(column.strip().lower() for column in header)
    if cleaned != expected:
        raise DataError(
            f"{path}, line 1: header is {','.join(header)!r}, expected {','.join(expected)!r}"
        )


def load_interactions(path: str | Path) -> InteractionLog:
    """Read and validate an interactions CSV (``user_id,item_id,timestamp,weight``).

    Blank lines are skipped. Raises :class:`DataError` naming the file and line for a missing
    file, a wrong header, a wrong number of fields, an empty id, a bad timestamp or a
    non-numeric/non-finite weight, and for a file without any interaction.
    """
    path = Path(path)
    users, items, stamps, weights, lines = [], [], [], [], []
    with _open_csv(path, "interactions") as handle:
        reader = csv.reader(handle)
        try:
            _check_header(next(reader, None), INTERACTION_COLUMNS, path)
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(INTERACTION_COLUMNS):
                    raise DataError(
                        f"{path}, line {line}: expected 4 fields "
                        f"(user_id,item_id,timestamp,weight), got {len(row)}"
                    )
                user, item, raw_stamp, raw_weight = (field.strip() for field in row)
                if not user:
                    raise DataError(f"{path}, line {line}: empty user_id")
                if not item:
                    raise DataError(f"{path}, line {line}: empty item_id")
                try:
                    stamp = _parse_timestamp(raw_stamp)
                except ValueError as exc:
                    raise DataError(f"{path}, line {line}: {exc}") from None
                try:
                    weight = float(raw_weight)
                except ValueError:
                    raise DataError(
                        f"{path}, line {line}: weight {raw_weight!r} is not a number"
                    ) from None
                if not math.isfinite(weight):
                    raise DataError(f"{path}, line {line}: weight {raw_weight!r} is not finite")
                users.append(user)
                items.append(item)
                stamps.append(stamp)
                weights.append(weight)
                lines.append(line)
        except csv.Error as exc:
            raise DataError(f"{path}, line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not users:
        raise DataError(f"{path}: no interactions after the header")
    return InteractionLog(
        user_ids=np.array(users, dtype=object),
        item_ids=np.array(items, dtype=object),
        timestamps=np.array(stamps, dtype=np.float64),
        weights=np.array(weights, dtype=np.float64),
        lines=np.array(lines, dtype=np.int64),
        source=str(path),
    )


def split_features(raw: str) -> list[str]:
    """``"a|b| c"`` -> ``["a", "b", "c"]``; empty parts are dropped, order and duplicates kept
    out (first occurrence wins) so a feature is never double-counted."""
    seen: dict[str, None] = {}
    for part in raw.split(FEATURE_SEPARATOR):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def load_items(path: str | Path) -> dict[str, list[str]]:
    """Read and validate an items CSV (``item_id,features``) into ``{item_id: [feature]}``.

    An item may have no features (empty field). Duplicate item ids are an error, since it
    would be ambiguous which feature list wins.
    """
    path = Path(path)
    result: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    with _open_csv(path, "items") as handle:
        reader = csv.reader(handle)
        try:
            _check_header(next(reader, None), ITEM_COLUMNS, path)
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(ITEM_COLUMNS):
                    raise DataError(
                        f"{path}, line {line}: expected 2 fields (item_id,features), got {len(row)}"
                    )
                item = row[0].strip()
                if not item:
                    raise DataError(f"{path}, line {line}: empty item_id")
                if item in result:
                    raise DataError(
                        f"{path}, line {line}: duplicate item_id {item!r} "
                        f"(first on line {first_line[item]})"
                    )
                result[item] = split_features(row[1])
                first_line[item] = line
        except csv.Error as exc:
            raise DataError(f"{path}, line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not result:
        raise DataError(f"{path}: no items after the header")
    return result


def load_candidates(path: str | Path) -> list[str]:
    """Read a candidates file: one item id per line, blank lines ignored, order kept."""
    path = Path(path)
    seen: dict[str, None] = {}
    with _open_csv(path, "candidates") as handle:
        try:
            for line_no, line in enumerate(handle, start=1):
                item = line.strip()
                if not item:
                    continue
                if "," in item:
                    raise DataError(
                        f"{path}, line {line_no}: expected one item id per line, got {item!r}"
                    )
                seen.setdefault(item, None)
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not seen:
        raise DataError(f"{path}: no candidate item ids")
    return list(seen)


def temporal_split(log: InteractionLog, test_fraction: float = 0.2) -> Split:
    """Per user, the last ``test_fraction`` of their events by time go to test.

    Every row needs a timestamp (else :class:`DataError` names the first row without one).
    A user with n events gets ``round(test_fraction * n)`` test events, at least one when
    n >= 2 and never all of them, so every tested user keeps some history to learn from.
    Ties in time keep the file's order.
    """
    missing = np.flatnonzero(~np.isfinite(log.timestamps))
    if len(missing):
        line = int(log.lines[missing[0]])
        raise DataError(
            f"{log.source}, line {line}: the temporal split needs a timestamp on every row "
            "(use --split random, or fill the timestamps)"
        )
    is_test = np.zeros(len(log), dtype=bool)
    for rows in log.events_by_user().values():
        n = len(rows)
        if n < 2:
            continue
        n_test = min(max(math.floor(test_fraction * n + 0.5), 1), n - 1)
        is_test[rows[n - n_test :]] = True
    return Split(train=log.subset(~is_test), test=log.subset(is_test), protocol="temporal")


def random_split(log: InteractionLog, test_fraction: float = 0.2, seed: int = 0) -> Split:
    """A seeded random ``1 - test_fraction`` / ``test_fraction`` split of the rows."""
    rng = np.random.default_rng(seed)
    n_test = math.floor(test_fraction * len(log) + 0.5)
    n_test = min(max(n_test, 1), len(log) - 1) if len(log) >= 2 else 0
    is_test = np.zeros(len(log), dtype=bool)
    is_test[rng.permutation(len(log))[:n_test]] = True
    return Split(train=log.subset(~is_test), test=log.subset(is_test), protocol="random")


class IdIndex:
    """A stable bidirectional map between string ids and dense integer indices."""

    def __init__(self, ids: Iterable[str] = ()):
        self._index: dict[str, int] = {}
        self._ids: list[str] = []
        for item in ids:
            self.add(item)

    def add(self, key: str) -> int:
        """Index of ``key``, adding it at the end if new."""
        index = self._index.get(key)
        if index is None:
            index = len(self._ids)
            self._index[key] = index
            self._ids.append(key)
        return index

    def get(self, key: str, default: int | None = None) -> int | None:
        """Index of ``key`` or ``default``."""
        return self._index.get(key, default)

    def __getitem__(self, key: str) -> int:
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """Ids in index order (do not mutate)."""
        return self._ids

    def lookup(self, keys: Iterable[str]) -> np.ndarray:
        """Indices of the known ``keys`` (unknown ones are dropped), as int64."""
        index = self._index
        return np.fromiter((index[key] for key in keys if key in index), dtype=np.int64)
