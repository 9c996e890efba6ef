"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")

# Django must be set up before anything imports models (the consumers below do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from core.logging import RequestIdASGIMiddleware  # noqa: E402
from core.uploads import BodySizeLimit  # noqa: E402
from microvid.metrics import WebSocketMetrics  # noqa: E402
from microvid.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies over the upload cap never reach Django (which would spool them to disk).
        "http": BodySizeLimit(django_asgi_app),
        "websocket": WebSocketMetrics(
            RequestIdASGIMiddleware(
                AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
