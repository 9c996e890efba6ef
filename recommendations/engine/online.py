"""Online updates: fold a viewer's fresh events into their embedding, item side frozen."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .events import Event


@dataclass
class OnlineState:
    """A user's events since the last retrain and the embedding folded in from them."""

    items: deque = field(default_factory=deque)
    weights: deque = field(default_factory=deque)
    seen: set = field(default_factory=set)
    hidden: list = field(default_factory=list)
    vector: np.ndarray | None = None


class OnlineMixin:
    """``update_user``, ``reset_user`` and ``fold_in`` of :class:`HybridRecommender`."""

    def update_user(
        self,
        user_id: str,
        events: Iterable[Event | tuple],
        *,
        user_features: Sequence[str] | None = None,
    ) -> int:
        """Fold fresh feedback into ``user_id``'s embedding; returns the events used.

        ``events`` are :class:`Event` objects or ``(item_id, weight)`` /
        ``(item_id, "signal")`` tuples, oldest first. The item side stays frozen. The user's
        last ``foldin_max_events`` events since the retrain are kept and the embedding is
        re-solved from the batch embedding each time, so the result does not depend on how
        the events were batched and never drifts. Events on unknown items are ignored.
        """
        self._check_fitted()
        # Most-recently-updated users last, so the oldest state is dropped first when the
        # process holds more than max_online_users (the events live in the app's database;
        # a dropped user is simply folded in again on their next update).
        state = self._online.pop(user_id, None) or OnlineState()
        self._online[user_id] = state
        while len(self._online) > self.config.max_online_users:
            del self._online[next(iter(self._online))]
        used = 0
        for raw in events:
            event = raw if isinstance(raw, Event) else self._coerce_event(raw)
            row = self._item_index.get(event.item_id)
            if row is None:
                continue
            used += 1
            state.seen.add(row)
            if event.hide:
                state.hidden.append(row)
            if event.weight == 0:
                continue
            state.items.append(row)
            state.weights.append(float(event.weight))
            while len(state.items) > self.config.foldin_max_events:
                state.items.popleft()
                state.weights.popleft()
        if used:
            base = self.base_user_vector(user_id, user_features)
            state.vector = self.fold_in(base, np.array(state.items), np.array(state.weights))
        return used

    @staticmethod
    def _coerce_event(raw: tuple) -> Event:
        item, value = raw[0], raw[1]
        if isinstance(value, str):
            return Event.from_signal(str(item), value)
        return Event(str(item), float(value))

    def reset_user(self, user_id: str) -> None:
        """Forget a user's online events (e.g. once a retrain has absorbed them)."""
        self._online.pop(user_id, None)

    def fold_in(
        self,
        base: np.ndarray,
        items: np.ndarray,
        weights: np.ndarray,
        *,
        l2: float | None = None,
    ) -> np.ndarray:
        """Solve for a user embedding given events, with item embeddings frozen.

        Minimizes, over the user vector ``u`` (scores ``s_i = u.v_i + b_i``)::

            sum_pos w_j * (logsumexp(s_C + [s_j]) - s_j)          # rank j above contrast C
          + sum_neg |w_j| * mean_c softplus(s_j - s_c)             # push j (and look-alikes)
                                                                   # below the contrast items
          + l2 / 2 * ||u - base||^2           # stay near the batch model (l2: foldin_l2)

        It is convex, so a few damped Newton steps (d x d systems, d = no_components) solve
        it in about a millisecond for tens of events.
        """
        base = np.asarray(base, dtype=np.float64)
        if not len(items):
            return base.astype(np.float32)
        items = np.asarray(items, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        lam = self.config.foldin_l2 if l2 is None else l2
        contrast = self._contrast
        vc = self._item_vecs[contrast].astype(np.float64)
        bc = self._item_offset[contrast].astype(np.float64)
        pos, neg = weights > 0, weights < 0
        vp, bp, wp = (
            self._item_vecs[items[pos]].astype(np.float64),
            self._item_offset[items[pos]].astype(np.float64),
            weights[pos],
        )
        vn, bn, wn = (
            self._item_vecs[items[neg]].astype(np.float64),
            self._item_offset[items[neg]].astype(np.float64),
            -weights[neg],
        )
        m = len(contrast)

        def objective(u: np.ndarray) -> float:
            sc = vc @ u + bc
            total = 0.5 * lam * float(np.sum((u - base) ** 2))
            if len(wp):
                sp_ = vp @ u + bp
                lse_c = _logsumexp(sc)
                total += float(wp @ (np.logaddexp(lse_c, sp_) - sp_))
            if len(wn):
                sn = vn @ u + bn
                total += float(wn @ np.logaddexp(0.0, sn[:, None] - sc[None, :]).mean(axis=1))
            return total

        u = base.copy()
        dim = len(u)
        current = None
        for _ in range(self.config.foldin_iterations):
            sc = vc @ u + bc
            grad = lam * (u - base)
            hess = lam * np.eye(dim)
            if len(wp):
                sp_ = vp @ u + bp
                lse_c = _logsumexp(sc)
                q = np.exp(sc - lse_c)
                mu = q @ vc
                centered = vc - mu
                cov = (centered * q[:, None]).T @ centered
                p_self = np.exp(sp_ - np.logaddexp(lse_c, sp_))  # softmax mass on j itself
                rest = 1.0 - p_self
                diff = mu[None, :] - vp
                grad += (wp * rest) @ diff
                hess += float(wp @ rest) * cov
                hess += (diff * (wp * rest * p_self)[:, None]).T @ diff
            if len(wn):
                sn = vn @ u + bn
                sig = _sigmoid(sn[:, None] - sc[None, :])  # (neg events, m)
                # d/du mean_c softplus(s_j - s_c) = mean_c sig_jc (v_j - v_c)
                grad += (wn * sig.mean(axis=1)) @ vn - ((wn[:, None] * sig).sum(axis=0) @ vc) / m
                # Hessian sum_j sum_c a_jc (v_j - v_c)(v_j - v_c)^T, expanded so that it
                # costs three small matrix products instead of one per negative event.
                curv = sig * (1.0 - sig) * (wn[:, None] / m)  # a_jc, (neg events, m)
                mass = curv.sum(axis=1)
                pulled = curv @ vc  # sum_c a_jc v_c, (neg events, d)
                cross = vn.T @ pulled
                hess += (vn * mass[:, None]).T @ vn - cross - cross.T
                hess += (vc * curv.sum(axis=0)[:, None]).T @ vc
            step = np.linalg.solve(hess, grad)
            if current is None:
                current = objective(u)
            slope = float(grad @ step)
            scale = 1.0
            # Backtracking keeps every step a descent step (Newton can overshoot on the
            # flat parts of softplus/logsumexp).
            while True:
                candidate = u - scale * step
                value = objective(candidate)
                if value <= current - 1e-4 * scale * slope or scale < 1e-3:
                    break
                scale *= 0.5
            u, current = candidate, value
            if scale * math.sqrt(float(step @ step)) < 1e-6:
                break
        return u.astype(np.float32)


def _logsumexp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * values))
