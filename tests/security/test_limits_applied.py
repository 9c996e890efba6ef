"""Finding 5 of issue 12: the actions that had no rate limit have one now, through
core.ratelimit, with the limits in settings.RATELIMITS."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    def set_limits(**rules):
        settings.RATELIMITS = {**settings.RATELIMITS, **rules}

    return set_limits


def test_search_page_is_limited_per_address(client, tight):
    tight(search="2/m/user_or_ip")
    assert client.get("/search?q=cats").status_code == 200
    assert client.get("/search?q=dogs").status_code == 200

    refused = client.get("/search?q=birds")

    assert refused.status_code == 429
    assert "too often" in refused.content.decode()
    assert "<html" in refused.content.decode()


def test_suggestions_are_limited_with_a_fragment(client, tight):
    tight(suggest="1/m/user_or_ip")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "site-search-suggestions"}
    assert client.get("/search/suggest?q=ca", **headers).status_code == 200

    refused = client.get("/search/suggest?q=cat", **headers)

    assert refused.status_code == 429
    assert "<html" not in refused.content.decode()


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/api/v1/search/videos?q=cat", "search"),
        ("/api/v1/search/creators?q=cat", "search"),
        ("/api/v1/search/suggestions?q=cat", "suggest"),
    ],
)
def test_search_api_is_limited_with_json(tight, path, action):
    tight(**{action: "1/m/user_or_ip"})
    api = APIClient()
    assert api.get(path).status_code == 200

    refused = api.get(path)

    assert refused.status_code == 429
    assert refused.json()["retry_after"] >= 1
