"""Training the ranker with TensorFlow / Keras 3 (workers and commands only).

:class:`Trainer` owns the four collisionless tables, the Keras model whose embedding
variables hold the tables' rows, the Adam optimizer and the point-in-time
:class:`~.features.FeatureState`. Two ways to train, same code path per mini-batch:

* :meth:`Trainer.fit` (batch): walk the log in time order building every example's features
  from the state before its batch, then a few epochs over all examples;
* :meth:`Trainer.train_online` (real time): for each incoming mini-batch build its examples,
  take one optimizer step per ``train_batch`` examples, fold the batch into the state, and
  remember the touched rows for :meth:`Trainer.export_delta`.

Each positive event also yields ``negatives`` uniformly sampled videos as "not engaged"
examples (unseen videos are the bulk of what a feed could show). Importing this module
imports TensorFlow: web code must not (it loads :class:`~.ranker.RankerArrays`).
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import tensorflow as tf
from keras import layers, ops

from .features import N_FEATURES, TASKS, Batch, FeatureState
from .ranker import DENSE_LAYERS, TABLES, RankerArrays, RankerConfig

_threads_set = False


def _limit_threads() -> None:
    global _threads_set
    if not _threads_set:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(2)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # already initialized by someone else
            pass
        _threads_set = True


def _masked_mean(vectors, mask):
    mask = ops.expand_dims(mask, -1)
    return ops.sum(vectors * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


def build_model(config: RankerConfig) -> keras.Model:
    """The Keras ranking model (see :mod:`.ranker` for the formula)."""
    h, t = config.history, config.max_tags
    dense_in = keras.Input((N_FEATURES,), name="dense")
    user = keras.Input((), dtype="int32", name="user")
    video = keras.Input((), dtype="int32", name="video")
    creator = keras.Input((), dtype="int32", name="creator")
    creator_mask = keras.Input((), name="creator_mask")
    tags = keras.Input((t,), dtype="int32", name="tags")
    tag_mask = keras.Input((t,), name="tag_mask")
    history = keras.Input((h,), dtype="int32", name="history")
    history_mask = keras.Input((h,), name="history_mask")
    init = keras.initializers.RandomNormal(stddev=0.01, seed=config.seed)

    def table(name):
        spec = config.tables[name]
        return layers.Embedding(
            spec.fallback_rows + spec.capacity, config.dim, embeddings_initializer=init, name=name
        )

    e_user, e_video, e_creator, e_tag = (table(name) for name in TABLES)
    item_vec = (
        e_video(video)
        + e_creator(creator) * ops.expand_dims(creator_mask, -1)
        + _masked_mean(e_tag(tags), tag_mask)
    )
    user_vec = e_user(user) + _masked_mean(e_video(history), history_mask)
    x = layers.Concatenate()([dense_in, item_vec * user_vec])
    x = layers.Dense(config.hidden[0], activation="relu", name="dense_1")(x)
    x = layers.Dense(config.hidden[1], activation="relu", name="dense_2")(x)
    dot = ops.sum(item_vec * user_vec, axis=1, keepdims=True)
    logits = layers.Dense(len(TASKS), name="logits")(layers.Concatenate()([x, dot]))
    inputs = [dense_in, user, video, creator, creator_mask, tags, tag_mask, history]
    return keras.Model([*inputs, history_mask], logits, name="monolith_ranker")


INPUT_ORDER = (
    "dense",
    "user",
    "video",
    "creator",
    "creator_mask",
    "tags",
    "tag_mask",
    "history",
    "history_mask",
)


class Trainer:
    """Tables + Keras model + optimizer + feature state (module doc)."""

    def __init__(self, config: RankerConfig | None = None, state: FeatureState | None = None):
        _limit_threads()
        self.config = config or RankerConfig()
        self.state = state or FeatureState(max_tags=self.config.max_tags)
        self.tables = {name: self.config.make_table(name) for name in TABLES}
        keras.utils.set_random_seed(self.config.seed)
        self.model = build_model(self.config)
        # Adam for the small dense layers; Adagrad for the embedding tables, as in Monolith:
        # a row without a gradient in a step stays exactly as it was (Adam's momentum would
        # keep moving every row it ever saw), so a real-time export of the touched rows is
        # the whole change.
        self.optimizer = keras.optimizers.Adam(self.config.learning_rate)
        self.sparse_optimizer = keras.optimizers.Adagrad(self.config.embedding_learning_rate)
        embedding_ids = {id(self.model.get_layer(name).embeddings) for name in TABLES}
        self._sparse_vars = [v for v in self.model.trainable_variables if id(v) in embedding_ids]
        self._dense_vars = [v for v in self.model.trainable_variables if id(v) not in embedding_ids]
        self.rng = np.random.default_rng(self.config.seed)
        self.feature_mean: np.ndarray | None = None
        self.feature_std: np.ndarray | None = None
        self.task_mask = np.zeros(len(TASKS))
        self.version = 0
        self.train_seconds = 0.0
        self._step = tf.function(self._train_step, reduce_retracing=True)
        self._dense_changed = False
        self.last_inputs: dict[str, np.ndarray] = {}

    # -- examples ----------------------------------------------------------------------
    def examples(self, batch: Batch) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Inputs, labels and label masks of one mini-batch, from the state before it."""
        cfg, state = self.config, self.state
        now = float(batch.timestamps[0])
        event_rows = np.array([state.add_item(item) for item in batch.items], dtype=np.int64)
        pos = np.flatnonzero(batch.positive)
        source = np.repeat(pos, cfg.negatives)
        neg_rows = self.rng.integers(0, state.n_items, size=len(source))
        rows = np.concatenate([event_rows, neg_rows])
        users = np.concatenate([batch.users, batch.users[source]])
        n_events, n = len(batch), len(rows)
        labels = np.concatenate([batch.labels, np.zeros((len(source), len(TASKS)))])
        neg_mask = batch.mask[source].copy()
        neg_mask[:, [TASKS.index("skip"), TASKS.index("not_interested")]] = 0.0
        mask = np.concatenate([batch.mask, neg_mask])

        features = state.item_matrix(rows, now)
        by_user: dict[str, list[int]] = {}
        for i, user in enumerate(users):
            by_user.setdefault(user, []).append(i)
        history = np.zeros((n, cfg.history), dtype=np.int64)
        history_mask = np.zeros((n, cfg.history), dtype=np.float32)
        videos = self.tables["videos"]
        for user, idx in by_user.items():
            idx = np.array(idx)
            block = features[idx]
            state.fill_user(block, user, rows[idx])
            features[idx] = block
            past = state.history(user, cfg.history)
            if past:
                history[idx, : len(past)] = videos.get([state.item_ids[r] for r in past])
                history_mask[idx, : len(past)] = 1.0

        def rows_for(table_name, keys_events, keys_negatives):
            table = self.tables[table_name]
            event_part = table.lookup(keys_events, now) if len(keys_events) else np.zeros(0)
            neg_part = table.get(keys_negatives) if len(keys_negatives) else np.zeros(0)
            return np.concatenate([event_part, neg_part]).astype(np.int64)

        item_ids = [state.item_ids[r] for r in rows]
        user_rows = rows_for("users", list(batch.users), [])
        user_rows = np.concatenate([user_rows, user_rows[source]]) if len(source) else user_rows
        video_rows = rows_for("videos", item_ids[:n_events], item_ids[n_events:])
        creators = state.creator_of(rows)
        creator_mask = np.array([c is not None for c in creators], dtype=np.float32)
        creator_names = [c or "" for c in creators]
        creator_rows = rows_for("creators", creator_names[:n_events], creator_names[n_events:])
        creator_rows[creator_mask == 0] = 0
        tag_matrix = state.item_tags[rows]
        tag_mask = (tag_matrix >= 0).astype(np.float32)
        tag_rows = np.zeros_like(tag_matrix)
        event_valid = tag_mask[:n_events] > 0
        names = [state.tag_names[t] for t in tag_matrix[:n_events][event_valid]]
        if names:
            tag_rows[:n_events][event_valid] = self.tables["hashtags"].lookup(names, now)
        neg_valid = tag_mask[n_events:] > 0
        names = [state.tag_names[t] for t in tag_matrix[n_events:][neg_valid]]
        if names:
            tag_rows[n_events:][neg_valid] = self.tables["hashtags"].get(names)
        inputs = {
            "dense": features.astype(np.float32),
            "user": user_rows.astype(np.int32),
            "video": video_rows.astype(np.int32),
            "creator": creator_rows.astype(np.int32),
            "creator_mask": creator_mask,
            "tags": tag_rows.astype(np.int32),
            "tag_mask": tag_mask,
            "history": history.astype(np.int32),
            "history_mask": history_mask,
        }
        self._reinit_new_rows()
        return inputs, labels.astype(np.float32), mask.astype(np.float32)

    def _reinit_new_rows(self) -> None:
        """Rows just handed to an id (maybe evicted from another) start from fresh noise."""
        for name in TABLES:
            rows = self.tables[name].pop_new_rows()
            if len(rows):
                variable = self.model.get_layer(name).embeddings
                values = self.rng.normal(0.0, 0.01, size=(len(rows), self.config.dim))
                variable.value.scatter_nd_update(rows[:, None], values.astype(np.float32))

    def _mark_touched(self, inputs: dict[str, np.ndarray]) -> None:
        t = self.tables
        t["users"].mark_touched(inputs["user"])
        t["videos"].mark_touched(
            np.concatenate([inputs["video"], inputs["history"][inputs["history_mask"] > 0]])
        )
        t["creators"].mark_touched(inputs["creator"][inputs["creator_mask"] > 0])
        t["hashtags"].mark_touched(inputs["tags"][inputs["tag_mask"] > 0])

    # -- training ----------------------------------------------------------------------
    def _train_step(self, inputs, labels, mask):
        with tf.GradientTape() as tape:
            logits = self.model([inputs[name] for name in INPUT_ORDER], training=True)
            losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
            loss = tf.reduce_sum(losses * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)
        gradients = tape.gradient(loss, self._dense_vars + self._sparse_vars)
        n = len(self._dense_vars)
        self.optimizer.apply_gradients(zip(gradients[:n], self._dense_vars, strict=True))
        self.sparse_optimizer.apply_gradients(zip(gradients[n:], self._sparse_vars, strict=True))
        return loss

    def _standardize(self, inputs):
        if self.feature_mean is None:
            dense = inputs["dense"].astype(np.float64)
            self.feature_mean = dense.mean(axis=0)
            self.feature_std = np.maximum(dense.std(axis=0), 1e-3)
        out = dict(inputs)
        out["dense"] = ((inputs["dense"] - self.feature_mean) / self.feature_std).astype(np.float32)
        return out

    def _run(self, inputs, labels, mask, epochs: int, shuffle: bool = True) -> float:
        inputs = self._standardize(inputs)
        n = len(labels)
        size = self.config.train_batch
        loss = 0.0
        for _ in range(epochs):
            order = self.rng.permutation(n) if shuffle else np.arange(n)
            for start in range(0, n, size):
                idx = order[start : start + size]
                loss = float(
                    self._step(
                        {name: tf.constant(value[idx]) for name, value in inputs.items()},
                        tf.constant(labels[idx]),
                        tf.constant(mask[idx]),
                    )
                )
        self._dense_changed = True
        return loss

    def fit(self, batch: Batch, epochs: int | None = None) -> Trainer:
        """Batch training: point-in-time examples over the whole log, then epochs."""
        started = time.perf_counter()
        parts = []
        for part in batch.batches(self.config.batch_events):
            parts.append(self.examples(part))
            self.state.observe(part)
        if parts:
            inputs = {name: np.concatenate([p[0][name] for p in parts]) for name in INPUT_ORDER}
            labels = np.concatenate([p[1] for p in parts])
            mask = np.concatenate([p[2] for p in parts])
            self.task_mask = np.maximum(self.task_mask, (mask.sum(axis=0) > 0).astype(float))
            self._mark_touched(inputs)
            self._run(inputs, labels, mask, self.config.epochs if epochs is None else epochs)
        self.train_seconds = time.perf_counter() - started
        return self

    def train_online(self, batch: Batch) -> float:
        """Real-time training on one incoming mini-batch (one pass); returns the loss."""
        if len(batch) == 0:
            return 0.0
        inputs, labels, mask = self.examples(batch)
        self.last_inputs = inputs
        self.state.observe(batch)
        self.task_mask = np.maximum(self.task_mask, (mask.sum(axis=0) > 0).astype(float))
        self._mark_touched(inputs)
        return self._run(inputs, labels, mask, epochs=1)

    def expire(self, now: float) -> dict[str, int]:
        """Free the rows of ids unseen for each table's ``expire_days``."""
        return {name: len(table.expire(now)) for name, table in self.tables.items()}

    # -- export ------------------------------------------------------------------------
    def _dense_weights(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for name in DENSE_LAYERS:
            kernel, bias = self.model.get_layer(name).get_weights()
            out[name] = (kernel.astype(np.float32), bias.astype(np.float32))
        return out

    def export(self, alpha: float = 1.0, meta: dict | None = None) -> RankerArrays:
        """A full serving copy (every row); clears the touched-row bookkeeping."""
        self.version += 1
        for table in self.tables.values():
            table.pop_touched()
        self._dense_changed = False
        embeddings = {
            name: self.model.get_layer(name).embeddings.numpy().astype(np.float32)
            for name in TABLES
        }
        tables = {}
        for name in TABLES:
            ids, rows = self.tables[name].mapping()
            spec = self.config.tables[name]
            tables[name] = type(self.tables[name]).from_mapping(
                name, ids, rows, capacity=spec.capacity, fallback_rows=spec.fallback_rows
            )
        return RankerArrays(
            config=self.config,
            tables=tables,
            embeddings=embeddings,
            dense=self._dense_weights(),
            feature_mean=self.feature_mean
            if self.feature_mean is not None
            else np.zeros(N_FEATURES),
            feature_std=self.feature_std if self.feature_std is not None else np.ones(N_FEATURES),
            task_mask=self.task_mask.copy(),
            alpha=alpha,
            version=self.version,
            meta=dict(meta or {}),
        )

    def export_delta(self) -> dict[str, np.ndarray]:
        """Only the rows trained since the last export (plus the small dense layers)."""
        self.version += 1
        delta: dict[str, np.ndarray] = {"version": np.array(self.version)}
        for name in TABLES:
            table = self.tables[name]
            rows = table.pop_touched()
            variable = self.model.get_layer(name).embeddings
            values = (
                tf.gather(variable.value, rows).numpy()
                if len(rows)
                else np.zeros((0, self.config.dim), np.float32)
            )
            delta[f"rows_{name}"] = rows
            delta[f"values_{name}"] = values.astype(np.float32)
            delta[f"ids_{name}"] = np.array([table.id_of(int(r)) or "" for r in rows], dtype=str)
        if self._dense_changed:
            for name, (kernel, bias) in self._dense_weights().items():
                delta[f"dense_{name}_kernel"] = kernel
                delta[f"dense_{name}_bias"] = bias
            self._dense_changed = False
        return delta
