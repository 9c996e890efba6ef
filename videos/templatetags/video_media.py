from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def media_url(name: str) -> str:
    """The URL of a stored file (local media, S3 or a CDN, as the storage says)."""
    return default_storage.url(name) if name else ""


@register.filter
def hls_media_url(name: str) -> str:
    """The HLS master playlist's URL, or "" where its relative URLs could not be fetched
    (a private video on S3: each object needs its own presigned URL); the player then stays
    on the MP4."""
    if not name:
        return ""
    signs_folders = getattr(default_storage, "signs_folders", None)
    if signs_folders is not None and not signs_folders(name):
        return ""
    return default_storage.url(name)
