"""The site's own Prometheus metrics (django-prometheus adds the per-view request metrics).

Defined here, in the foundation, so that every layer can observe without importing upward;
exposed at /metrics (microvid/views.py, protected). Every metric is cheap to update: a counter
or a histogram observation, never a query. docs/monitoring.md explains each one and gives
example alert rules.

With several processes (uvicorn workers, a Celery worker) set PROMETHEUS_MULTIPROC_DIR to an
empty folder shared by the processes of one machine: prometheus_client then adds them up.
"""

from prometheus_client import Counter, Gauge, Histogram

# Buckets for what a person waits for (seconds): a page, a recommender call.
FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DB_QUERIES_PER_REQUEST = Histogram(
    "microvid_db_queries_per_request",
    "Database queries one HTTP request ran.",
    buckets=(0, 1, 2, 4, 6, 8, 10, 15, 20, 30, 50, 100),
)
CACHE_REQUESTS = Counter(
    "microvid_cache_requests_total",
    "Reads of the site's caches (docs/operations.md, Caches), by cache and hit or miss.",
    ["cache", "result"],
)
CELERY_TASK_SECONDS = Histogram(
    "microvid_celery_task_seconds",
    "Run time of Celery tasks, by task and outcome.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
CELERY_QUEUE_DEPTH = Gauge(
    "microvid_celery_queue_depth",
    "Messages waiting in a Celery queue (read from the broker when /metrics is scraped).",
    ["queue"],
    multiprocess_mode="max",
)
TRANSCODE_SECONDS_PER_CLIP_SECOND = Histogram(
    "microvid_transcode_seconds_per_clip_second",
    "Wall seconds a video's whole processing (ladder, MP4, poster) took per second of clip.",
    buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10),
)
WEBSOCKET_CONNECTIONS = Gauge(
    "microvid_websocket_connections",
    "Open WebSocket connections.",
    multiprocess_mode="livesum",
)
RECOMMENDER_SECONDS = Histogram(
    "microvid_recommender_seconds",
    "Time to build one For You page (candidates, model scores, re-ranking), by source.",
    ["source"],
    buckets=FAST_BUCKETS,
)


def cache_read(cache_name: str, hit: bool) -> None:
    CACHE_REQUESTS.labels(cache_name, "hit" if hit else "miss").inc()
