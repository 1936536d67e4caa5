"""Rasa's REST channel, with the request checked before it reaches the assistant.

Rasa 3.6 answers a JSON body that is not an object with a 500 and a traceback,
files every message without a sender under one shared "default" conversation,
silently drops a message that is not a string, and spends a minute of its only
process on a 1 MB message. Here each of those gets a clear 4xx instead, and so
does a sender who sends faster than a person can (credentials.yml, rate_limit).
"""
import time
from collections import OrderedDict
from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException
from sanic.request import Request

from channels import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS


class TooManyRequests(SanicException):
    status_code = 429
    quiet = True


class SenderRateLimit:
    """A token bucket per sender: `messages` at once, refilled over `per_seconds`.

    Remembers the `max_senders` most recent senders (a forgotten one starts with a
    full bucket), so memory stays bounded whatever the number of senders.
    """

    def __init__(self, messages: int, per_seconds: float, max_senders: int = 10_000) -> None:
        self.capacity = float(messages)
        self.refill_per_second = messages / per_seconds
        self.max_senders = max_senders
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()

    def allow(self, sender: Text, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(sender, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
        allowed = tokens >= 1
        self._buckets[sender] = (tokens - 1 if allowed else tokens, now)
        if len(self._buckets) > self.max_senders:
            self._buckets.popitem(last=False)
        return allowed


class RestChannel(RestInput):
    """POST {"sender": "...", "message": "..."} to /webhooks/rest/webhook."""

    def __init__(self, rate_limit: Optional[SenderRateLimit] = None) -> None:
        self.rate_limit = rate_limit

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        limit = (credentials or {}).get("rate_limit")
        return cls(SenderRateLimit(limit["messages"], limit["per_seconds"]) if limit else None)

    # Rasa's webhook calls this first for every message.
    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string')
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
        if self.rate_limit and not self.rate_limit.allow(sender):
            raise TooManyRequests("too many messages from this sender: wait a few seconds")
        return sender

    def _extract_message(self, request: Request) -> Text:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" is longer than {MAX_MESSAGE_CHARS} characters')
        return message


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # Sanic answers 400 itself when this is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage("the body must be a JSON object")
    return body
