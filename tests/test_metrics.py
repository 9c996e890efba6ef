"""/metrics: Prometheus text for the scraper with the token, an allowed address or a staff
member; nothing at all for anyone else. And what it counts."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_stranger_finds_no_metrics(client, bob):
    assert client.get("/metrics").status_code == 404
    client.force_login(bob)
    assert client.get("/metrics").status_code == 404


def test_a_wrong_token_finds_no_metrics(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"

    response = client.get("/metrics", headers={"Authorization": "Bearer guess"})

    assert response.status_code == 404


def test_no_token_configured_means_no_token_works(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_the_scraper_with_the_token_reads_the_metrics(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    client.get("/trending")  # one request through the middleware

    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})

    assert response.status_code == 200
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "django_http_requests_latency_seconds_by_view_method" in body
    assert 'view="feeds:trending"' in body
    assert "microvid_db_queries_per_request_count" in body
    assert "microvid_websocket_connections" in body


def test_an_allowed_network_reads_the_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.2").status_code == 404


def test_the_allowed_network_is_checked_against_the_client_behind_our_proxy(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1  # the ingress, itself in the allowed network

    visitor = client.get("/metrics", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    spoofed = client.get(
        "/metrics", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="10.1.2.3, 198.51.100.7"
    )
    scraper = client.get("/metrics", REMOTE_ADDR="10.1.2.3")  # a direct scrape, no proxy

    assert visitor.status_code == 404
    assert spoofed.status_code == 404
    assert scraper.status_code == 200


def test_staff_read_the_metrics(client, mod):
    client.force_login(mod)

    assert client.get("/metrics").status_code == 200


def test_card_cache_reads_are_counted(client, alice, bob, mod):
    from tests.factories import published_video

    published_video(alice, title="Counted")
    client.force_login(bob)
    client.get("/latest")
    client.get("/latest")
    client.force_login(mod)

    body = client.get("/metrics").content.decode()

    assert 'microvid_cache_requests_total{cache="cards",result="hit"}' in body
    assert 'microvid_cache_requests_total{cache="cards",result="miss"}' in body
