"""Limits the channels put on clients: message rates, who the client is, body sizes.

* TokenBuckets: a message rate per key (a sender id, a client address, a socket.io
  connection), with memory bounded whatever the number of keys.
* RestRateLimit: the REST channel's two limits together. Per sender alone, a
  script that rotates sender ids is never limited, and its ids push everyone
  else's buckets out; per client address as well, it is.
* client_address: the address a request came from; behind a reverse proxy, the
  one the proxy saw, but only when the request comes from a trusted proxy
  (TRUSTED_PROXIES), as anyone can send an X-Forwarded-For header.
* cap_request_body: Sanic reads a body of up to 100 MB before the handler runs;
  a channel's routes refuse more than the channel needs with a 413 instead.
"""

import ipaddress
import os
import time
from collections import OrderedDict
from typing import Any, Callable, List, Optional, Text, Tuple, Union

from sanic import Blueprint
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Clock = Callable[[], float]


class TokenBuckets:
    """A token bucket per key: `messages` at once, refilled over `per_seconds`.

    Remembers the `max_keys` most recently used keys (a forgotten one starts with
    a full bucket), so memory stays bounded whatever the number of keys.
    """

    def __init__(
        self, messages: int, per_seconds: float, max_keys: int = 10_000, clock: Clock = time.monotonic
    ) -> None:
        self.capacity = float(messages)
        self.refill_per_second = messages / per_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()

    def has_token(self, key: Text, now: float) -> bool:
        tokens, last = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.refill_per_second) >= 1

    def take(self, key: Text, now: float) -> None:
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def allow(self, key: Text, now: Optional[float] = None) -> bool:
        """Take a token for `key` if it has one."""
        now = self.clock() if now is None else now
        if not self.has_token(key, now):
            return False
        self.take(key, now)
        return True

    def __len__(self) -> int:
        return len(self._buckets)


class RestRateLimit:
    """Per sender and per client address; a refused message costs neither."""

    def __init__(
        self,
        per_sender: TokenBuckets,
        per_address: Optional[TokenBuckets] = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.per_sender = per_sender
        self.per_address = per_address
        self.clock = clock

    def refusal(self, sender: Text, address: Text) -> Optional[Text]:
        """Why this message is refused ("sender" or "address"), or None: it is
        allowed and counted against both. The address is checked first, so a
        throttled address adds no new sender to remember."""
        now = self.clock()
        if self.per_address is not None and not self.per_address.has_token(address, now):
            return "address"
        if not self.per_sender.has_token(sender, now):
            return "sender"
        self.per_sender.take(sender, now)
        if self.per_address is not None:
            self.per_address.take(address, now)
        return None


def trusted_proxies(value: Optional[Text] = None) -> List[Network]:
    """The TRUSTED_PROXIES environment variable: addresses or networks (CIDR),
    space-separated, of the reverse proxies in front of the assistant."""
    value = os.environ.get("TRUSTED_PROXIES", "") if value is None else value
    return [ipaddress.ip_network(entry, strict=False) for entry in value.split()]


def _is_trusted(address: Text, proxies: List[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: Request, proxies: List[Network]) -> Text:
    """The peer's address; if the peer is a trusted proxy, the nearest address in
    X-Forwarded-For that is not a trusted proxy (proxies append what they saw,
    so the entries left of it are the client's own claims)."""
    peer = request.ip or ""
    if not proxies or not _is_trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def cap_request_body(blueprint: Blueprint, applies: Callable[[Any], bool], max_bytes: int) -> None:
    """Refuse request bodies over `max_bytes` (413) on the routes `applies` accepts
    (it gets Sanic's route), before they are read."""

    # Sanic runs this after routing and before it reads the body.
    @blueprint.signal("http.routing.after")
    async def cap(request: Request, route: Any, **_: Any) -> None:
        if not applies(route):
            return
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise PayloadTooLarge(f"the request body must be at most {max_bytes // 1024} KB")
        if request.stream is not None:  # a chunked body: Sanic stops reading at the cap
            request.stream.request_max_size = min(request.stream.request_max_size, max_bytes)
