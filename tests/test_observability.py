"""Request ids across the request, its tasks and its socket messages; JSON logs; a cache
that degrades when Redis is unreachable."""

import json
import logging

import pytest

from core.cache import DegradingRedisCache
from core.channels import InMemoryChannelLayer
from core.logging import JsonFormatter, RequestIdFilter, request_id_var
from tests.aio import run_async


@pytest.mark.django_db
def test_every_response_names_its_request_id(client):
    first, second = client.get("/healthz/live"), client.get("/")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_and_junk_is_replaced(client):
    kept = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    replaced = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")

    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id_and_extra_fields():
    record = logging.LogRecord("videos", logging.WARNING, __file__, 1, "slow %s", ("x",), None)
    record.video_id = 42
    token = request_id_var.set("req-abcdef12")
    try:
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)

    assert line["message"] == "slow x"
    assert line["request_id"] == "req-abcdef12"
    assert line["video_id"] == 42
    assert line["level"] == "WARNING"


def test_queued_tasks_carry_the_request_id_in_their_headers():
    from microvid.celery import _send_request_id

    headers = {}
    token = request_id_var.set("req-abcdef12")
    try:
        _send_request_id(headers=headers)
    finally:
        request_id_var.reset(token)

    assert headers["request_id"] == "req-abcdef12"


def test_group_messages_carry_the_request_id():
    layer = InMemoryChannelLayer()

    async def send_and_receive():
        channel = await layer.new_channel()
        await layer.group_add("video-1", channel)
        token = request_id_var.set("req-abcdef12")
        try:
            await layer.group_send("video-1", {"type": "social.fragment", "text": "{}"})
        finally:
            request_id_var.reset(token)
        return await layer.receive(channel)

    message = run_async(send_and_receive)

    assert message == {"type": "social.fragment", "text": "{}", "request_id": "req-abcdef12"}


def test_an_unreachable_redis_is_a_cold_cache_not_an_error():
    cache = DegradingRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )

    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is True  # rate limits fail open for the outage
    assert cache.incr("k") == 1
    assert cache.get_or_set("k", 5) == 5
    assert cache.get_many(["a", "b"]) == {}


@pytest.mark.redis
def test_the_degrading_cache_is_the_redis_cache_when_redis_is_up(settings):
    cache = DegradingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-degrading"})

    cache.set("k", "v", 30)

    assert cache.get("k") == "v"
    assert cache.add("k", "other") is False
    cache.delete("k")


@pytest.mark.redis
def test_group_messages_carry_the_request_id_over_redis(settings):
    from core.channels import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL])

    async def send_and_receive():
        channel = await layer.new_channel()
        await layer.group_add("drill-video-1", channel)
        token = request_id_var.set("req-abcdef12")
        try:
            await layer.group_send("drill-video-1", {"type": "social.fragment", "text": "{}"})
        finally:
            request_id_var.reset(token)
        message = await layer.receive(channel)
        await layer.flush()
        return message

    message = run_async(send_and_receive)

    assert message["request_id"] == "req-abcdef12"
    assert message["text"] == "{}"
