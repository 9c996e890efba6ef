"""The trained model a web process serves: loaded lazily from Django storage, cached per
process, swapped when a newer version is published, and never fatal.

Only numpy arrays are read (``HybridRecommender.from_bytes``); LightFM itself, and anything
else used for training, is never imported here, so web processes stay small (SciPy, for the
seen-items matrix, is imported when the first model is loaded).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages

from recommendations.engine.persistence import ModelFormatError
from recommendations.engine.recommender import HybridRecommender
from recommendations.models import RecModelVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    version: str
    model: HybridRecommender
    trained_until: float  # unix seconds


class _Registry:
    def __init__(self):
        self.lock = threading.RLock()  # also serializes the per-request online state
        self.loaded: LoadedModel | None = None
        # version -> when it failed to load; retried after RECS_MODEL_RETRY_SECONDS.
        self.failed: dict[str, float] = {}

    def clear(self) -> None:
        with self.lock:
            self.loaded = None
            self.failed.clear()


registry = _Registry()


def model_storage():
    return storages[settings.RECS_MODEL_STORAGE]


def latest_version() -> dict | None:
    """The newest published model version (one small query, run on every For You page so
    that a retrain is picked up at once by every process)."""
    return (
        RecModelVersion.objects.order_by("-created_at", "-pk")
        .values("version", "path", "trained_until")
        .first()
    )


def current_model(row: dict | None) -> LoadedModel | None:
    """The model for the newest version ``row`` (from ``latest_version``), loading it on
    first use. A missing or corrupt file is logged and the previously loaded model (if any)
    keeps serving; without one the caller falls back to trending and fresh videos."""
    if row is None or not settings.RECS_ENABLED:
        return None
    loaded = registry.loaded
    if loaded is not None and loaded.version == row["version"]:
        return loaded
    with registry.lock:
        loaded = registry.loaded
        if loaded is not None and loaded.version == row["version"]:
            return loaded
        failed_at = registry.failed.get(row["version"])
        retry = settings.RECS_MODEL_RETRY_SECONDS
        if failed_at is not None and time.monotonic() - failed_at < retry:
            return loaded
        try:
            with model_storage().open(row["path"], "rb") as handle:
                model = HybridRecommender.from_bytes(handle.read())
        except (OSError, ModelFormatError) as exc:
            registry.failed[row["version"]] = time.monotonic()
            logger.error(
                "recommender model %s (%s) could not be loaded, %s: %s",
                row["version"],
                row["path"],
                "keeping the previous model" if loaded else "serving trending and fresh videos",
                exc,
            )
            return loaded
        registry.loaded = LoadedModel(row["version"], model, row["trained_until"].timestamp())
        registry.failed.pop(row["version"], None)
        logger.info("recommender model %s loaded (%d items)", row["version"], len(model.item_ids))
        return registry.loaded
