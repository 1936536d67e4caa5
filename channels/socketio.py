"""Rasa's socket.io channel with two additions the web widget relies on.

* Every bot message carries its response's `metadata`, e.g. `{"urgent": true,
  "category": "overdose"}`, so the widget styles urgent replies without reading
  their text, and the response's name as `utter_action` (e.g.
  "utter_ask_back_pain/kidney_warning"), which the widget's "Was this helpful?"
  vote names. Rasa 3.6's SocketIOOutput drops both.
* A user event whose `message` is missing, null, not a string or longer than
  MAX_MESSAGE_CHARS is answered like an empty message (the fallback reply)
  instead of raising in the handler or tying up the server; one without a
  usable session_id (missing, or longer than the database's sender column) is
  ignored with a warning.
* Browsers may connect only from the pages listed in the ALLOWED_ORIGINS
  environment variable (space-separated; `make run` sets it to the demo page).
  Rasa's channel checks no origin at all, and a WebSocket is not covered by
  CORS, so without this any web site could embed the assistant.
* Each connection may send `rate_limit` messages per period (credentials.yml);
  beyond it a message is dropped, and a client that asked for an
  acknowledgement gets "too many messages" in it. Packets and polling bodies
  are capped at MAX_BODY_BYTES, client metadata at MAX_METADATA_BYTES (larger
  metadata is dropped, the message still answered).

A client that emits `user_uttered` with an acknowledgement callback gets it once
every reply to that message has been emitted: tests wait for that, not a time.
"""

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, MAX_METADATA_BYTES, MAX_SENDER_CHARS
from channels.limits import TokenBuckets, cap_request_body

TOO_MANY = "too many messages: wait a few seconds"

logger = logging.getLogger(__name__)


class SocketIOOutputWithMetadata(SocketIOOutput):
    """Adds the response's metadata and name to each socket.io message it emits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metadata: Optional[Dict[Text, Any]] = None
        self._utter_action: Optional[Text] = None

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self._metadata = message.get("metadata")
        self._utter_action = message.get("utter_action")
        await super().send_response(recipient_id, message)

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if self._metadata:
            response = {**response, "metadata": self._metadata}
        if self._utter_action:
            response = {**response, "utter_action": self._utter_action}
        await super()._send_message(socket_id, response)


class SocketIOChannel(SocketIOInput):
    """socket.io input channel whose replies keep their metadata."""

    per_connection: Optional[TokenBuckets] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        limit = (credentials or {}).get("rate_limit")
        if limit and isinstance(channel, SocketIOChannel):
            channel.per_connection = TokenBuckets(limit["messages"], limit["per_seconds"])
        return channel

    @property
    def allowed_origins(self) -> FrozenSet[Text]:
        return frozenset(os.environ.get("ALLOWED_ORIGINS", "").split())

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutputWithMetadata(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        assert self.sio is not None  # the parent's blueprint made it
        self.sio.eio.max_http_buffer_size = MAX_BODY_BYTES  # each packet, polling and WebSocket
        path = "/" + (self.socketio_path or "socket.io").strip("/")
        cap_request_body(webhook, lambda route: route.path.strip("/") == path.strip("/"), MAX_BODY_BYTES)
        if not self.allowed_origins:
            logger.warning("ALLOWED_ORIGINS is not set: no web page can connect over socket.io.")
        check_credentials = self.sio.handlers[self.namespace or "/"]["connect"]

        # Replaces the parent's handler, which it still calls (it checks a JWT if set).
        @self.sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")  # browsers always send it; other clients may not
            if origin is not None and origin not in self.allowed_origins:
                logger.warning(f"Refused a socket.io connection from {origin!r}: not in ALLOWED_ORIGINS.")
                return False
            return await check_credentials(sid, environ, auth)

        # Replaces the parent's handler for the same event.
        @self.sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> Optional[Text]:
            if self.per_connection is not None and not self.per_connection.allow(sid):
                logger.warning("Dropped a socket.io message: its connection sends too many.")
                return TOO_MANY
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not 0 < len(sender_id) <= MAX_SENDER_CHARS:
                    logger.warning("Ignored a socket.io message without a usable session_id.")
                    return None
            else:
                sender_id = sid
            text = data.get("message")
            readable = isinstance(text, str) and len(text) <= MAX_MESSAGE_CHARS
            await on_new_message(
                UserMessage(
                    text if readable else "",
                    self.get_output_channel(),
                    sender_id,
                    input_channel=self.name(),
                    metadata=_metadata(data.get(self.metadata_key)),
                )
            )
            return None

        return webhook


def _metadata(value: Any) -> Dict[Text, Any]:
    """Client metadata as a dict, whatever the client sent; {} if it is larger
    than MAX_METADATA_BYTES."""
    if isinstance(value, str):
        if len(value) > MAX_METADATA_BYTES:
            value = None
        else:
            try:
                value = json.loads(value)
            except ValueError:
                return {}
    if not isinstance(value, dict):
        return {}
    if len(json.dumps(value).encode()) > MAX_METADATA_BYTES:
        logger.warning(f"Dropped socket.io metadata over {MAX_METADATA_BYTES // 1024} KB.")
        return {}
    return value
