"""Search results as HTML: the matched words of a text wrapped in <mark>, safely escaped."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A word term of a query (search.selectors.parse_query splits queries with it too).
TERM_RE = re.compile(r"\w+")


def _terms_pattern(terms) -> re.Pattern | None:
    terms = sorted({term for term in terms if term}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + ")", re.I)


def highlight(text: str, terms) -> SafeString:
    """`text` made safe for HTML, with the start of every word that a term is a prefix of
    wrapped in <mark>. Matching happens on the raw text and each piece is escaped on its own,
    so a term can never match inside an HTML entity or mark up the user's text."""
    text = text or ""
    pattern = _terms_pattern(terms)
    if pattern is None:
        return escape(text)
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece was escaped above  # nosec


def snippet(text: str, terms, *, width: int = 120) -> SafeString:
    """About `width` characters of `text` around the first match, highlighted; empty when
    nothing matches (the card then shows no description)."""
    text = " ".join((text or "").split())
    pattern = _terms_pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        return SafeString("")
    start = max(0, match.start() - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + highlight(piece, terms) + suffix)  # noqa: S308 - highlight escapes  # nosec
