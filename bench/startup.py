"""Start-up: how long `manage.py check` takes (every management command, web worker and Celery
worker pays the same import and set-up cost before it does anything).

Runs `python manage.py check` RUNS times in production mode (as a pod starting would) and
prints each run's wall and CPU seconds, the machine's load average (a shared machine's wall
time is not an idle one's; CPU seconds are much steadier), the slowest imports of one run
(`python -X importtime`), and a last line with the median wall time.

Run: make bench-startup (or .venv/bin/python bench/startup.py [--runs N])
Last line: RESULT check_s=N check_cpu_s=N
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import load_average, production_env  # noqa: E402

TARGET_S = 1.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_check(env: dict, *extra: str) -> tuple[float, float, str]:
    cpu_before, started = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, *extra, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started, children_cpu() - cpu_before, done.stderr


def slowest_imports(importtime: str, count: int = 12) -> list[tuple[int, str]]:
    rows = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit():
            rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = production_env(DJANGO_SECRET_KEY="bench-startup-" + "x" * 50)
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    one_check(env)  # warm the file system cache and the .pyc files
    walls, cpus = [], []
    for run in range(args.runs):
        wall, cpu, _ = one_check(env)
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {run + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU  ({load_average()})", flush=True)
    _, _, importtime = one_check(env, "-X", "importtime")
    print("slowest imports (cumulative, one run):")
    for micros, name in slowest_imports(importtime):
        print(f"  {micros / 1e6:6.2f} s  {name}")
    check_s, cpu_s = statistics.median(walls), statistics.median(cpus)
    verdict = "met" if check_s < TARGET_S else "missed"
    print(f"target check_s < {TARGET_S}: {verdict}  ({load_average()})")
    print(f"RESULT check_s={check_s:.2f} check_cpu_s={cpu_s:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
