"""What a shared video looks like outside the site: its absolute links, the embed code of
/embed/<id>, and the oEmbed answer (https://oembed.com) that unfurls it elsewhere."""

from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import format_html

from core.http import absolute_url
from videos.models import Video

PROVIDER_NAME = "Microvid"
OEMBED_CACHE_AGE = 3600
# The embed's size when the page asks for none: phone-shaped for portrait clips, 16:9 else.
PORTRAIT_EMBED = (325, 578)
LANDSCAPE_EMBED = (560, 315)


def _media(name) -> str:
    return default_storage.url(name) if name else ""


def embed_size(video: Video, *, maxwidth: int | None = None, maxheight: int | None = None):
    """The iframe's width and height: the default box, shrunk (never grown) to fit the
    consumer's maxwidth/maxheight with the video's shape kept."""
    width, height = PORTRAIT_EMBED if video.is_portrait else LANDSCAPE_EMBED
    scale = 1.0
    if maxwidth and maxwidth < width:
        scale = min(scale, maxwidth / width)
    if maxheight and maxheight < height:
        scale = min(scale, maxheight / height)
    return max(1, int(width * scale)), max(1, int(height * scale))


def embed_code(*, src: str, title: str, width: int, height: int) -> str:
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" frameborder="0" '
        'allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>',
        src,
        width,
        height,
        title,
    )


def share_urls(request, video: Video) -> dict:
    """The absolute URLs of a video for sharing, Open Graph and Twitter cards."""
    page = absolute_url(request, reverse("videos:watch", args=[video.short_id]))
    embed = absolute_url(request, reverse("videos:embed", args=[video.short_id]))
    mp4 = absolute_url(request, _media(video.mp4))
    width, height = embed_size(video)
    return {
        "url": page,
        "embed": embed,
        "embed_code": embed_code(src=embed, title=video.title, width=width, height=height),
        "image": absolute_url(request, _media(video.poster)),
        "video": mp4,
        "video_secure": mp4 if mp4.startswith("https://") else "",
        "oembed": absolute_url(request, reverse("videos:oembed")) + "?" + _query(page),
    }


def _query(page_url: str) -> str:
    return urlencode({"url": page_url, "format": "json"})


def oembed(request, video: Video, *, maxwidth=None, maxheight=None) -> dict:
    """The oEmbed "video" answer for a video page."""
    urls = share_urls(request, video)
    width, height = embed_size(video, maxwidth=maxwidth, maxheight=maxheight)
    data = {
        "version": "1.0",
        "type": "video",
        "provider_name": PROVIDER_NAME,
        "provider_url": absolute_url(request, "/"),
        "title": video.title,
        "author_name": video.owner.name,
        "author_url": absolute_url(
            request, reverse("accounts:profile", args=[video.owner.username])
        ),
        "width": width,
        "height": height,
        "html": embed_code(src=urls["embed"], title=video.title, width=width, height=height),
        "cache_age": OEMBED_CACHE_AGE,
    }
    if urls["image"]:
        data.update(
            thumbnail_url=urls["image"],
            thumbnail_width=video.width,
            thumbnail_height=video.height,
        )
    return data
