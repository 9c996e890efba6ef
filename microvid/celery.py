"""The Celery application: configuration comes from Django settings prefixed with CELERY_."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.logging import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")

app = Celery("microvid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# The request id travels with the task (core/logging.py): a message header when queued,
# the log context while it runs. Tasks queued by a task keep the same id.
@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _receive_request_id(task=None, **kwargs):
    request_id = (
        getattr(task.request, "request_id", None)  # from the message header
        or request_id_var.get()  # an eager task, run inside the request
        or f"task-{task.request.id}"  # a periodic task: its own id
    )
    task.request._request_id_token = request_id_var.set(request_id)


@task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    token = getattr(task.request, "_request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
