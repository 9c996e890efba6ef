"""Recommender benchmark: quality on MovieLens 100k and serving latency on a large catalog.

1. Converts MovieLens 100k (read from ``<repo>/../shared/data/movielens-100k``, or
   ``--movielens DIR`` / ``$MOVIELENS_DIR``) into a temporary folder; it is never written
   into the repository (its licence forbids redistribution).
2. Runs ``manage.py evaluate_recs`` on it (temporal split, k=10): the hybrid model, plain
   LightFM WARP and most-popular on the same split, plus the online-update replay.
3. Builds a synthetic 100,000-video catalog (creators, hashtags, likes, skips) in a
   throwaway test database, trains the For You model from it with the real training job,
   and times whole For You pages (``feeds.selectors.feed_for_you``) the way the site
   serves them: the viewer has just liked, skipped and hidden a video, 200 videos were
   already served; candidates, filters, diversity re-ranking and the page's cards included.

The last line is::

    RESULT precision_at_10=.. ndcg_at_10=.. vs_lightfm=.. vs_popular=.. online_gain=..
           train_s=.. serve_p95_ms=..

(on one line) where vs_* are NDCG@10 ratios and online_gain is the replay's NDCG@10 with
online updates over the frozen model (docs/recommendations.md), and serve_p95_ms the 95th
percentile of a For You page's time.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

# One BLAS thread, as in a web worker: the matrices are small, and on a shared 2-core
# machine a multi-threaded BLAS mostly waits for the other core (runs got 10x slower).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads on import)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")


def evaluate_movielens(source: Path, seed: int):
    """Convert MovieLens into a temp dir and run evaluate_recs on it; returns the report."""
    from django.core.management import call_command

    from recommendations.engine.movielens import convert_movielens
    from recommendations.management.commands.evaluate_recs import Command

    with tempfile.TemporaryDirectory(prefix="microvid-ml100k-") as tmp:
        stats = convert_movielens(source, tmp)
        print(
            f"movielens: {stats.ratings} ratings -> {stats.interactions} interactions "
            f"({stats.positives} positive), {stats.items} items"
        )
        command = Command()
        out = io.StringIO()
        call_command(
            command,
            interactions=str(stats.interactions_path),
            items=str(stats.items_path),
            split="temporal",
            k=10,
            seed=seed,
            stdout=out,
        )
        print(out.getvalue().rstrip())
        return command.report


def synthetic_catalog(n_items: int, n_users: int, seed: int):
    """A micro-video-like catalog: topics with their creators and hashtags, users who
    mostly like one or two topics. Returns (InteractionLog, item_features)."""
    from recommendations.engine.data import InteractionLog

    rng = np.random.default_rng(seed)
    n_topics, creators_per_topic, tags_per_topic = 50, 100, 10
    topic = rng.integers(n_topics, size=n_items)
    creator = topic * creators_per_topic + rng.integers(creators_per_topic, size=n_items)
    own_tag = topic * tags_per_topic + rng.integers(tags_per_topic, size=n_items)
    global_tag = rng.integers(500, size=n_items)
    item_ids = [f"v{i}" for i in range(n_items)]
    features = {
        item_ids[i]: [f"creator:{creator[i]}", f"tag:t{own_tag[i]}", f"tag:g{global_tag[i]}"]
        for i in range(n_items)
    }
    by_topic = [np.flatnonzero(topic == t) for t in range(n_topics)]
    records = []
    clock = 1_700_000_000.0
    for user in range(n_users):
        likes = rng.choice(n_topics, size=rng.integers(1, 3), replace=False)
        for _ in range(rng.integers(10, 40)):
            pool = by_topic[rng.choice(likes)] if rng.random() < 0.85 else np.arange(n_items)
            # Zipf-like popularity inside a pool: low positions are the hits.
            item = pool[min(int(rng.pareto(1.2) * 5), len(pool) - 1)]
            weight = 1.0 if rng.random() < 0.8 else -0.3
            clock += rng.exponential(60.0)
            records.append((f"u{user}", item_ids[item], clock, weight))
    return InteractionLog.from_records(records, source="synthetic"), features


def time_for_you(n_items: int, calls: int, seed: int, size: int) -> dict[str, float]:
    """The For You page as the site serves it, timed end to end (milliseconds).

    In a throwaway test database: a synthetic catalog of ``n_items`` public videos
    (creators, hashtags, titles), likes and skips of 2,000 viewers, a model trained from
    those tables by the real job (``rec_model_train``, 3 epochs: serving cost does not depend
    on training length) and stored as a model version. Each timed call is
    ``feeds.selectors.feed_for_you`` for a random viewer who has just liked, skipped and
    marked "not interested" one video each (so the online fold-in and the similarity
    penalty run), with a cursor that has already served 200 videos: the model version check,
    the viewer's signals, candidates, filters, re-ranking and the page's cards.
    """
    import tempfile
    import uuid

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    media = tempfile.TemporaryDirectory(prefix="microvid-bench-media-")
    settings.MEDIA_ROOT = media.name
    try:
        return _time_for_you(n_items, calls, seed, size, uuid)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        media.cleanup()


def _time_for_you(n_items, calls, seed, size, uuid) -> dict[str, float]:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from core.cursors import encode_cursor
    from feeds.selectors import feed_for_you
    from recommendations import services
    from recommendations.models import NotInterested, WatchEvent
    from social.models import Like
    from videos.models import Hashtag, Video

    started = time.perf_counter()
    log, features = synthetic_catalog(n_items, n_users=2000, seed=seed)
    creators = sorted({f for fs in features.values() for f in fs if f.startswith("creator:")})
    tags = sorted({f[4:] for fs in features.values() for f in fs if f.startswith("tag:")})
    from django.contrib.auth.hashers import make_password

    unusable = make_password(None)  # nobody logs in as these
    users = User.objects.bulk_create(
        [User(username=c.replace(":", ""), password=unusable) for c in creators]
        + [User(username=f"viewer{u}", password=unusable) for u in range(2000)],
        batch_size=2000,
    )
    by_name = {u.username: u for u in users}
    hashtags = {h.name: h for h in Hashtag.objects.bulk_create([Hashtag(name=t) for t in tags])}
    now = timezone.now()
    rng = np.random.default_rng(seed)
    words = ["sunset", "kitten", "skate", "recipe", "dance", "guitar", "beach", "city"]
    videos = []
    for i, item in enumerate(features):
        videos.append(
            Video(
                owner=by_name[features[item][0].replace(":", "")],
                title=f"{words[rng.integers(len(words))]} {words[rng.integers(len(words))]} {i}",
                status=Video.Status.READY,
                visibility=Video.Visibility.PUBLIC,
                published_at=now - timedelta(minutes=i),
                duration=5.0,
                trending_score=float(rng.pareto(1.5)) if rng.random() < 0.05 else 0.0,
            )
        )
    videos = Video.objects.bulk_create(videos, batch_size=2000)
    pk_of = {item: video.pk for item, video in zip(features, videos, strict=True)}
    through = Video.hashtags.through
    through.objects.bulk_create(
        [
            through(video_id=pk_of[item], hashtag_id=hashtags[f[4:]].pk)
            for item, fs in features.items()
            for f in fs
            if f.startswith("tag:")
        ],
        batch_size=5000,
    )
    likes, skips = {}, []
    for user, item, weight in zip(log.user_ids, log.item_ids, log.weights, strict=True):
        viewer = by_name[f"viewer{user[1:]}"]
        if weight > 0:
            likes[viewer.pk, pk_of[item]] = Like(user=viewer, video_id=pk_of[item])
        else:
            skips.append(
                WatchEvent(user=viewer, viewer_id=uuid.uuid4(), video_id=pk_of[item], kind="skip")
            )
    Like.objects.bulk_create(likes.values(), batch_size=5000)
    WatchEvent.objects.bulk_create(skips, batch_size=5000)
    # Planner statistics, as a production database keeps them (PostgreSQL's autovacuum):
    # without them SQLite takes "status = ready" for selective and sorts the whole catalog.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    setup_s = time.perf_counter() - started

    row = services.rec_model_train(epochs=3)
    viewers = [by_name[f"viewer{u}"] for u in range(2000)]
    all_pks = np.array(list(pk_of.values()))
    times = []
    for call in range(calls + 10):
        viewer = viewers[rng.integers(len(viewers))]
        liked, skipped, hidden = (int(pk) for pk in rng.choice(all_pks, size=3, replace=False))
        Like.objects.get_or_create(user=viewer, video_id=liked)
        WatchEvent.objects.create(
            user=viewer, viewer_id=uuid.uuid4(), video_id=skipped, kind="skip", watch_ms=400
        )
        NotInterested.objects.get_or_create(user=viewer, video_id=hidden)
        served = [int(pk) for pk in rng.choice(all_pks, size=200, replace=False)]
        cursor = encode_cursor("for-you", {"seen": served, "c": []})
        t0 = time.perf_counter()
        page = feed_for_you(user=viewer, cursor=cursor, size=size)
        elapsed = (time.perf_counter() - t0) * 1000
        assert len(page.videos) == size and page.extra["source"] == "model", page.extra
        if call >= 10:  # the first calls load the model and warm caches up
            times.append(elapsed)
    return {
        "items": float(row.items),
        "setup_s": setup_s,
        "train_s": row.train_seconds,
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
        "max": float(np.max(times)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--movielens",
        default=os.environ.get("MOVIELENS_DIR", str(REPO.parent / "shared/data/movielens-100k")),
        help="folder with the MovieLens 100k files",
    )
    parser.add_argument("--items", type=int, default=100_000, help="synthetic catalog size")
    parser.add_argument("--calls", type=int, default=300, help="timed For You pages")
    parser.add_argument("--page-size", type=int, default=20, help="videos per For You page")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    source = Path(args.movielens)
    if not (source / "u.data").exists():
        print(f"MovieLens 100k not found in {source} (use --movielens DIR)", file=sys.stderr)
        return 2

    import django

    django.setup()
    started = time.perf_counter()
    report = evaluate_movielens(source, args.seed)
    quality_s = time.perf_counter() - started
    serving = time_for_you(args.items, args.calls, args.seed, args.page_size)
    print(
        f"serving: catalog={serving['items']:.0f} videos in the database "
        f"(built in {serving['setup_s']:.1f}s), model trained from it in "
        f"{serving['train_s']:.1f}s; For You page of {args.page_size} (after a like, a skip "
        f"and a not-interested; 200 already served) over {args.calls} pages: "
        f"p50={serving['p50']:.2f}ms p95={serving['p95']:.2f}ms max={serving['max']:.2f}ms"
    )
    print(f"time: evaluation {quality_s:.1f}s, total {time.perf_counter() - started:.1f}s")

    ours = report.results["hybrid"]
    lightfm = report.results["lightfm"]
    popular = report.results["popular"]
    gain = report.replay.online_gain if report.replay is not None else float("nan")
    print(
        f"RESULT precision_at_10={ours.precision:.4f} ndcg_at_10={ours.ndcg:.4f} "
        f"vs_lightfm={ours.ndcg / lightfm.ndcg:.3f} vs_popular={ours.ndcg / popular.ndcg:.3f} "
        f"online_gain={gain:.3f} train_s={ours.train_seconds:.2f} "
        f"serve_p95_ms={serving['p95']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
