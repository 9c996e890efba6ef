"""allauth's own pages speak like our header: "Sign in", "Sign up" and "Sign out" in sentence
case in English (an English catalogue in LOCALE_PATHS overrides allauth's title case), while
Spanish and Arabic keep their translations."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def h1_and_buttons(client, path, language):
    client.cookies["django_language"] = language
    page = client.get(path).content.decode()
    h1 = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", page, re.S).group(1)
    buttons = [b.strip() for b in re.findall(r"<button[^>]*>\s*([^<]*?)\s*</button>", page)]
    return h1, buttons


def test_sign_in_page_says_sign_in_in_sentence_case(client):
    h1, buttons = h1_and_buttons(client, reverse("account_login"), "en")

    assert h1 == "Sign in"
    assert "Sign in" in buttons and "Sign In" not in buttons


def test_sign_up_page_says_sign_up_in_sentence_case(client):
    h1, buttons = h1_and_buttons(client, reverse("account_signup"), "en")

    assert h1 == "Sign up"
    assert "Sign up" in buttons and "Sign Up" not in buttons


def test_sign_out_page_says_sign_out_in_sentence_case(client, bob):
    client.force_login(bob)

    h1, buttons = h1_and_buttons(client, reverse("account_logout"), "en")

    assert h1 == "Sign out"
    assert buttons.count("Sign out") >= 1 and "Sign Out" not in buttons


@pytest.mark.parametrize(
    ("language", "sign_in", "sign_up"),
    [("es", "Iniciar sesión", "Registrarse"), ("ar", "تسجيل الدخول", "الاشتراك")],
)
def test_other_languages_keep_their_translations(client, language, sign_in, sign_up):
    assert h1_and_buttons(client, reverse("account_login"), language)[0] == sign_in
    assert h1_and_buttons(client, reverse("account_signup"), language)[0] == sign_up
