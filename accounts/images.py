"""Avatar images: validate an upload without trusting it, and make a small clean copy."""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class AvatarRejected(ValueError):
    """The upload cannot be used as an avatar; the message says why and what is accepted."""


@dataclass(frozen=True)
class AvatarImage:
    content: ContentFile
    width: int
    height: int


def accepted_hint() -> str:
    return _("Accepted: a JPEG, PNG, WebP or GIF image up to %(size)s.") % {
        "size": filesizeformat(settings.AVATAR_MAX_UPLOAD_BYTES)
    }


def avatar_from_upload(upload) -> AvatarImage:
    """Check an uploaded file and return a square WebP avatar made from it.

    The size is checked before anything is read, the pixel count from the header before
    anything is decoded (so a decompression bomb is refused cheaply), and the output is
    re-encoded from pixels only, which drops EXIF data such as a phone's GPS location.
    """
    if upload.size == 0:
        raise AvatarRejected(_("The file is empty.") + " " + accepted_hint())
    if upload.size > settings.AVATAR_MAX_UPLOAD_BYTES:
        raise AvatarRejected(
            _("The file is too large (%(size)s).") % {"size": filesizeformat(upload.size)}
            + " "
            + accepted_hint()
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise AvatarRejected(
                    _("This image format is not accepted.") + " " + accepted_hint()
                )
            width, height = image.size
            if width * height > settings.AVATAR_MAX_PIXELS:
                raise AvatarRejected(
                    _("The image is too large (%(width)s×%(height)s pixels).")
                    % {"width": width, "height": height}
                    + " "
                    + accepted_hint()
                )
            image.load()
    except AvatarRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarRejected(
            _("The image has too many pixels to be processed.") + " " + accepted_hint()
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise AvatarRejected(
            _("The file is not an image or is damaged.") + " " + accepted_hint()
        ) from None

    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    size = settings.AVATAR_SIZE
    image = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85, method=4)
    return AvatarImage(
        content=ContentFile(out.getvalue(), name="avatar.webp"), width=size, height=size
    )
