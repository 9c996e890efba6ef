"""The S3 media storage, in a module of its own: boto3 takes about a second to import, and
only a site whose settings choose S3 (STORAGES, "core.s3.MediaS3Storage") should pay for it."""

from django.conf import settings
from storages.backends.s3 import S3Storage

from core.storage import IMMUTABLE, ORIGINALS_PREFIX, PRIVATE_PREFIX, content_type_for


class MediaS3Storage(S3Storage):
    """S3 storage that labels every object with its real type and how long it may be cached.

    Output files are written under a new versioned prefix each time, so they never change
    and may be cached for good.
    """

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params["ContentType"] = content_type_for(name)
        if name.startswith(ORIGINALS_PREFIX):
            params["CacheControl"] = "private, no-store"
        elif name.startswith(PRIVATE_PREFIX):
            params["CacheControl"] = f"private, max-age={settings.MEDIA_SIGNED_URL_SECONDS}"
        else:
            params.setdefault("CacheControl", IMMUTABLE)
        return params
