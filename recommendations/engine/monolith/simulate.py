"""A short-video world to evaluate recommenders on, not MovieLens.

The world (all numbers in :class:`SimConfig`):

* **Topics** with a Zipf-like global popularity, each with its own hashtags, plus a few
  generic hashtags (``#fyp``-style) stuck on videos of every topic.
* **Creators** with a home topic and a skill; a few creators upload most videos (Zipf).
* **Videos** with a creator, a topic (mostly the creator's), 2-3 hashtags, a latent
  quality (creator skill + noise, heavy right tail) and an upload time spread over the
  simulated days (some back catalogue before day 0). Appeal fades with age.
* **Viewers** whose taste is *popularity-heavy*: half the global topic mix, half a sparse
  personal mix, an activity level with a long tail (a few heavy users, many light ones)
  and a taste for quality shared by everyone, so "most popular" is a strong baseline.
* **The platform's feed** (exposure): 45% what got engagement in the last 3 days, 30% the
  viewer's topics, 25% fresh uploads, plus new videos of followed creators. Nobody sees a
  video twice.
* **Outcome of each impression**: a quick skip (watched < 20%), or a watch ratio; a ratio
  >= 1 is a completion with loops; likes, comments, shares, follows (which change later
  exposure and appeal) and "Not interested" (after a skip) with probabilities rising or
  falling with the appeal.

:func:`write_dataset` writes, time-ordered:

* ``events.csv`` - one row per impression with every label (the ranker's training data):
  ``timestamp,user_id,video_id,watch_ratio,loops,liked,commented,shared,followed,skipped,
  not_interested``;
* ``interactions.csv`` - the same events in ``evaluate_recs``' format
  (``user_id,item_id,timestamp,weight``), weighted like the app's signals
  (:func:`event_weight`); completions and likes have weight >= 1, so ``--min-weight 1``
  makes "completed or liked" the relevant set;
* ``items.csv`` - ``item_id,features`` with ``creator:`` and ``tag:`` features (the topic
  is hidden, as in real data: hashtags only correlate with it);
* ``train_before_cut.csv``, ``test_full.csv``, ``candidates.csv`` - the "fully observed"
  protocol: events before the last ``test_days`` for training, and for a random panel of
  viewers x videos *every* pair's outcome at the cut (nothing is unobserved, like a
  small dense matrix collected by showing everyone everything).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

DAY = 86_400.0
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z

#: The app's signal weights (recommendations/dataset.py), for one impression.
WEIGHTS = {
    "play": 0.25,
    "watch": 0.5,
    "complete": 1.0,
    "loop": 0.5,
    "share": 1.5,
    "like": 1.0,
    "comment": 1.0,
    "skip": -0.3,
    "not_interested": -1.5,
}
MAX_LOOPS = 3
EVENT_COLUMNS = (
    "timestamp",
    "user_id",
    "video_id",
    "watch_ratio",
    "loops",
    "liked",
    "commented",
    "shared",
    "followed",
    "skipped",
    "not_interested",
)


@dataclass(frozen=True)
class SimConfig:
    """Size and behaviour of the simulated world."""

    users: int = 2000
    videos: int = 3000
    creators: int = 300
    topics: int = 24
    tags_per_topic: int = 6
    generic_tags: int = 8
    days: int = 21
    test_days: int = 3
    sessions_per_day: float = 0.4  # mean, scaled by each viewer's activity
    session_length: float = 8.0  # mean impressions per session
    back_catalogue: float = 0.2  # share of videos uploaded before day 0
    quality_weight: float = 1.3  # shared taste: how much everyone cares about quality
    topic_weight: float = 0.9  # personal taste
    follow_bonus: float = 0.8
    age_fade_per_day: float = 0.12
    panel_users: int = 300
    panel_videos: int = 500
    seed: int = 0


@dataclass
class World:
    """The latent state of a simulated world (what a recommender never sees)."""

    config: SimConfig
    video_creator: np.ndarray
    video_topic: np.ndarray
    video_tags: list[list[str]]
    video_quality: np.ndarray
    video_uploaded: np.ndarray
    creator_topic: np.ndarray
    user_taste: np.ndarray  # users x topics, rows sum to 1
    user_activity: np.ndarray
    user_bias: np.ndarray
    follows: np.ndarray  # users x creators, bool


@dataclass
class Events:
    """Time-ordered impressions and their outcomes (columns of equal length)."""

    timestamp: np.ndarray
    user: np.ndarray
    video: np.ndarray
    watch_ratio: np.ndarray
    loops: np.ndarray
    liked: np.ndarray
    commented: np.ndarray
    shared: np.ndarray
    followed: np.ndarray
    skipped: np.ndarray
    not_interested: np.ndarray

    def __len__(self) -> int:
        return len(self.timestamp)

    def subset(self, mask: np.ndarray) -> Events:
        return Events(**{name: value[mask] for name, value in asdict_shallow(self).items()})


def asdict_shallow(events: Events) -> dict[str, np.ndarray]:
    return {name: getattr(events, name) for name in Events.__dataclass_fields__}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_world(config: SimConfig) -> World:
    """Draw creators, videos and viewers."""
    rng = np.random.default_rng(config.seed)
    t, c, v, u = config.topics, config.creators, config.videos, config.users
    topic_pop = 1.0 / np.arange(1, t + 1) ** 0.8
    topic_pop /= topic_pop.sum()
    creator_topic = rng.choice(t, size=c, p=topic_pop)
    creator_skill = rng.normal(0.0, 0.6, size=c)
    creator_share = 1.0 / np.arange(1, c + 1) ** 0.9
    creator_share /= creator_share.sum()
    video_creator = rng.permutation(rng.choice(c, size=v, p=creator_share))
    video_topic = np.where(
        rng.random(v) < 0.85, creator_topic[video_creator], rng.choice(t, size=v, p=topic_pop)
    )
    # Heavy right tail: a few videos are much better than the rest.
    noise = rng.normal(0.0, 0.7, size=v) + rng.gumbel(0.0, 0.35, size=v)
    video_quality = creator_skill[video_creator] + noise
    tags: list[list[str]] = []
    for i in range(v):
        own = rng.choice(config.tags_per_topic, size=rng.integers(1, 3), replace=False)
        names = [f"t{video_topic[i]}_{j}" for j in own]
        if rng.random() < 0.5:
            names.append(f"g{rng.integers(config.generic_tags)}")
        if rng.random() < 0.15:
            names.append(f"t{rng.integers(t)}_{rng.integers(config.tags_per_topic)}")
        tags.append(list(dict.fromkeys(names)))
    back = rng.random(v) < config.back_catalogue
    uploaded = np.where(
        back,
        START - rng.random(v) * 30 * DAY,
        START + rng.random(v) * config.days * DAY,
    )
    personal = rng.dirichlet(np.full(t, 0.25), size=u)
    taste = 0.5 * topic_pop[None, :] + 0.5 * personal
    activity = rng.lognormal(0.0, 0.9, size=u)
    return World(
        config=config,
        video_creator=video_creator,
        video_topic=video_topic,
        video_tags=tags,
        video_quality=video_quality,
        video_uploaded=uploaded,
        creator_topic=creator_topic,
        user_taste=taste,
        user_activity=activity / activity.mean(),
        user_bias=rng.normal(0.0, 0.4, size=u),
        follows=np.zeros((u, c), dtype=bool),
    )


def appeal(world: World, users: np.ndarray, videos: np.ndarray, now: np.ndarray) -> np.ndarray:
    """How much each viewer likes each video at that moment (before outcome noise)."""
    cfg = world.config
    taste = world.user_taste[users, world.video_topic[videos]] * cfg.topics
    age_days = np.clip((now - world.video_uploaded[videos]) / DAY, 0.0, 20.0)
    follows = world.follows[users, world.video_creator[videos]]
    return (
        cfg.quality_weight * world.video_quality[videos]
        + cfg.topic_weight * np.log(taste + 0.05)
        + cfg.follow_bonus * follows
        - cfg.age_fade_per_day * age_days
        + world.user_bias[users]
    )


def outcomes(rng: np.random.Generator, score: np.ndarray) -> dict[str, np.ndarray]:
    """Sample what happens at each impression given its appeal."""
    n = len(score)
    a = score + rng.normal(0.0, 0.8, size=n)
    skipped = rng.random(n) < _sigmoid(-a - 0.3)
    ratio = np.where(
        skipped,
        rng.random(n) * 0.2,
        np.clip(1.4 * _sigmoid(a) + rng.normal(0.0, 0.25, size=n), 0.2, None),
    )
    complete = ratio >= 1.0
    loops = np.where(complete, np.minimum(rng.poisson(np.clip(a, 0.0, 4.0) * 0.7), 6), 0)
    liked = ~skipped & (rng.random(n) < _sigmoid(1.5 * a - 3.0))
    commented = ~skipped & (rng.random(n) < _sigmoid(a - 4.5))
    shared = ~skipped & (rng.random(n) < _sigmoid(a - 4.5))
    followed = liked & (rng.random(n) < _sigmoid(a - 3.5))
    not_interested = skipped & (rng.random(n) < 0.08 * _sigmoid(-a))
    return {
        "watch_ratio": np.round(ratio, 3),
        "loops": loops.astype(np.int64),
        "liked": liked,
        "commented": commented,
        "shared": shared,
        "followed": followed,
        "skipped": skipped,
        "not_interested": not_interested,
    }


def _exposure(rng, world, users, now, recent_counts, seen_codes, day_start):
    """Pick one video per impression the way the simulated platform's feed does."""
    cfg = world.config
    n = len(users)
    live = np.flatnonzero(world.video_uploaded <= day_start)
    videos = np.empty(n, dtype=np.int64)
    source = rng.random(n)
    # 1. trending: proportional to the last days' engagement (+1 so everything can appear)
    weights = recent_counts[live] + 1.0
    trending = source < 0.45
    videos[trending] = rng.choice(live, size=int(trending.sum()), p=weights / weights.sum())
    # 2. the viewer's topics (the platform knows them roughly)
    topical = (source >= 0.45) & (source < 0.75)
    if topical.any():
        idx = np.flatnonzero(topical)
        cum = np.cumsum(world.user_taste[users[idx]], axis=1)
        topics = (rng.random(len(idx))[:, None] > cum).sum(axis=1)
        topics = np.minimum(topics, cfg.topics - 1)
        by_topic = {tp: live[world.video_topic[live] == tp] for tp in np.unique(topics)}
        for tp, pool in by_topic.items():
            rows = idx[topics == tp]
            if len(pool) == 0:
                videos[rows] = rng.choice(live, size=len(rows))
            else:
                videos[rows] = rng.choice(pool, size=len(rows))
    # 3. fresh: uploaded in the last two days (or anything live when there is none)
    fresh_mask = source >= 0.75
    fresh = live[world.video_uploaded[live] >= day_start - 2 * DAY]
    pool = fresh if len(fresh) else live
    videos[fresh_mask] = rng.choice(pool, size=int(fresh_mask.sum()))
    # 4. followed creators' new videos replace some impressions
    if world.follows.any() and len(fresh):
        followed_fresh = world.follows[users[:, None], world.video_creator[fresh][None, :]]
        has = followed_fresh.any(axis=1) & (rng.random(n) < 0.3)
        for row in np.flatnonzero(has):
            videos[row] = rng.choice(fresh[followed_fresh[row]])
    codes = users * cfg.videos + videos
    keep = ~np.isin(codes, seen_codes) if len(seen_codes) else np.ones(n, dtype=bool)
    # nobody sees a video twice (also within the day)
    _, first = np.unique(codes, return_index=True)
    once = np.zeros(n, dtype=bool)
    once[first] = True
    keep &= once & (world.video_uploaded[videos] <= now)
    return videos, keep


