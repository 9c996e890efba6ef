"""Analytics listens to search (the same layer: neither imports the other; the signals live
in core): searches and result clicks go into the search log for the staff's search analytics.
And to the recommender's new plays, for the live counters of the analytics pages."""

import logging

from django.dispatch import receiver

from analytics import live, services
from core.signals import plays_recorded, search_performed, search_result_clicked

logger = logging.getLogger(__name__)


@receiver(search_performed, dispatch_uid="analytics-search-log")
def _log_search(sender, *, query, results, **kwargs):
    services.search_log(query=query, results=results)


@receiver(search_result_clicked, dispatch_uid="analytics-search-click")
def _log_click(sender, *, query, rank, **kwargs):
    services.search_click_log(query=query, rank=rank)


@receiver(plays_recorded, dispatch_uid="analytics-live-plays")
def _push_plays_today(sender, *, video_ids, **kwargs):
    try:
        live.send_plays_today(video_ids)
    except Exception:  # best effort, after the events' commit: the page polls meanwhile
        logger.exception("Could not push the live plays of %s", sorted(video_ids))
