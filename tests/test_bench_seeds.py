"""The benchmarks seed PostgreSQL with raw INSERT ... SELECT (bench/analytics.py,
bench/discovery_seed.py), which bypasses the models' defaults: a new NOT NULL column breaks
them silently until someone runs them. Each seeding INSERT must name every such column."""

import re
from pathlib import Path

from django.apps import apps
from django.db.models import NOT_PROVIDED

BENCH = Path(__file__).resolve().parent.parent / "bench"
INSERT = re.compile(r"INSERT INTO (\w+)\s*\(([^)]*)\)")


def _inserts():
    tables = {model._meta.db_table: model for model in apps.get_models()}
    for path in sorted(BENCH.glob("*.py")):
        for match in INSERT.finditer(path.read_text()):
            model = tables.get(match.group(1))
            if model is not None:  # the benchmark's own tables and M2M links have no model
                columns = {column.strip() for column in match.group(2).split(",")}
                yield path.name, model, columns


def test_the_benchmark_seeds_fill_every_required_column():
    seen, missing = set(), []
    for name, model, columns in _inserts():
        seen.add(model._meta.db_table)
        for field in model._meta.concrete_fields:
            required = not field.null and field.db_default is NOT_PROVIDED
            if required and not field.primary_key and field.column not in columns:
                missing.append(f"{name}: {model._meta.db_table}.{field.column}")

    assert {"accounts_user", "videos_video", "recommendations_watchevent"} <= seen
    assert missing == []
