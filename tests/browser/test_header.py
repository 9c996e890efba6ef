"""The compact header on a phone (390x844): the logo, the search box, the upload link and the
account menu share one row, left to right in English and mirrored in Arabic, signed in and
signed out, with JavaScript on and off."""

import itertools

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_header_is_one_row_on_a_phone(
    live_server, new_context, js_enabled, language, signed_in
):
    UserFactory(username="bob")
    context = new_context(viewport=PHONE, java_script_enabled=js_enabled)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = log_in(context, live_server.url, "bob") if signed_in else context.new_page()
    page.goto(live_server.url + "/latest")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")

    header = page.locator(".site-header").bounding_box()
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in {
            "logo": ".site-header .brand",
            "search": ".site-header .site-search",
            "upload": ".site-header .site-nav__upload",
            "account menu": ".site-header .account-menu__summary",
        }.items()
    }
    what = f"{language}, {'signed in' if signed_in else 'signed out'}"
    assert header["height"] < 64, f"header is {header['height']} px high ({what})"
    centres = {name: box["y"] + box["height"] / 2 for name, box in boxes.items()}
    assert max(centres.values()) - min(centres.values()) <= 4, f"not one row ({what}): {centres}"
    for name, box in boxes.items():
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{name} ({what})"
        assert (
            box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
        )
    # In reading order: from the left in English, from the right in Arabic, without overlap.
    order = sorted(boxes, key=lambda name: boxes[name]["x"], reverse=language == "ar")
    assert order == ["logo", "search", "upload", "account menu"], what
    ordered = sorted(boxes.values(), key=lambda box: box["x"])
    for left, right in itertools.pairwise(ordered):
        assert left["x"] + left["width"] <= right["x"] + 0.5, f"overlap ({what})"
