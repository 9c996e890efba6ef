"""Signals between apps of the same layer, which may not import each other: search sends
these, analytics receives them (docs/analytics.md)."""

from django.dispatch import Signal

# A search ran: query (the cleaned text), kind ("videos" or "creators"), results (how many
# on its first page). Sent for first pages of non-empty queries only.
search_performed = Signal()
# A result was followed: query, rank (1 = the first result of the first page).
search_result_clicked = Signal()
