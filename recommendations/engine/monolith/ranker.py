"""The ranking model's serving half: numpy arrays only (what web processes load).

The Keras model (:mod:`.train`) is, per (viewer, video) example::

    item_vec = E_video[video] + E_creator[creator] + mean(E_tag[hashtags])
    user_vec = E_user[viewer] + mean(E_video[recent positive videos])
    h        = relu(W2 relu(W1 [standardized features, user_vec * item_vec] + b1) + b2)
    logits   = W3 [h, user_vec . item_vec] + b3          # one per task in TASKS

and the feed ranks by the *value* ``sum_t VALUE_WEIGHTS[t] * sigmoid(logit_t)`` over the
tasks the training data had, blended with popularity::

    score = alpha * z(value) + (1 - alpha) * z(log1p(popularity))

``z`` standardizes over the ranked candidates; ``alpha`` was chosen on a validation slice
of the training data (alpha = 0 is exactly most-popular, so on that slice the ranker is never
worse than it). :class:`RankerArrays` holds every array and does this forward pass in numpy;
it round-trips through an ``.npz`` (``allow_pickle=False``).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import numpy as np

from .features import N_FEATURES, TASKS, VALUE_WEIGHTS, FeatureState
from .table import CollisionlessTable

FORMAT_VERSION = 1
TABLES = ("users", "videos", "creators", "hashtags")
DENSE_LAYERS = ("dense_1", "dense_2", "logits")


class RankerFormatError(ValueError):
    """An exported ranker file is truncated, corrupt or of another format."""


@dataclass
class TableSpec:
    """Capacity and policy of one collisionless table."""

    capacity: int
    min_count: int = 1
    expire_days: float | None = None
    fallback_rows: int = 1


@dataclass
class RankerConfig:
    dim: int = 16
    hidden: tuple[int, int] = (64, 32)
    history: int = 10
    max_tags: int = 4
    negatives: int = 3  # uniformly sampled unseen videos per positive event
    batch_events: int = 1024  # events per point-in-time feature batch
    train_batch: int = 1024
    epochs: int = 2
    learning_rate: float = 0.003  # Adam, dense layers
    embedding_learning_rate: float = 0.05  # Adagrad, embedding tables
    l2: float = 1e-6
    seed: int = 0
    tables: dict[str, TableSpec] = field(
        default_factory=lambda: {
            "users": TableSpec(200_000, min_count=2, expire_days=90, fallback_rows=8),
            "videos": TableSpec(200_000, min_count=2, expire_days=90, fallback_rows=8),
            "creators": TableSpec(50_000, min_count=2, expire_days=180, fallback_rows=4),
            "hashtags": TableSpec(50_000, min_count=3, expire_days=180, fallback_rows=4),
        }
    )

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["hidden"] = list(self.hidden)
        data["tables"] = {name: dict(spec.__dict__) for name, spec in self.tables.items()}
        return data

    @classmethod
    def from_json(cls, data: dict) -> RankerConfig:
        data = dict(data)
        data["hidden"] = tuple(data["hidden"])
        data["tables"] = {name: TableSpec(**spec) for name, spec in data["tables"].items()}
        return cls(**data)

    def make_table(self, name: str) -> CollisionlessTable:
        spec = self.tables[name]
        return CollisionlessTable(
            name,
            spec.capacity,
            min_count=spec.min_count,
            expire_seconds=None if spec.expire_days is None else spec.expire_days * 86_400.0,
            fallback_rows=spec.fallback_rows,
        )


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _z(x: np.ndarray) -> np.ndarray:
    std = x.std()
    return (x - x.mean()) / std if std > 1e-12 else np.zeros_like(x)


@dataclass
class RankerArrays:
    """Everything needed to score: tables' maps, embeddings, dense weights, blend."""

    config: RankerConfig
    tables: dict[str, CollisionlessTable]
    embeddings: dict[str, np.ndarray]  # table name -> (rows, dim) float32
    dense: dict[str, tuple[np.ndarray, np.ndarray]]  # layer -> (kernel, bias)
    feature_mean: np.ndarray
    feature_std: np.ndarray
    task_mask: np.ndarray  # which tasks the training data had
    alpha: float = 1.0
    version: int = 0
    meta: dict = field(default_factory=dict)
    _item_cache: tuple | None = field(default=None, repr=False, compare=False)

    # -- scoring -----------------------------------------------------------------------
    def item_vectors(self, state: FeatureState, rows: np.ndarray) -> np.ndarray:
        """``item_vec`` for item rows of ``state`` (all items' vectors are cached)."""
        cache = self._item_cache
        if cache is None or cache[0] is not state or len(cache[1]) < state.n_items:
            cache = self._item_cache = (state, self._all_item_vectors(state))
        return cache[1][rows]

    def _all_item_vectors(self, state: FeatureState) -> np.ndarray:
        rows = np.arange(state.n_items)
        vec = self.embeddings["videos"][self.tables["videos"].get(state.item_ids)]
        vec = vec.astype(np.float64)
        creator_rows = self.tables["creators"].get(state.creator_names)
        creators = state.item_creator[rows]
        has = creators >= 0
        vec[has] += self.embeddings["creators"][creator_rows[creators[has]]]
        tag_rows = self.tables["hashtags"].get(state.tag_names)
        tags = state.item_tags[rows]
        valid = tags >= 0
        if valid.any():
            tag_vecs = np.zeros((*tags.shape, vec.shape[1]))
            tag_vecs[valid] = self.embeddings["hashtags"][tag_rows[tags[valid]]]
            vec += tag_vecs.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)[:, None]
        return vec

    def invalidate(self) -> None:
        """Forget cached item vectors (after new rows arrived)."""
        self._item_cache = None

    def user_vector(self, state: FeatureState, user: str) -> np.ndarray:
        """``user_vec``: the viewer's own row plus the mean of their recent videos."""
        vec = self.embeddings["users"][self.tables["users"].get([user])[0]].astype(np.float64)
        history = state.history(user, self.config.history)
        if history:
            ids = [state.item_ids[r] for r in history]
            vec = vec + self.embeddings["videos"][self.tables["videos"].get(ids)].mean(axis=0)
        return vec

    def logits(self, features: np.ndarray, user_vec: np.ndarray, item_vecs: np.ndarray):
        x = (features - self.feature_mean) / self.feature_std
        x = np.concatenate([x, item_vecs * user_vec[None, :]], axis=1)
        for name in DENSE_LAYERS[:-1]:
            kernel, bias = self.dense[name]
            x = _relu(x @ kernel + bias)
        dot = (item_vecs @ user_vec)[:, None]
        kernel, bias = self.dense["logits"]
        return np.concatenate([x, dot], axis=1) @ kernel + bias

    def value(self, logits: np.ndarray) -> np.ndarray:
        """Expected value of showing each video (the tasks the data had, weighted)."""
        return _sigmoid(logits) @ (VALUE_WEIGHTS * self.task_mask)

    def score(
        self, state: FeatureState, user: str, rows: np.ndarray, now: float
    ) -> dict[str, np.ndarray]:
        """Per candidate row: the model's value, popularity and the blended score."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            empty = np.zeros(0)
            return {"value": empty, "popularity": empty, "score": empty}
        features = state.features(user, rows, now)
        item_vecs = self.item_vectors(state, rows)
        value = self.value(self.logits(features, self.user_vector(state, user), item_vecs))
        popularity = np.log1p(state.item_pos[2, rows])
        score = self.alpha * _z(value) + (1.0 - self.alpha) * _z(popularity)
        return {"value": value, "popularity": popularity, "score": score}

    # -- persistence -------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        for name, table in self.tables.items():
            ids, rows = table.mapping()
            arrays[f"table_{name}_ids"] = ids
            arrays[f"table_{name}_rows"] = rows
            arrays[f"emb_{name}"] = self.embeddings[name]
        for name, (kernel, bias) in self.dense.items():
            arrays[f"dense_{name}_kernel"] = kernel
            arrays[f"dense_{name}_bias"] = bias
        arrays["feature_mean"] = self.feature_mean
        arrays["feature_std"] = self.feature_std
        arrays["task_mask"] = self.task_mask
        header = {
            "format": FORMAT_VERSION,
            "config": self.config.to_json(),
            "alpha": self.alpha,
            "version": self.version,
            "meta": self.meta,
        }
        arrays["header"] = np.array(json.dumps(header))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RankerArrays:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            header = json.loads(str(arrays["header"]))
            if header.get("format") != FORMAT_VERSION:
                raise RankerFormatError(f"unsupported ranker format {header.get('format')!r}")
            config = RankerConfig.from_json(header["config"])
            tables = {}
            embeddings = {}
            for name in TABLES:
                spec = config.tables[name]
                tables[name] = CollisionlessTable.from_mapping(
                    name,
                    arrays[f"table_{name}_ids"],
                    arrays[f"table_{name}_rows"],
                    capacity=spec.capacity,
                    fallback_rows=spec.fallback_rows,
                )
                embeddings[name] = arrays[f"emb_{name}"]
            dense = {
                name: (arrays[f"dense_{name}_kernel"], arrays[f"dense_{name}_bias"])
                for name in DENSE_LAYERS
            }
            ranker = cls(
                config=config,
                tables=tables,
                embeddings=embeddings,
                dense=dense,
                feature_mean=arrays["feature_mean"],
                feature_std=arrays["feature_std"],
                task_mask=arrays["task_mask"],
                alpha=float(header["alpha"]),
                version=int(header["version"]),
                meta=dict(header.get("meta", {})),
            )
        except RankerFormatError:
            raise
        except Exception as exc:  # zip, key, json and shape errors all mean "unreadable"
            raise RankerFormatError(f"unreadable ranker file: {exc}") from exc
        if ranker.feature_mean.shape != (N_FEATURES,) or len(ranker.task_mask) != len(TASKS):
            raise RankerFormatError("ranker file does not match this code's features")
        return ranker

    def apply_delta(self, delta: dict[str, np.ndarray]) -> None:
        """Overwrite the rows a real-time export carries (see ``train.export_delta``)."""
        for name in TABLES:
            rows = delta.get(f"rows_{name}")
            if rows is None or len(rows) == 0:
                continue
            self.embeddings[name][rows] = delta[f"values_{name}"]
            table = self.tables[name]
            for key, row in zip(delta[f"ids_{name}"].tolist(), rows.tolist(), strict=True):
                old = table.id_of(row)
                if old is not None and old != key:
                    del table._row[old]
                if key:
                    table._row[key] = row
                    table._ids[row] = key
        self.invalidate()
        for name in DENSE_LAYERS:
            if f"dense_{name}_kernel" in delta:
                self.dense[name] = (delta[f"dense_{name}_kernel"], delta[f"dense_{name}_bias"])
