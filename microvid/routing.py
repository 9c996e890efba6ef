"""WebSocket routes of every app, collected in one list for microvid.asgi."""

websocket_urlpatterns: list = []
