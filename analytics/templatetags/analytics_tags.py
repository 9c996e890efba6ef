from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value):
    """0.1234 -> "12.3%" (in the active language's number format)."""
    if value is None:
        return "–"
    return f"{number_format(round(value * 100, 1), 1)}%"


@register.simple_tag(takes_context=True)
def sort_link(context, column, keep=False):
    """The query string that sorts the table by `column` (descending first, then toggling);
    `keep` keeps the current order (for the page links)."""
    if keep:
        descending = context.get("descending")
    else:
        descending = not (context.get("sort") == column and context.get("descending"))
    return f"?days={context['days']}&sort={column}&dir={'desc' if descending else 'asc'}"
