"""What every page's shell shows of social: the unread-notifications badge in the navigation."""

from functools import cache

from social import selectors


def unread_notifications(request) -> dict:
    """`unread_count` for the badge in base.html, counted at most once per page and only when a
    template reads it; a view that already knows it (the notifications page) passes its own."""
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int:
        return selectors.unread_notification_count(user=user)

    return {"unread_count": unread_count}
