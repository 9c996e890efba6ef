"""Offline evaluation protocols: static top-k ranking and a time-ordered online replay.

Static protocol (all models, identical data):

1. Split the interactions: ``temporal`` (each user's last 20% of events by time), ``random``
   (a seeded 80/20 split of the rows) or a given test file.
2. Fit each model on the train part. The catalog is every item seen in train, test, the
   items file and the candidates file.
3. For every user, the relevant set is their positive test items (``weight > 0`` and
   ``>= min_weight``) that they did not already interact with in train, restricted to the
   candidates when a candidates file is given. Users with an empty set are skipped.
4. Rank the catalog (or the candidates), excluding the user's train items (any weight),
   and average precision/recall/NDCG@k over users; coverage is distinct recommended items
   over rankable items.

Replay protocol (the project's model; needs timestamps on the test rows): each user's test
events are played back in time order. Before each positive test event the model ranks the
catalog twice, both times excluding train items and the test events already played:

* frozen: with the batch-trained user embedding;
* online: with the embedding folded in (:meth:`HybridRecommender.fold_in`) from all of the
  user's test events played so far (likes and dislikes alike).

The step's relevant set is the user's positive test items from that event on (what they
will go on to like in the rest of the period). ``online_gain`` = mean NDCG@k online / mean
NDCG@k frozen over all steps; > 1 means the online updates help. The first step of each
user has no events yet, so both rankings coincide there. The same ratio for the next item
alone (``next_item_gain``) is reported too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .baselines import MostPopular, PlainLightFM
from .config import HybridConfig
from .data import Split
from .metrics import RankingAccumulator, dcg_discounts
from .recommender import HybridRecommender


@dataclass
class ModelResult:
    """Static-protocol metrics of one model."""

    name: str
    precision: float
    recall: float
    ndcg: float
    coverage: float
    train_seconds: float
    users: int


@dataclass
class ReplayResult:
    """Online-vs-frozen replay of the test period (see the module docstring)."""

    steps: int
    users: int
    ndcg_online: float
    ndcg_frozen: float
    next_online: float
    next_frozen: float
    seconds: float

    @property
    def online_gain(self) -> float:
        """NDCG@k with online updates / without (1.0 when both are 0)."""
        return _ratio(self.ndcg_online, self.ndcg_frozen)

    @property
    def next_item_gain(self) -> float:
        """The same ratio for the single next positive item."""
        return _ratio(self.next_online, self.next_frozen)


@dataclass
class EvaluationReport:
    """Everything one evaluation run measured."""

    k: int
    protocol: str
    train_rows: int
    test_rows: int
    catalog_size: int
    rankable_items: int
    results: dict[str, ModelResult] = field(default_factory=dict)
    replay: ReplayResult | None = None


def _ratio(a: float, b: float) -> float:
    if b > 0:
        return a / b
    return 1.0 if a == 0 else float("inf")


def catalog_of(
    split: Split,
    item_features: Mapping[str, Sequence[str]] | None = None,
    candidates: Sequence[str] | None = None,
) -> list[str]:
    """Every item id the evaluation knows about, in first-seen order."""
    seen: dict[str, None] = {}
    for source in (
        split.train.item_ids,
        split.test.item_ids,
        item_features or (),
        candidates or (),
    ):
        for item in source:
            seen.setdefault(item, None)
    return list(seen)


def relevant_items(
    split: Split, min_weight: float = 0.0, candidates: Sequence[str] | None = None
) -> dict[str, set[str]]:
    """Per user: positive test items not already interacted with in train (see module doc)."""
    train_items: dict[str, set[str]] = {}
    for user, item in zip(split.train.user_ids, split.train.item_ids, strict=True):
        train_items.setdefault(user, set()).add(item)
    allowed = set(candidates) if candidates is not None else None
    result: dict[str, set[str]] = {}
    positive = split.test.positive_mask(min_weight)
    for user, item in zip(
        split.test.user_ids[positive], split.test.item_ids[positive], strict=True
    ):
        if item in train_items.get(user, ()):
            continue
        if allowed is not None and item not in allowed:
            continue
        result.setdefault(user, set()).add(item)
    return result


def evaluate_model(
    model,
    relevant: Mapping[str, set[str]],
    k: int,
    rankable: int,
    candidates: Sequence[str] | None = None,
) -> dict[str, float]:
    """Static metrics of a fitted model over users with relevant items (sorted by id)."""
    accumulator = RankingAccumulator(k, rankable)
    for user in sorted(relevant):
        ranked = [item for item, _ in model.recommend(user, k, candidates=candidates)]
        accumulator.add(ranked, relevant[user])
    return accumulator.result()


def replay_online(
    model: HybridRecommender,
    split: Split,
    k: int,
    min_weight: float = 0.0,
    candidates: Sequence[str] | None = None,
) -> ReplayResult | None:
    """Replay each user's test events in time order, online vs frozen (module doc).

    Returns None when the test rows lack timestamps.
    """
    test = split.test
    if not test.has_timestamps():
        return None
    started = time.perf_counter()
    train_items: dict[str, set[str]] = {}
    for user, item in zip(split.train.user_ids, split.train.item_ids, strict=True):
        train_items.setdefault(user, set()).add(item)
    allowed = set(candidates) if candidates is not None else None
    positive = test.positive_mask(min_weight)
    discounts = dcg_discounts(k)
    max_events = model.config.foldin_max_events
    totals = np.zeros(4)
    steps = 0
    users = 0
    for user, rows in sorted(test.events_by_user().items()):
        seen_before = train_items.get(user, set())
        items = [test.item_ids[r] for r in rows]
        is_target = [
            bool(positive[r])
            and items[i] not in seen_before
            and (allowed is None or items[i] in allowed)
            for i, r in enumerate(rows)
        ]
        if not any(is_target):
            continue
        users += 1
        base = model.base_user_vector(user)
        played_rows: list[int] = []
        played_weights: list[float] = []
        played_items: list[str] = []
        for i, row in enumerate(rows):
            if is_target[i]:
                future = {items[j] for j in range(i, len(rows)) if is_target[j]}
                future -= set(played_items)
                if future:
                    ideal = discounts[: min(len(future), k)].sum()
                    online = (
                        model.fold_in(
                            base,
                            np.array(played_rows[-max_events:], dtype=np.int64),
                            np.array(played_weights[-max_events:]),
                        )
                        if played_rows
                        else base
                    )
                    for slot, vector in enumerate((online, base)):
                        ranked = [
                            item
                            for item, _ in model.recommend(
                                user,
                                k,
                                exclude=played_items,
                                candidates=candidates,
                                vector=vector,
                            )
                        ]
                        hits = [rank for rank, item in enumerate(ranked) if item in future]
                        totals[slot] += discounts[hits].sum() / ideal
                        if items[i] in ranked:
                            totals[2 + slot] += discounts[ranked.index(items[i])]
                    steps += 1
            item_row = model.item_row(items[i])
            if item_row is not None and test.weights[row] != 0:
                played_rows.append(item_row)
                played_weights.append(float(test.weights[row]))
            played_items.append(items[i])
    if steps == 0:
        return ReplayResult(0, 0, 0.0, 0.0, 0.0, 0.0, time.perf_counter() - started)
    means = totals / steps
    return ReplayResult(
        steps=steps,
        users=users,
        ndcg_online=float(means[0]),
        ndcg_frozen=float(means[1]),
        next_online=float(means[2]),
        next_frozen=float(means[3]),
        seconds=time.perf_counter() - started,
    )


def default_models(seed: int = 0) -> dict[str, Callable[[], object]]:
    """Factories for the models every evaluation compares, project model first."""
    return {
        "hybrid": lambda: HybridRecommender(HybridConfig(seed=seed)),
        "lightfm": lambda: PlainLightFM(seed=seed),
        "popular": lambda: MostPopular(),
    }


def run_evaluation(
    split: Split,
    *,
    k: int = 10,
    item_features: Mapping[str, Sequence[str]] | None = None,
    candidates: Sequence[str] | None = None,
    min_weight: float = 0.0,
    seed: int = 0,
    models: Mapping[str, Callable[[], object]] | None = None,
    replay: bool = True,
    log: Callable[[str], None] | None = None,
) -> EvaluationReport:
    """Fit and score every model on ``split``; replay the project model if possible."""
    if k <= 0:
        raise ValueError("k must be positive")
    models = models or default_models(seed)
    catalog = catalog_of(split, item_features, candidates)
    rankable = len(set(candidates)) if candidates is not None else len(catalog)
    relevant = relevant_items(split, min_weight, candidates)
    report = EvaluationReport(
        k=k,
        protocol=split.protocol,
        train_rows=len(split.train),
        test_rows=len(split.test),
        catalog_size=len(catalog),
        rankable_items=rankable,
    )
    for name, factory in models.items():
        model = factory()
        if log:
            log(f"training {name}...")
        model.fit(split.train, items=catalog, item_features=item_features, min_weight=min_weight)
        metrics = evaluate_model(model, relevant, k, rankable, candidates)
        report.results[name] = ModelResult(
            name=name,
            precision=metrics["precision"],
            recall=metrics["recall"],
            ndcg=metrics["ndcg"],
            coverage=metrics["coverage"],
            train_seconds=model.train_seconds,
            users=int(metrics["users"]),
        )
        if replay and isinstance(model, HybridRecommender) and report.replay is None:
            if log:
                log(f"replaying the test period with {name}...")
            report.replay = replay_online(model, split, k, min_weight, candidates)
    return report


def format_report(report: EvaluationReport, project: str = "hybrid") -> list[str]:
    """Human-readable lines; the last one is the machine-readable RESULT line."""
    k = report.k
    lines = [
        f"protocol={report.protocol} train_rows={report.train_rows} "
        f"test_rows={report.test_rows} catalog={report.catalog_size} "
        f"rankable={report.rankable_items} k={k}",
        f"{'model':<10} {'users':>6} {'P@' + str(k):>8} {'R@' + str(k):>8} "
        f"{'NDCG@' + str(k):>8} {'coverage':>9} {'train_s':>8}",
    ]
    for result in report.results.values():
        lines.append(
            f"{result.name:<10} {result.users:>6} {result.precision:>8.4f} "
            f"{result.recall:>8.4f} {result.ndcg:>8.4f} {result.coverage:>9.4f} "
            f"{result.train_seconds:>8.2f}"
        )
    ours = report.results.get(project)
    if ours is not None:
        for name, result in report.results.items():
            if name != project:
                lines.append(f"ndcg {project}/{name} = {_ratio(ours.ndcg, result.ndcg):.3f}")
    if report.replay is not None:
        replay = report.replay
        lines.append(
            f"replay: steps={replay.steps} users={replay.users} "
            f"ndcg_online={replay.ndcg_online:.4f} ndcg_frozen={replay.ndcg_frozen:.4f} "
            f"online_gain={replay.online_gain:.3f} "
            f"next_item_gain={replay.next_item_gain:.3f} ({replay.seconds:.1f}s)"
        )
    else:
        lines.append("replay: skipped (the test rows have no timestamps)")
    if report.protocol == "random":
        lines.append(
            "note: a random split scatters the test rows over time, so the hybrid's recency "
            "refresh and the replay have no 'recent' to exploit (docs/recommendations.md)"
        )
    if ours is None:
        ours = ModelResult(project, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    lines.append(
        f"RESULT precision_at_k={ours.precision:.4f} recall_at_k={ours.recall:.4f} "
        f"ndcg_at_k={ours.ndcg:.4f}"
    )
    return lines


__all__ = [
    "EvaluationReport",
    "ModelResult",
    "ReplayResult",
    "catalog_of",
    "default_models",
    "evaluate_model",
    "format_report",
    "relevant_items",
    "replay_online",
    "run_evaluation",
]
