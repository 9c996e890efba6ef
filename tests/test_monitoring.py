"""The alert rules and the dashboard use metrics that exist, and every alert says what to do."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import django_prometheus
import pytest
import yaml
from prometheus_client import REGISTRY

import core.metrics  # noqa: F401  (registers the site's own metrics)

ROOT = Path(__file__).resolve().parent.parent
MONITORING = ROOT / "deploy" / "monitoring"
SUFFIXES = ("_bucket", "_count", "_sum")


def _rules():
    return [rule for group in yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
            for rule in group["rules"]]  # fmt: skip


def _dashboard_exprs():
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def _django_prometheus_metrics() -> set[str]:
    """Every metric name django-prometheus exports, as Prometheus sees it (counters end in
    _total, once)."""
    source = "\n".join(
        path.read_text() for path in Path(django_prometheus.__file__).parent.rglob("*.py")
    )
    names = set()
    for name in re.findall(r'"(django_[a-z_]+)"', source):
        names.add(name if name.endswith("_total") else name + "_total")
        names.add(name)
    return names


def test_every_django_metric_used_is_one_django_prometheus_exports():
    exported = _django_prometheus_metrics()
    used = set()
    for expr in [rule["expr"] for rule in _rules()] + _dashboard_exprs():
        used |= set(re.findall(r"\b(django_[a-z_]+)", expr))

    unknown = {
        name for name in used if name not in exported and name.removesuffix(
            next((s for s in SUFFIXES if name.endswith(s)), "")) not in exported
    }  # fmt: skip

    assert used, "the rules should watch the web tier"
    assert unknown == set()


def test_every_alert_has_a_severity_a_duration_and_a_summary():
    for rule in _rules():
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule.get("for"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_every_dashboard_panel_queries_something():
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())

    assert dashboard["uid"] == "microvid-overview"
    for panel in dashboard["panels"]:
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel


def _microvid_metrics() -> set[str]:
    """Every series name the app's own metrics produce, as Prometheus sees them: a counter
    ends in _total, a histogram is scraped as _bucket, _sum and _count."""
    names = set()
    for family in REGISTRY.collect():
        if not family.name.startswith("microvid_"):
            continue
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names |= {family.name + suffix for suffix in SUFFIXES}
        else:
            names.add(family.name)
    return names


def _used_microvid_metrics(exprs) -> set[str]:
    return {name for expr in exprs for name in re.findall(r"\b(microvid_\w+)", expr)}


def test_every_microvid_metric_used_exists_in_the_apps_registry():
    exported = _microvid_metrics()
    used_by_rules = _used_microvid_metrics(rule["expr"] for rule in _rules())
    used_by_dashboard = _used_microvid_metrics(_dashboard_exprs())

    assert used_by_rules - exported == set()
    assert used_by_dashboard - exported == set()


def test_the_rules_and_the_dashboard_watch_each_of_the_apps_own_metrics():
    families = {name.removesuffix("_total") for name in _microvid_metrics()}
    families = {
        name.removesuffix(next((s for s in SUFFIXES if name.endswith(s)), "")) for name in families
    }
    watched_by_rules = _used_microvid_metrics(rule["expr"] for rule in _rules())
    watched_by_dashboard = _used_microvid_metrics(_dashboard_exprs())

    def unwatched(used):
        return {family for family in families if not any(n.startswith(family) for n in used)}

    # Task run times are on the dashboard; their failures alert through celery-exporter.
    assert unwatched(watched_by_rules) == {"microvid_celery_task_seconds"}
    assert unwatched(watched_by_dashboard) == set()


def test_the_apps_alerts_cover_latency_errors_queues_transcoding_ranking_cache_and_sockets():
    alerts = {rule["alert"] for rule in _rules()}

    assert {
        "MicrovidFeedPagesSlow",
        "MicrovidServerErrorRatio",
        "MicrovidQueueDepthGrowing",
        "MicrovidTranscodeSlowerThanRealtime",
        "MicrovidRecommenderSlow",
        "MicrovidCacheHitRatioLow",
        "MicrovidWebSocketsDropped",
    } <= alerts


def test_the_rules_file_has_the_shape_prometheus_loads():
    document = yaml.safe_load((MONITORING / "alerts.yaml").read_text())

    assert set(document) == {"groups"}
    group_names = [group["name"] for group in document["groups"]]
    assert len(group_names) == len(set(group_names))
    alert_names = [rule["alert"] for rule in _rules()]
    assert len(alert_names) == len(set(alert_names))
    for group in document["groups"]:
        assert set(group) == {"name", "rules"} and group["rules"], group["name"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
            assert isinstance(rule["expr"], str) and rule["expr"].strip(), rule["alert"]
            assert re.fullmatch(r"(\d+[smhd])+", str(rule["for"])), rule["alert"]
            assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
            assert rule["expr"].count("{") == rule["expr"].count("}"), rule["alert"]
            assert rule["expr"].count("[") == rule["expr"].count("]"), rule["alert"]
            assert all(isinstance(v, str) for v in rule["annotations"].values()), rule["alert"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules():
    result = subprocess.run(
        ["promtool", "check", "rules", str(MONITORING / "alerts.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
