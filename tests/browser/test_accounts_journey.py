"""The newcomer's journey in a real browser, with JavaScript on and off: sign up, verify the
email from the sent message, log in, edit the profile, see it at /@username, log out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import assert_accessible, open_account_menu

pytestmark = [pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def test_sign_up_verify_log_in_edit_profile_log_out(live_server, page, js_enabled, tmp_path):
    url = live_server.url
    page.goto(url + "/")
    assert_accessible(page)
    nav(page).get_by_role("link", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    assert_accessible(page)
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert_accessible(page)

    # Verify from the message that was sent.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    # Confirming logs in; log out and in again to go through the log-in page too.
    expect(nav(page).get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(nav(page).get_by_role("link", name="Sign in")).to_be_visible()

    nav(page).get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Username or email").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(nav(page).get_by_role("link", name="My profile")).to_be_visible()

    # Edit the profile, with an avatar.
    nav(page).get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit profile")
    assert_accessible(page)
    avatar = tmp_path / "avatar.png"
    _write_png(avatar)
    page.get_by_label("Display name").fill("Dana Scully")
    page.get_by_label("Bio").fill("I want to believe <b>in five seconds</b>.")
    page.get_by_label("Avatar").set_input_files(str(avatar))
    page.get_by_role("button", name="Save profile").click()

    # The public profile shows it.
    expect(page).to_have_url(f"{url}/@dana")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Scully")
    expect(page.get_by_text("I want to believe <b>in five seconds</b>.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your profile was saved.")
    assert_accessible(page)
    user = User.objects.get(username="dana")
    assert user.avatar
    avatar_src = page.locator(".profile__header img").get_attribute("src")
    assert avatar_src == user.avatar.url
    assert page.request.get(url + avatar_src).status == 200

    # Log out.
    nav(page).get_by_role("button", name="Sign out").click()
    expect(nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(url + "/settings/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/settings/profile/"))


def test_bad_avatar_shows_an_error_next_to_the_field(live_server, page, tmp_path):
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import UserFactory

    UserFactory(username="erin")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email").fill("erin")
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/settings/profile/")
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("definitely not a picture")
    page.get_by_label("Display name").fill("Erin Changed")
    page.get_by_label("Avatar").set_input_files(str(not_an_image))
    page.get_by_role("button", name="Save profile").click()

    avatar_input = page.get_by_label("Avatar")
    expect(avatar_input).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The file is not an image or is damaged.")).to_be_visible()
    assert_accessible(page)
    assert User.objects.get(username="erin").display_name == "Erin"


def nav(page):
    return open_account_menu(page)


def _write_png(path):
    from PIL import Image

    Image.new("RGB", (300, 200), "teal").save(path)