def simulate(world: World) -> Events:
    """Run the platform day by day; returns the time-ordered events."""
    cfg = world.config
    rng = np.random.default_rng(cfg.seed + 1)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in Events.__dataclass_fields__}
    engagement_by_day = np.zeros((cfg.days, cfg.videos))
    seen_codes = np.empty(0, dtype=np.int64)
    for day in range(cfg.days):
        day_start = START + day * DAY
        sessions = rng.poisson(cfg.sessions_per_day * world.user_activity)
        lengths = [
            rng.geometric(1.0 / cfg.session_length, size=s).sum() if s else 0 for s in sessions
        ]
        users = np.repeat(np.arange(cfg.users), lengths)
        if len(users) == 0:
            continue
        now = day_start + np.sort(rng.random(len(users))) * DAY
        users = rng.permutation(users)
        recent = engagement_by_day[max(0, day - 3) : day].sum(axis=0)
        videos, keep = _exposure(rng, world, users, now, recent, seen_codes, day_start)
        users, videos, now = users[keep], videos[keep], now[keep]
        result = outcomes(rng, appeal(world, users, videos, now))
        seen_codes = np.union1d(seen_codes, users * cfg.videos + videos)
        engaged = (result["watch_ratio"] >= 1.0) | result["liked"]
        np.add.at(engagement_by_day[day], videos[engaged], 1.0)
        new_follows = result["followed"]
        world.follows[users[new_follows], world.video_creator[videos[new_follows]]] = True
        columns["timestamp"].append(np.round(now, 1))
        columns["user"].append(users)
        columns["video"].append(videos)
        for name, value in result.items():
            columns[name].append(value)
    return Events(**{name: np.concatenate(parts) for name, parts in columns.items()})


