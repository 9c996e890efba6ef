"""Hashtags and @mentions in descriptions."""

import re

HASHTAG_RE = re.compile(r"(?<![\w&#])#(\w{1,50})")
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")


def hashtags_in(text: str) -> list[str]:
    """The distinct hashtags of a text, lower-cased, in order of first appearance."""
    return list(dict.fromkeys(tag.lower() for tag in HASHTAG_RE.findall(text or "")))


def mentions_in(text: str) -> list[str]:
    """The distinct @usernames of a text, in order of first appearance."""
    return list(dict.fromkeys(MENTION_RE.findall(text or "")))
