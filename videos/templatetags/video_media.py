from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def media_url(name: str) -> str:
    """The URL of a stored file (local media, S3 or a CDN, as the storage says)."""
    return default_storage.url(name) if name else ""
