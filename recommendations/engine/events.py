"""Feedback events from the app's signals (standard library only: the web process imports
this on every For You page)."""

from __future__ import annotations

from dataclasses import dataclass

#: Default weights of app signals, used by :meth:`Event.from_signal`. Positive signals pull
#: the user towards an item, negative ones push away; ``not_interested`` also hides the item.
SIGNAL_WEIGHTS: dict[str, float] = {
    "view": 0.25,
    "watch": 0.5,
    "complete": 1.0,
    "like": 1.0,
    "comment": 1.0,
    "share": 1.5,
    "skip": -0.3,
    "not_interested": -1.5,
}


@dataclass(frozen=True)
class Event:
    """One piece of feedback on an item.

    ``weight`` > 0 is positive feedback, < 0 negative. ``hide`` removes the item from this
    user's recommendations for good (the "not interested" button).
    """

    item_id: str
    weight: float
    timestamp: float | None = None
    hide: bool = False

    @classmethod
    def from_signal(cls, item_id: str, signal: str, timestamp: float | None = None) -> Event:
        """An event for a named app signal (see :data:`SIGNAL_WEIGHTS`)."""
        try:
            weight = SIGNAL_WEIGHTS[signal]
        except KeyError:
            raise ValueError(
                f"unknown signal {signal!r}; known: {', '.join(SIGNAL_WEIGHTS)}"
            ) from None
        return cls(str(item_id), weight, timestamp, hide=signal == "not_interested")
