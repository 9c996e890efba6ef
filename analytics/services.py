"""Writes of analytics: the roll-up of raw watch events into hourly and daily rows, the
deletion of rolled-up raw events, and the search log (docs/analytics.md)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analytics import rollup
from analytics.models import RollupState, SearchClick, SearchLog
from recommendations.models import WatchEvent

logger = logging.getLogger(__name__)


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def stats_rollup(*, now: datetime | None = None, since: datetime | None = None) -> int:
    """Roll up raw events into VideoStats and CreatorStats, one whole UTC day at a time, from
    the day the last run stopped in (or from `since`) up to `now`; returns the days done.

    Idempotent: a day is recomputed whole from its raw rows, so running twice, or re-running
    a past day while its raw events are kept, gives the same rows. Days whose raw events were
    already deleted are never rolled again (that would lose them).
    """
    now = now or timezone.now()
    state, _created = RollupState.objects.get_or_create(pk=1)
    if since is None:
        first = state.rolled_until or _first_event_at()
        if first is None:
            return 0
        since = first
    if state.purged_before is not None:
        since = max(since, state.purged_before)
    day = _day(since)
    days = 0
    while day <= now:
        with transaction.atomic():
            rollup.rollup_range(day, day + timedelta(days=1))
        day += timedelta(days=1)
        days += 1
    RollupState.objects.filter(pk=1).update(rolled_until=now)
    return days


def _first_event_at():
    first = WatchEvent.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return first


def raw_events_purge(*, now: datetime | None = None) -> int:
    """Delete raw watch events older than ANALYTICS_RAW_RETENTION_DAYS, but only those of
    days already rolled up; returns how many were deleted."""
    now = now or timezone.now()
    state, _created = RollupState.objects.get_or_create(pk=1)
    if state.rolled_until is None:
        return 0
    cutoff = _day(
        min(now - timedelta(days=settings.ANALYTICS_RAW_RETENTION_DAYS), state.rolled_until)
    )
    deleted, _per_model = WatchEvent.objects.filter(created_at__lt=cutoff).delete()
    if state.purged_before is None or cutoff > state.purged_before:
        RollupState.objects.filter(pk=1).update(purged_before=cutoff)
    if deleted:
        logger.info("analytics: deleted %d raw watch events before %s", deleted, cutoff)
    return deleted


def _normalised(query: str) -> str:
    return " ".join(query.lower().split())[:200]


def search_log(*, query: str, results: int) -> SearchLog | None:
    """Log one search (no user, no IP): the normalised query and how many results it had."""
    query = _normalised(query)
    if not query:
        return None
    return SearchLog.objects.create(query=query, results=results)


def search_click_log(*, query: str, rank: int) -> SearchClick | None:
    """Log a click on the result at `rank` (1 = the first) of a search for `query`."""
    query = _normalised(query)
    if not query or not 1 <= rank <= 1000:
        return None
    return SearchClick.objects.create(query=query, rank=rank)
