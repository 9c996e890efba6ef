from django import template

from moderation import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def open_report_count(context) -> int:
    """Open reports, for the admin index (0 for those who may not see reports)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("moderation.view_report"):
        return 0
    return selectors.open_report_count()
