"""The alert rules and the dashboard use metrics that exist, and every alert says what to do."""

import json
import re
from pathlib import Path

import django_prometheus
import yaml

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
