"""Rasa's REST channel, with the request checked before it reaches the assistant.

Rasa 3.6 answers a JSON body that is not an object with a 500 and a traceback,
files every message without a sender under one shared "default" conversation,
silently drops a message that is not a string, and spends a minute of its only
process on a 1 MB message. Here each of those gets a clear 4xx instead.
"""
from typing import Any, Dict, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

from channels import MAX_MESSAGE_CHARS


class RestChannel(RestInput):
    """POST {"sender": "...", "message": "..."} to /webhooks/rest/webhook."""

    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string')
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
