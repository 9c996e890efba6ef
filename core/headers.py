"""Security headers beside Django's own (SecurityMiddleware: Referrer-Policy, COOP, nosniff,
HSTS) and django-csp's Content-Security-Policy."""

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.views.decorators.clickjacking import xframe_options_exempt


class PermissionsPolicyMiddleware:
    """`Permissions-Policy`: no camera, microphone, location and the like for any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def frameable(view):
    """For the few pages meant to be embedded in other sites (the video embed): no
    X-Frame-Options, and `frame-ancestors *` instead of 'none'. Every other page is DENY."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(wrapped))