def event_weight(events: Events) -> np.ndarray:
    """The app's weighting of each impression (``recommendations.dataset``)."""
    w = WEIGHTS
    positive = (
        w["play"]
        + w["watch"] * np.minimum(events.watch_ratio, 1.0)
        + w["complete"] * (events.watch_ratio >= 1.0)
        + w["loop"] * np.minimum(events.loops, MAX_LOOPS)
        + w["share"] * events.shared
        + w["like"] * events.liked
        + w["comment"] * events.commented
    )
    weight = np.where(events.skipped, w["skip"], positive)
    return np.round(np.where(events.not_interested, w["not_interested"], weight), 3)


def panel(world: World, cut: float, rng: np.random.Generator) -> tuple[Events, np.ndarray]:
    """Every pair of a random viewer panel x a random set of live videos, observed at ``cut``."""
    cfg = world.config
    live = np.flatnonzero(world.video_uploaded <= cut - DAY)
    videos = rng.choice(live, size=min(cfg.panel_videos, len(live)), replace=False)
    users = rng.choice(cfg.users, size=min(cfg.panel_users, cfg.users), replace=False)
    uu, vv = np.meshgrid(users, videos, indexing="ij")
    uu, vv = uu.ravel(), vv.ravel()
    now = np.full(len(uu), cut)
    result = outcomes(rng, appeal(world, uu, vv, now))
    events = Events(timestamp=now, user=uu, video=vv, **result)
    return events, np.sort(videos)


