"""Logging out of the site also logs out the user's API clients (their refresh tokens)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from accounts.services import refresh_tokens_revoke_all


@receiver(user_logged_out, dispatch_uid="accounts-revoke-tokens-on-logout")
def revoke_api_tokens(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        refresh_tokens_revoke_all(user=user)
