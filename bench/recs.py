"""Recommender benchmark: quality on MovieLens 100k and serving latency on a large catalog.

1. Converts MovieLens 100k (read from ``<repo>/../shared/data/movielens-100k``, or
   ``--movielens DIR`` / ``$MOVIELENS_DIR``) into a temporary folder; it is never written
   into the repository (its licence forbids redistribution).
2. Runs ``manage.py evaluate_recs`` on it (temporal split, k=10): the hybrid model, plain
   LightFM WARP and most-popular on the same split, plus the online-update replay.
3. Trains the hybrid model on a synthetic 100,000-item catalog (creators, hashtags) and
   times ``recommend()`` the way the feed will call it: full catalog, excluding what the
   user has seen and a page of items already in their feed, after a "not interested"
   (hidden item + similarity penalty), capped at two items per creator.

The last line is::

    RESULT precision_at_10=.. ndcg_at_10=.. vs_lightfm=.. vs_popular=.. online_gain=..
           train_s=.. serve_p95_ms=..

(on one line) where vs_* are NDCG@10 ratios and online_gain is the replay's NDCG@10 with
online updates over the frozen model (docs/recommendations.md).
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

    from recommendations.management.commands.evaluate_recs import Command
    from recommendations.movielens import convert_movielens

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
    from recommendations.data import InteractionLog

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


def time_serving(n_items: int, calls: int, seed: int) -> dict[str, float]:
    """Train on the synthetic catalog and time recommend() calls (milliseconds)."""
    from recommendations.model import Event, HybridRecommender

    log, features = synthetic_catalog(n_items, n_users=2000, seed=seed)
    started = time.perf_counter()
    # Fewer epochs than the default: this model only exists to be timed, and serving cost
    # does not depend on how long it trained.
    model = HybridRecommender(epochs=3, seed=seed).fit(log, item_features=features)
    train_s = time.perf_counter() - started
    rng = np.random.default_rng(seed + 1)
    users = model.user_ids
    item_ids = model.item_ids
    serve_ms, update_ms = [], []
    for call in range(calls + 10):
        user = users[rng.integers(len(users))]
        picks = rng.integers(len(item_ids), size=3)
        events = [
            Event.from_signal(item_ids[picks[0]], "like"),
            Event.from_signal(item_ids[picks[1]], "skip"),
            Event.from_signal(item_ids[picks[2]], "not_interested"),
        ]
        already_in_feed = [item_ids[i] for i in rng.integers(len(item_ids), size=200)]
        t0 = time.perf_counter()
        model.update_user(user, events)
        t1 = time.perf_counter()
        recs = model.recommend(user, 20, exclude=already_in_feed, max_per_group=2)
        t2 = time.perf_counter()
        assert len(recs) == 20
        if call >= 10:  # the first calls warm caches and BLAS threads up
            update_ms.append((t1 - t0) * 1000)
            serve_ms.append((t2 - t1) * 1000)
        model.reset_user(user)
    return {
        "items": float(len(item_ids)),
        "train_s": train_s,
        "p50": float(np.percentile(serve_ms, 50)),
        "p95": float(np.percentile(serve_ms, 95)),
        "max": float(np.max(serve_ms)),
        "update_p95": float(np.percentile(update_ms, 95)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--movielens",
        default=os.environ.get("MOVIELENS_DIR", str(REPO.parent / "shared/data/movielens-100k")),
        help="folder with the MovieLens 100k files",
    )
    parser.add_argument("--items", type=int, default=100_000, help="synthetic catalog size")
    parser.add_argument("--calls", type=int, default=300, help="timed recommend() calls")
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
    serving = time_serving(args.items, args.calls, args.seed)
    print(
        f"serving: catalog={serving['items']:.0f} items, trained in {serving['train_s']:.1f}s; "
        f"recommend(k=20, exclude 200, hidden item, max 2 per creator) over {args.calls} "
        f"calls: p50={serving['p50']:.2f}ms p95={serving['p95']:.2f}ms "
        f"max={serving['max']:.2f}ms; update_user p95={serving['update_p95']:.2f}ms"
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
