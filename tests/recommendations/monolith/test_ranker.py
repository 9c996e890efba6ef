"""The Keras ranker, its numpy serving copy, real-time deltas and the popularity blend.

One tiny simulated world, trained once per module (TensorFlow is slow to import)."""

import subprocess
import sys

import numpy as np
import pytest

from recommendations.engine.data import load_interactions, load_items
from recommendations.engine.monolith.features import FeatureState, batch_from_weights
from recommendations.engine.monolith.ranker import RankerArrays, RankerConfig, RankerFormatError
from recommendations.engine.monolith.simulate import SimConfig, write_dataset

TINY = SimConfig(
    users=100, videos=200, creators=25, days=5, test_days=2, panel_users=30, panel_videos=40, seed=5
)


def small_config(**overrides):
    config = RankerConfig(dim=8, hidden=(16, 8), epochs=1, batch_events=256, train_batch=256)
    for spec in config.tables.values():
        spec.capacity = 400
        spec.min_count = 1
    return RankerConfig(**{**config.__dict__, **overrides})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    write_dataset(out, TINY)
    return load_interactions(out / "interactions.csv"), load_items(out / "items.csv")


@pytest.fixture(scope="module")
def trained(world):
    pytest.importorskip("tensorflow")
    from recommendations.engine.monolith.train import Trainer

    log, items = world
    cut = int(len(log) * 0.7)
    state = FeatureState(items)
    trainer = Trainer(small_config(), state)
    batch = batch_from_weights(log.user_ids, log.item_ids, log.timestamps, log.weights)
    trainer.fit(batch.slice(0, cut))
    return trainer, batch, cut


def test_the_numpy_serving_copy_scores_exactly_like_the_keras_model(trained):
    from recommendations.engine.monolith.train import INPUT_ORDER

    trainer, batch, cut = trained
    part = batch.slice(cut, cut + 64)
    inputs, _, _ = trainer.examples(part)
    standardized = trainer._standardize(inputs)
    keras_logits = trainer.model([standardized[name] for name in INPUT_ORDER]).numpy()
    arrays = trainer.export()
    state = trainer.state
    n = len(part)
    for i in range(0, n, 16):  # events of different viewers
        user = part.users[i]
        row = state.item_index[part.items[i]]
        numpy_logits = arrays.logits(
            inputs["dense"][i : i + 1].astype(np.float64),
            arrays.user_vector(state, user),
            arrays.item_vectors(state, np.array([row])),
        )
        np.testing.assert_allclose(numpy_logits[0], keras_logits[i], rtol=1e-3, atol=1e-4)


def test_real_time_training_exports_only_the_touched_rows(trained):
    trainer, batch, cut = trained
    serving = RankerArrays.from_bytes(trainer.export().to_bytes())
    users_before = len(trainer.tables["users"])
    step = batch.slice(cut + 100, cut + 164)
    trainer.train_online(step)
    delta = trainer.export_delta()
    touched_videos = set(delta["ids_videos"].tolist()) - {""}
    # exactly the rows this mini-batch trained (its videos, sampled negatives, histories)
    assert set(step.items.tolist()) <= touched_videos
    used = trainer.last_inputs
    trained_rows = np.concatenate([used["video"], used["history"][used["history_mask"] > 0]])
    assert delta["rows_videos"].tolist() == sorted(set(trained_rows.tolist()))
    assert delta["rows_users"].tolist() == sorted(set(used["user"].tolist()))
    assert len(delta["rows_users"]) <= len(set(step.users.tolist())) + 8  # + fallback rows
    assert len(trainer.tables["users"]) >= users_before
    serving.apply_delta(delta)
    full = trainer.export()
    for name in ("users", "videos", "creators", "hashtags"):
        np.testing.assert_allclose(serving.embeddings[name], full.embeddings[name], atol=1e-6)
    user = step.users[0]
    rows = np.arange(trainer.state.n_items)
    now = trainer.state.clock
    np.testing.assert_allclose(
        serving.score(trainer.state, user, rows, now)["score"],
        full.score(trainer.state, user, rows, now)["score"],
        atol=1e-5,
    )


def test_the_exported_file_round_trips_and_rejects_garbage(trained):
    trainer, _, _ = trained
    arrays = trainer.export(alpha=0.3)
    again = RankerArrays.from_bytes(arrays.to_bytes())
    assert again.alpha == 0.3 and again.version == arrays.version
    assert (
        again.tables["videos"].mapping()[0].tolist()
        == arrays.tables["videos"].mapping()[0].tolist()
    )
    with pytest.raises(RankerFormatError):
        RankerArrays.from_bytes(b"not a model")
    with pytest.raises(RankerFormatError):
        RankerArrays.from_bytes(arrays.to_bytes()[:200])


def test_web_modules_never_import_tensorflow():
    code = (
        "import os, sys, django;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'microvid.settings');"
        "django.setup();"
        "import feeds.views, recommendations.selectors, recommendations.views;"
        "import recommendations.engine.monolith.ranker, recommendations.engine.monolith.table;"
        "import recommendations.engine.monolith.recommender;"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported';"
        "assert 'keras' not in sys.modules, 'keras imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
