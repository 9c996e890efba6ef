"""Version keys: invalidate a whole family of cached values with one cache write.

A cached value's key includes the current version of what it was computed from
(`cache_version("public-videos")`); a service that changes that data calls
`bump_cache_version("public-videos")`, and every key made before is simply never read again
(it expires on its own lifetime). A lower layer bumps, a higher layer reads: the name is the
contract, not an import. docs/operations.md lists the names, who bumps them and the caches
that read them.
"""

import time

from django.core.cache import cache
from django.db import transaction

# The set of videos anyone may see changed: a publish, a removal, a visibility change, an
# edit of a public video's title, description or hashtags.
PUBLIC_VIDEOS = "public-videos"


def _key(name: str) -> str:
    return f"version:{name}"


def _fresh() -> int:
    # A lost version key (evicted, flushed) must never come back as an old number, or keys
    # made before a bump would be read again: start from the clock, in microseconds.
    return time.time_ns() // 1000


def cache_version(name: str) -> int:
    """The current version of `name`."""
    return cache.get_or_set(_key(name), _fresh, timeout=None)


def bump_cache_version(name: str) -> None:
    """Make every cached value keyed on `name`'s version stale."""
    try:
        cache.incr(_key(name))
    except ValueError:  # not set yet (or evicted): a new number from the clock
        cache.set(_key(name), _fresh(), timeout=None)


def bump_cache_version_on_change(name: str) -> None:
    """For a service changing `name`'s data inside a transaction: bumped now, and again once
    the transaction commits, so that a reader who cached the old rows between the two (it
    could not see the uncommitted change) is not believed either."""
    bump_cache_version(name)
    transaction.on_commit(lambda: bump_cache_version(name))
