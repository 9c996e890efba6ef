"""Sign-up, email verification, log-in and log-out through allauth, in our page shell."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.conftest import csrf_post
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "dana@example.com",
        "username": "dana",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return csrf_post(client, reverse("account_signup"), data)


def test_signup_sends_a_verification_email_and_verifying_logs_in(client):
    response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(username="dana")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    confirm_path = link.split("testserver", 1)[1]
    assert client.get(confirm_path).status_code == 200
    response = csrf_post(client, confirm_path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).context["user"] == user


def test_unverified_account_cannot_log_in(client):
    signup(client)
    client.logout()
    mail.outbox.clear()

    response = csrf_post(client, reverse("account_login"), {"login": "dana", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_duplicate_username_is_refused_case_insensitively(client, alice):
    response = signup(client, username="ALICE", email="other@example.com")

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.count() == 1


def test_duplicate_email_is_refused_without_creating_a_second_account(client, alice):
    # With enumeration prevention on, allauth pretends to succeed and mails the owner instead.
    response = signup(client, username="newname", email="ALICE@example.com")

    assert response.status_code in (200, 302)
    assert not User.objects.filter(username="newname").exists()
    assert User.objects.count() == 1


def test_weak_password_gets_a_clear_message(client):
    response = signup(client, password1="password", password2="password")

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["password1"])
    assert "too common" in errors
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.parametrize("username", ["ab", "has space", "dot.name", "x" * 31, "admin", "émile"])
def test_usernames_that_cannot_be_a_profile_url_are_refused(client, username):
    response = signup(client, username=username)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.exists()


def test_login_with_username_or_email(client):
    user = UserFactory(username="erin")
    for login in ("erin", "ERIN@example.com"):
        client.logout()
        response = csrf_post(
            client, reverse("account_login"), {"login": login, "password": PASSWORD}
        )
        assert response.status_code == 302, login
        assert client.session["_auth_user_id"] == str(user.pk)


def test_logout_needs_a_post(client, alice):
    client.force_login(alice)

    assert client.get(reverse("account_logout")).status_code == 200
    assert "_auth_user_id" in client.session
    csrf_post(client, reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client, alice):
    for _ in range(5):
        response = csrf_post(client, reverse("account_login"), {"login": "alice", "password": "x"})
        assert response.status_code == 200

    # Even the right password is refused now, with a message that says why.
    response = csrf_post(client, reverse("account_login"), {"login": "alice", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signups_are_rate_limited_per_ip(client):
    for n in range(10):
        signup(client, username=f"user_{n}", email=f"u{n}@example.com")
        client.logout()

    response = signup(client, username="one_more", email="more@example.com")

    assert response.status_code == 429
    assert not User.objects.filter(username="one_more").exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, alice):
    csrf_post(client, reverse("account_reset_password"), {"email": "alice@example.com"})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1))
    assert response.status_code == 302  # allauth moves the key into the session
    new_password = "a-new-long-passphrase-7"
    response = csrf_post(
        client, response["Location"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_password_change(client, alice):
    client.force_login(alice)
    new_password = "another-long-passphrase-3"
    response = csrf_post(
        client,
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_passwords_are_hashed_with_bcrypt(settings, db):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory(username="hashme")

    assert identify_hasher(user.password).algorithm == "bcrypt_sha256"
    assert user.check_password(PASSWORD)


def test_production_settings_put_bcrypt_first():
    from microvid import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("BCryptSHA256PasswordHasher")
