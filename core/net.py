"""Who is on the other end of a request: the client's IP address, behind our own proxies.

`X-Forwarded-For` is a list that every proxy appends the address it saw to. Only the entries
added by proxies we run can be trusted; anything to their left was written by the client.
`TRUSTED_PROXY_COUNT` (docs/security.md) says how many proxies sit in front of the site, and
every IP-based rule reads the address through `client_ip` (DRF's `NUM_PROXIES` and allauth's
`ALLAUTH_TRUSTED_PROXY_COUNT` are set from the same number).
"""

import ipaddress

from django.conf import settings


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: the entry our outermost proxy added, else the peer's address.

    With `TRUSTED_PROXY_COUNT = 0` the header is ignored (a client could write anything in it).
    A header shorter than the number of proxies means the request did not come through them:
    the peer's address is used then.
    """
    remote = _clean(request.META.get("REMOTE_ADDR", "") or "") or "0.0.0.0"  # noqa: S104  # nosec B104 - a placeholder address, not a bind
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _clean(hops[-count]) or remote
