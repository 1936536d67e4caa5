"""Rasa's REST channel, with the request checked before it reaches the assistant.

Rasa 3.6 answers a JSON body that is not an object with a 500 and a traceback,
files every message without a sender under one shared "default" conversation,
silently drops a message that is not a string, reads bodies of up to 100 MB,
stores whatever `metadata` and `input_channel` a client sends, and spends a
minute of its only process on a 1 MB message. Here each of those gets a clear
4xx instead (413 for anything too large), and so does a client that sends
faster than a person can, per sender and per client address (credentials.yml).
"""

import json
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException
from sanic.request import Request

from channels import (
    MAX_BODY_BYTES,
    MAX_INPUT_CHANNEL_CHARS,
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    MAX_SENDER_CHARS,
)
from channels.limits import (
    Network,
    RestRateLimit,
    TokenBuckets,
    cap_request_body,
    client_address,
    trusted_proxies,
)


class TooManyRequests(SanicException):
    status_code = 429
    quiet = True


class RestChannel(RestInput):
    """POST {"sender": "...", "message": "..."} to /webhooks/rest/webhook."""

    def __init__(
        self, rate_limit: Optional[RestRateLimit] = None, proxies: Optional[List[Network]] = None
    ) -> None:
        self.rate_limit = rate_limit
        self.proxies = trusted_proxies() if proxies is None else proxies

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        per_sender, per_address = credentials.get("rate_limit"), credentials.get("address_rate_limit")
        if not per_sender:
            return cls(None)
        return cls(
            RestRateLimit(
                TokenBuckets(per_sender["messages"], per_sender["per_seconds"]),
                TokenBuckets(per_address["messages"], per_address["per_seconds"]) if per_address else None,
            )
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        cap_request_body(
            webhook, lambda route: route.name.endswith(f".{webhook.name}.receive"), MAX_BODY_BYTES
        )
        return webhook

    # Rasa's webhook calls this first for every message: the whole request is
    # checked here, so a refused request costs the client no message.
    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string')
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
        self._extract_message(request)
        self._extract_input_channel(request)
        self.get_metadata(request)
        if self.rate_limit:
            refused = self.rate_limit.refusal(sender, client_address(request, self.proxies))
            if refused:
                raise TooManyRequests(f"too many messages from this {refused}: wait a few seconds")
        return sender

    def _extract_message(self, request: Request) -> Text:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" is longer than {MAX_MESSAGE_CHARS} characters')
        return message

    def _extract_input_channel(self, request: Request) -> Text:
        channel = _body(request).get("input_channel")
        if channel is None:
            return self.name()
        if not isinstance(channel, str) or not 0 < len(channel) <= MAX_INPUT_CHANNEL_CHARS:
            raise InvalidUsage(f'"input_channel" must be 1 to {MAX_INPUT_CHANNEL_CHARS} characters')
        return channel

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        if metadata is None:
            return None
        if not isinstance(metadata, dict):
            raise InvalidUsage('"metadata" must be a JSON object')
        if len(json.dumps(metadata).encode()) > MAX_METADATA_BYTES:
            raise PayloadTooLarge(f'"metadata" must be at most {MAX_METADATA_BYTES // 1024} KB of JSON')
        return metadata


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # Sanic answers 400 itself when this is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage("the body must be a JSON object")
    return body
