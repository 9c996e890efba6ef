"""The Celery application: configuration comes from Django settings prefixed with CELERY_."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")

app = Celery("microvid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _measure_tasks(sender, **kwargs):
    from microvid.metrics import connect_celery_signals

    connect_celery_signals()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
