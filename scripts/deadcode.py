"""Dead-code check for `make lint`: vulture over the project's own packages, tests excluded.

Code that only a test calls is dead too, so tests are not scanned. Framework entry points that
vulture cannot see being called (Django and DRF hooks, Celery signals, Channels handlers named
by message type, classes named in settings) are listed below once, by name or decorator, with
the reason. Only unused functions, classes, methods, properties, imports and unreachable code
count: DRF and Django read many class attributes that vulture would call unused variables.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "core",
    "accounts",
    "videos",
    "social",
    "moderation",
    "recommendations",
    "feeds",
    "search",
    "analytics",
    "pages",
    "microvid",
    "bench",
    "scripts",
]

# Called by Django, DRF, Channels or Celery, never by our code.
FRAMEWORK_NAMES = [
    "Meta",
    "Command",
    "handle",
    "add_arguments",
    "*Config",
    "ready",
    "get_*",
    "has_*_permission",
    "post",
    "put",
    "patch",
    "delete",
    "perform_*",
    "validate_*",
    "validate",
    "clean_*",
    "clean",
    "save_model",
    "delete_model",
    "save_formset",
    "*_queryset",
    "queryset",
    "lookups",
    "formfield_for_*",
    "changelist_view",
    "changeform_view",
    "to_representation",
    "to_internal_value",
    "connect",
    "disconnect",
    "receive",
    "new_file",
    "receive_data_chunk",
    "file_complete",
    "upload_complete",
    "handle_raw_input",
    "process_request",
    "process_response",
    "process_view",
    "process_exception",
    "__call__",
    "websocket_*",
    # Channels dispatches a group message of type "social.fragment" to social_fragment().
    "*_fragment",
    "*_close",
    "*_recheck",
    # Storage backends: Django's Storage calls these.
    "_open",
    "_save",
    # Classes named by dotted path in settings (storage backends, upload handlers, filters).
    "*Storage",
    "*UploadHandler",
    "*Formatter",
    "*Filter",
    "*Middleware",
    # Template context processors, named in settings.TEMPLATES.
    "unread_notifications",
]
FRAMEWORK_DECORATORS = [
    "@register",
    "@register.*",
    "@admin.*",
    "@receiver",
    "@app.task",
    "@shared_task",
    "@*.task",
    "@*.connect",
    "@extend_schema*",
    "@api_view",
    "@property",
    "@cached_property",
    "@staticmethod",
    "@require_*",
    "@login_required",
]
# Written and tested ahead of their one caller, each with the reason; an entry names the file
# and the function. Keep this list short and give every entry an end.
NOT_YET_CALLED = {
    "recommendations/engine/monolith/train.py:train_online": "the real-time recs worker (issue 14)",
    "recommendations/engine/monolith/train.py:export_delta": "the real-time recs worker (issue 14)",
    "recommendations/engine/monolith/ranker.py:apply_delta": "the real-time recs worker (issue 14)",
    "recommendations/engine/monolith/table.py:rows_of": "the real-time recs worker (issue 14)",
    "recommendations/engine/monolith/features.py:batch_from_labels": "the recs worker's batches",
}
COUNTED = ("unused function", "unused class", "unused method", "unused property", "unused import")


def _not_yet_called(line: str) -> bool:
    path = line.split(":", 1)[0]
    name = line.split("'")[1] if "'" in line else ""
    return f"{path}:{name}" in NOT_YET_CALLED


def main() -> int:
    paths = [name for name in PACKAGES if (ROOT / name).is_dir()]
    command = [
        sys.executable,
        "-m",
        "vulture",
        *paths,
        "--exclude",
        # Locust finds its users, tasks and event listeners by itself.
        "*/migrations/*,bench/locustfile.py",
        "--min-confidence",
        "60",
        "--ignore-names",
        ",".join(FRAMEWORK_NAMES),
        "--ignore-decorators",
        ",".join(FRAMEWORK_DECORATORS),
    ]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    dead = [
        line
        for line in output.stdout.splitlines()
        if (any(kind in line for kind in COUNTED) or "unreachable" in line)
        and not _not_yet_called(line)
    ]
    for line in dead:
        print(line)
    print(f"dead code: {len(dead)} finding(s)")
    return 1 if dead else 0


if __name__ == "__main__":
    sys.exit(main())
