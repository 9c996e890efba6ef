"""Watched-word lists as a text check (registered with core.text_checks in apps.py).

A plain word matches as a whole word, with Unicode word boundaries (Python's `re` treats
Arabic and accented Latin letters as word characters, so "casa" does not match "casamiento"
and "حرب" does not match inside a longer word). Case-insensitive by default, with Unicode
case folding (so "ÁRBOL" matches "árbol"; Arabic has no case). A pattern is a regular
expression, used as written.
"""

import re

from django.utils.translation import gettext as _

from core.text_checks import HOLD, TextRefused
from moderation.models import WatchedWord, WatchedWordList


def compile_word(word: WatchedWord) -> re.Pattern:
    flags = 0 if word.case_sensitive else re.IGNORECASE
    if word.is_pattern:
        return re.compile(word.text, flags)
    return re.compile(rf"(?<!\w){re.escape(word.text.strip())}(?!\w)", flags)


def _lists():
    words = WatchedWord.objects.filter(word_list__is_active=True).select_related("word_list")
    compiled = []
    for word in words:
        try:
            compiled.append((word.word_list.action, compile_word(word)))
        except re.error:
            continue  # a broken pattern is reported in admin, never blocks posting
    return compiled


def check(texts: list[str]) -> str | None:
    """Refuse if a "refuse" list matches, hold if a "hold" list does."""
    held = None
    for action, pattern in _lists():
        if any(pattern.search(text) for text in texts):
            if action == WatchedWordList.Action.REFUSE:
                raise TextRefused(
                    _(
                        "This contains words that are not allowed on Microvid. Change it and try "
                        "again."
                    ),
                    code="refused",
                )
            held = HOLD
    return held
