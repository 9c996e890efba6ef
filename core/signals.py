"""Signals between apps that may not import each other: search sends the search ones to
analytics (the same layer), and the recommender, below analytics, tells it of new plays
(docs/analytics.md)."""

from django.dispatch import Signal

# A search ran: query (the cleaned text), kind ("videos" or "creators"), results (how many
# on its first page). Sent for first pages of non-empty queries only.
search_performed = Signal()
# A result was followed: query, rank (1 = the first result of the first page).
search_result_clicked = Signal()
# Players reported plays (after the commit): video_ids, the videos that got a play from
# someone other than their owner. Analytics updates its live counters.
plays_recorded = Signal()