def _write_interactions(path: Path, events: Events, weights: np.ndarray) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp", "weight"])
        for ts, user, video, weight in zip(
            events.timestamp, events.user, events.video, weights, strict=True
        ):
            writer.writerow([f"u{user}", f"v{video}", f"{ts:.1f}", f"{weight:g}"])


def write_events(path: Path, events: Events) -> None:
    """``events.csv``: every impression with its labels."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVENT_COLUMNS)
        for i in range(len(events)):
            writer.writerow(
                [
                    f"{events.timestamp[i]:.1f}",
                    f"u{events.user[i]}",
                    f"v{events.video[i]}",
                    f"{events.watch_ratio[i]:g}",
                    int(events.loops[i]),
                    int(events.liked[i]),
                    int(events.commented[i]),
                    int(events.shared[i]),
                    int(events.followed[i]),
                    int(events.skipped[i]),
                    int(events.not_interested[i]),
                ]
            )


@dataclass
class DatasetStats:
    events: int
    users: int
    videos: int
    completion_rate: float
    skip_rate: float
    like_rate: float
    top1pct_share: float  # share of completions+likes on the top 1% of videos
    panel_pairs: int

    def line(self) -> str:
        return (
            f"events={self.events} users={self.users} videos={self.videos} "
            f"completion={self.completion_rate:.3f} skip={self.skip_rate:.3f} "
            f"like={self.like_rate:.3f} top1%_share={self.top1pct_share:.3f} "
            f"panel_pairs={self.panel_pairs}"
        )


def write_dataset(out: str | Path, config: SimConfig | None = None) -> DatasetStats:
    """Simulate a world and write its CSV files into ``out`` (see the module doc)."""
    config = config or SimConfig()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = make_world(config)
    events = simulate(world)
    write_events(out / "events.csv", events)
    weights = event_weight(events)
    _write_interactions(out / "interactions.csv", events, weights)
    cut = START + (config.days - config.test_days) * DAY
    before = events.timestamp < cut
    _write_interactions(out / "train_before_cut.csv", events.subset(before), weights[before])
    panel_events, panel_videos = panel(world, cut, np.random.default_rng(config.seed + 2))
    _write_interactions(out / "test_full.csv", panel_events, event_weight(panel_events))
    (out / "candidates.csv").write_text("".join(f"v{v}\n" for v in panel_videos))
    with (out / "items.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "features"])
        for v in range(config.videos):
            features = [f"creator:c{world.video_creator[v]}"]
            features += [f"tag:{tag}" for tag in world.video_tags[v]]
            writer.writerow([f"v{v}", "|".join(features)])
    # Upload times, for features that know them (the app does; evaluate_recs' CSVs do not).
    with (out / "uploads.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "uploaded"])
        for v in range(config.videos):
            writer.writerow([f"v{v}", f"{world.video_uploaded[v]:.1f}"])
    (out / "config.txt").write_text(
        "".join(f"{key}={value}\n" for key, value in asdict(config).items())
    )
    engaged = (events.watch_ratio >= 1.0) | events.liked
    per_video = np.bincount(events.video[engaged], minlength=config.videos)
    top = np.sort(per_video)[::-1][: max(1, config.videos // 100)].sum()
    return DatasetStats(
        events=len(events),
        users=len(np.unique(events.user)),
        videos=len(np.unique(events.video)),
        completion_rate=float((events.watch_ratio >= 1.0).mean()),
        skip_rate=float(events.skipped.mean()),
        like_rate=float(events.liked.mean()),
        top1pct_share=float(top / max(1, per_video.sum())),
        panel_pairs=len(panel_events),
    )
