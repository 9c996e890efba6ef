"""The versioned ``.npz`` model format (plain arrays and JSON metadata, never pickles)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, fields
from typing import Self

import numpy as np

from .config import HybridConfig
from .data import IdIndex

FORMAT_VERSION = 1


class ModelFormatError(ValueError):
    """A serialized model is corrupt, truncated or from an incompatible version."""


class PersistenceMixin:
    """``to_bytes`` and ``from_bytes`` of :class:`HybridRecommender`."""

    _ARRAYS = (
        "_item_vecs",
        "_item_bias",
        "_user_vecs",
        "_item_feature_vecs",
        "_item_feature_bias",
        "_user_feature_vecs",
        "_popularity",
        "_item_groups",
    )

    def to_bytes(self) -> bytes:
        """Serialize the fitted model (not the online state) to ``.npz`` bytes."""
        self._check_fitted()
        meta = {
            "format": "microvid-hybrid",
            "version": FORMAT_VERSION,
            "config": asdict(self.config),
            "trained_at": self.trained_at,
            "train_seconds": self.train_seconds,
        }
        arrays = {name.lstrip("_"): getattr(self, name) for name in self._ARRAYS}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta)),
            item_ids=np.array(self._item_index.ids, dtype=str),
            user_ids=np.array(self._user_index.ids, dtype=str),
            item_features=np.array(self._item_feature_index.ids, dtype=str),
            user_features=np.array(self._user_feature_index.ids, dtype=str),
            groups=np.array(self._group_index.ids, dtype=str),
            seen_indptr=self._seen.indptr,
            seen_indices=self._seen.indices,
            **arrays,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Load a model saved by :meth:`to_bytes`; raises :class:`ModelFormatError` on a
        corrupt, truncated or incompatible file (pickles are refused)."""
        import scipy.sparse as sp

        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
            meta = json.loads(str(arrays["meta"]))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelFormatError(f"not a readable model file: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != "microvid-hybrid":
            raise ModelFormatError("not a microvid hybrid model file")
        if meta.get("version") != FORMAT_VERSION:
            raise ModelFormatError(
                f"model format version {meta.get('version')} is not {FORMAT_VERSION}"
            )
        known = {f.name for f in fields(HybridConfig)}
        model = cls(HybridConfig(**{k: v for k, v in meta["config"].items() if k in known}))
        try:
            model._item_index = IdIndex(arrays["item_ids"].tolist())
            model._user_index = IdIndex(arrays["user_ids"].tolist())
            model._item_feature_index = IdIndex(arrays["item_features"].tolist())
            model._user_feature_index = IdIndex(arrays["user_features"].tolist())
            model._group_index = IdIndex(arrays["groups"].tolist())
            for name in cls._ARRAYS:
                setattr(model, name, arrays[name.lstrip("_")])
            n_users, n_items = len(model._user_index), len(model._item_index)
            model._seen = sp.csr_matrix(
                (
                    np.ones(len(arrays["seen_indices"]), dtype=np.float32),
                    arrays["seen_indices"],
                    arrays["seen_indptr"],
                ),
                shape=(n_users, n_items),
            )
            dim = model.config.no_components * max(1, model.config.ensemble)
            checks = [
                model._item_vecs.shape == (n_items, dim),
                model._item_bias.shape == (n_items,),
                model._user_vecs.shape == (n_users, dim),
                model._item_feature_vecs.shape == (len(model._item_feature_index), dim),
                model._item_feature_bias.shape == (len(model._item_feature_index),),
                model._user_feature_vecs.shape == (len(model._user_feature_index), dim),
                model._popularity.shape == (n_items,),
                model._item_groups.shape == (n_items,),
            ]
            if not all(checks):
                raise ModelFormatError("model arrays have inconsistent shapes")
            model._finish_setup()
        except KeyError as exc:
            raise ModelFormatError(f"model file lacks {exc}") from exc
        except ValueError as exc:
            if isinstance(exc, ModelFormatError):
                raise
            raise ModelFormatError(f"model arrays are inconsistent: {exc}") from exc
        model.trained_at = meta.get("trained_at")
        model.train_seconds = float(meta.get("train_seconds") or 0.0)
        model._fitted = True
        return model
