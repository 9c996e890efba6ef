"""``evaluate_recs`` on short-video data: the production pipeline, its stages, baselines."""

import io
import re

import pytest
from django.core.management import call_command

from recommendations.engine.monolith.simulate import SimConfig, write_dataset
from recommendations.management.commands.evaluate_recs import Command as EvaluateRecs

TINY = SimConfig(
    users=100, videos=150, creators=20, days=5, test_days=2, panel_users=25, panel_videos=40, seed=7
)
RESULT = re.compile(r"^RESULT precision_at_k=\d+\.\d+ recall_at_k=\d+\.\d+ ndcg_at_k=\d+\.\d+$")


def test_the_production_ranker_is_reported_with_every_stage_and_baseline(tmp_path):
    pytest.importorskip("tensorflow")
    write_dataset(tmp_path, TINY)
    command = EvaluateRecs()
    out = io.StringIO()
    call_command(
        command,
        interactions=str(tmp_path / "interactions.csv"),
        items=str(tmp_path / "items.csv"),
        min_weight=1.0,
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    report = command.report
    assert list(report.results) == ["production", "ranker", "hybrid", "lightfm", "popular"]
    production = report.results["production"]
    assert RESULT.match(lines[-1])
    assert lines[-1] == (
        f"RESULT precision_at_k={production.precision:.4f} "
        f"recall_at_k={production.recall:.4f} ndcg_at_k={production.ndcg:.4f}"
    )
    assert any(line.startswith("ndcg production/popular = ") for line in lines)
    assert report.replay is not None  # the hybrid stage's online fold-in, in time order
    # The stage weights were chosen on a validation slice of the training data, where the
    # pipeline is never worse than most-popular (0, 0, 1) or the hybrid alone (0, 1, 0).
    pipeline = report.models["production"]
    chosen = pipeline.validation[tuple(map(float, pipeline.weights))]
    assert chosen == max(pipeline.validation.values())
    assert chosen >= pipeline.validation[(0.0, 0.0, 1.0)]
    assert chosen >= pipeline.validation[(0.0, 1.0, 0.0)]
    assert abs(sum(pipeline.weights) - 1.0) < 1e-9
