"""One shape for every paged list of the JSON API, and the signed cursors that page it.

Every list answers `{"results": [...], "next": <cursor or null>, ...}`: `next` goes back as
`?cursor=` (with the same other parameters) for the following page and is null at the end. A
cursor is signed (core.cursors): a client can hand one back but not forge or edit it, and one
that was edited, cut short or made for another list is a 400 that says so. Lists that are
numbered pages underneath (search, comments, followers, notifications) keep their page numbers
in the response too (`page`, and `next_page` or `pages`), and still accept `?page=`.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import exceptions, serializers

from core.cursors import InvalidCursor, decode_cursor, encode_cursor

BAD_CURSOR = _(
    "This cursor is not valid: it was changed, cut short or made for another feed. "
    "Start again without a cursor."
)


def bad_cursor() -> exceptions.ValidationError:
    """The 400 for a cursor that is not one of ours: the client's mistake, never a 500."""
    return exceptions.ValidationError({"cursor": [BAD_CURSOR]})


def cursor_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text=_("The `next` of the previous page; leave out for the first page."),
    )


def next_field() -> serializers.CharField:
    return serializers.CharField(
        allow_null=True, help_text=_("The cursor of the next page; null at the end.")
    )


def page_data(*, results, next_cursor: str | None, **extra) -> dict:
    """A page of a list in the API's one shape; `extra` adds the list's own keys."""
    return {"results": results, "next": next_cursor, **extra}


def page_serializer(name: str, item, **extra: serializers.Field) -> type[serializers.Serializer]:
    """The schema (and output serializer) of one `page_data` page of `item`s, named `name` in
    the OpenAPI document, with the list's own `extra` keys."""
    shape = {"results": item(many=True), "next": next_field()}
    page = type("Page", (serializers.Serializer,), shape)
    # A subclass, so that `results` and `next` come first (a serializer orders its own fields
    # by when they were made, and `extra` was made first).
    return extend_schema_serializer(component_name=name)(type(name + "Serializer", (page,), extra))


# --- numbered lists behind a cursor -------------------------------------------------------------
def page_cursor(*, scope: str, page: int | None) -> str | None:
    """The cursor that stands for page `page` of the list `scope`; None for no page."""
    return encode_cursor(scope, {"p": page}) if page else None


def page_number(*, scope: str, cursor: str | None, page=1):
    """The page a numbered list shows: the one in `cursor` if there is one (a 400 if it is
    not valid for `scope`), else `page` as the client sent it."""
    if not cursor:
        return page
    try:
        position = decode_cursor(scope, cursor)
    except InvalidCursor:
        raise bad_cursor() from None
    number = position.get("p")
    if not isinstance(number, int) or number < 1:
        raise bad_cursor()
    return number
