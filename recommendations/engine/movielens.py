"""Convert a MovieLens 100k folder (``u.data``, ``u.item``, ``u.genre``) to the plain format.

MovieLens' licence forbids redistributing it, so the converted files go to a temporary or
``var/`` folder, never into the repository.

Ratings become weighted implicit feedback, the way a like/skip would:

=======  =======  ==================================================
rating   weight   meaning
=======  =======  ==================================================
5        2.0      loved: a strong positive
4        1.0      liked: a positive
3        (none)   lukewarm: dropped, neither a like nor a dislike
2        -0.5     disliked: negative feedback
1        -1.0     hated: strong negative feedback ("not interested")
=======  =======  ==================================================

Only ratings >= 4 are positives (train targets and test relevance); the negatives are used
by the project's model for online updates and by every model as "already seen" (so they are
not recommended back). ``include_negatives=False`` writes the positives only.

Item features are the genres (``genre:Comedy``), the release year (``year:1995``) and
decade (``decade:1990s``); ``title_words=True`` adds lower-cased title words
(``word:story``), the closest thing MovieLens has to a micro-video's caption.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .data import DataError

RATING_WEIGHTS = {5: 2.0, 4: 1.0, 2: -0.5, 1: -1.0}

DEFAULT_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]

_STOPWORDS = {"the", "a", "an", "of", "and", "in", "to", "on", "la", "le", "les", "de"}


@dataclass(frozen=True)
class ConversionStats:
    """What :func:`convert_movielens` wrote."""

    interactions_path: Path
    items_path: Path
    ratings: int
    interactions: int
    positives: int
    items: int


def _read_genres(source: Path) -> list[str]:
    path = source / "u.genre"
    if not path.exists():
        return DEFAULT_GENRES
    genres: dict[int, str] = {}
    with path.open(encoding="latin-1") as handle:
        for line_no, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            name, _, index = line.rpartition("|")
            if not name or not index.isdigit():
                raise DataError(f"{path}, line {line_no}: expected 'genre|index'")
            genres[int(index)] = name
    return [genres[i] for i in sorted(genres)]


def _title_words(title: str) -> list[str]:
    title = re.sub(r"\(\d{4}\)\s*$", "", title)  # the year is a feature of its own
    words = re.findall(r"[a-z0-9']+", title.lower())
    return [w for w in words if len(w) > 1 and w not in _STOPWORDS]


def read_items(source: Path, title_words: bool = False) -> dict[str, list[str]]:
    """``u.item`` -> ``{item_id: [features]}`` (genres, year, decade, optional words)."""
    path = source / "u.item"
    if not path.exists():
        raise DataError(f"MovieLens file not found: {path}")
    genres = _read_genres(source)
    items: dict[str, list[str]] = {}
    with path.open(encoding="latin-1") as handle:
        for line_no, line in enumerate(handle, start=1):
            line = line.rstrip("\n\r")
            if not line.strip():
                continue
            parts = line.split("|")
            if len(parts) != 5 + len(genres):
                raise DataError(
                    f"{path}, line {line_no}: expected {5 + len(genres)} '|'-separated "
                    f"fields, got {len(parts)}"
                )
            item_id, title, release = parts[0].strip(), parts[1], parts[2]
            if not item_id:
                raise DataError(f"{path}, line {line_no}: empty movie id")
            flags = parts[5:]
            if any(flag not in ("0", "1") for flag in flags):
                raise DataError(f"{path}, line {line_no}: genre flags must be 0 or 1")
            features = [
                f"genre:{genre}" for genre, flag in zip(genres, flags, strict=True) if flag == "1"
            ]
            year = re.search(r"(\d{4})\s*$", release.strip())
            if year:
                features.append(f"year:{year.group(1)}")
                features.append(f"decade:{year.group(1)[:3]}0s")
            if title_words:
                features.extend(f"word:{w}" for w in dict.fromkeys(_title_words(title)))
            items[item_id] = features
    return items


def convert_movielens(
    source: str | Path,
    out: str | Path,
    *,
    include_negatives: bool = True,
    title_words: bool = False,
) -> ConversionStats:
    """Write ``interactions.csv`` and ``items.csv`` for the MovieLens folder ``source``
    into ``out`` (created if needed). See the module docstring for the mapping."""
    source, out = Path(source), Path(out)
    ratings_path = source / "u.data"
    if not ratings_path.exists():
        raise DataError(f"MovieLens file not found: {ratings_path}")
    items = read_items(source, title_words=title_words)
    out.mkdir(parents=True, exist_ok=True)
    interactions_path = out / "interactions.csv"
    items_path = out / "items.csv"
    ratings = written = positives = 0
    with (
        ratings_path.open(encoding="latin-1") as handle,
        interactions_path.open("w", newline="", encoding="utf-8") as target,
    ):
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["user_id", "item_id", "timestamp", "weight"])
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 4:
                raise DataError(
                    f"{ratings_path}, line {line_no}: expected 'user item rating timestamp'"
                )
            user, item, raw_rating, stamp = parts
            try:
                rating = int(raw_rating)
                int(stamp)
            except ValueError:
                raise DataError(
                    f"{ratings_path}, line {line_no}: rating and timestamp must be integers"
                ) from None
            if not 1 <= rating <= 5:
                raise DataError(f"{ratings_path}, line {line_no}: rating {rating} not in 1..5")
            ratings += 1
            weight = RATING_WEIGHTS.get(rating)
            if weight is None or (weight < 0 and not include_negatives):
                continue
            writer.writerow([user, item, stamp, weight])
            written += 1
            positives += weight > 0
    with items_path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["item_id", "features"])
        for item, features in items.items():
            writer.writerow([item, "|".join(features)])
    return ConversionStats(
        interactions_path=interactions_path,
        items_path=items_path,
        ratings=ratings,
        interactions=written,
        positives=positives,
        items=len(items),
    )
