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
"""
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS

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

    @property
    def allowed_origins(self) -> FrozenSet[Text]:
        return frozenset(os.environ.get("ALLOWED_ORIGINS", "").split())

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        if self.sio is None:
            return super().get_output_channel()
        return SocketIOOutputWithMetadata(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
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
        async def handle_message(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not 0 < len(sender_id) <= MAX_SENDER_CHARS:
                    logger.warning("Ignored a socket.io message without a usable session_id.")
                    return
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

        return webhook


def _metadata(value: Any) -> Dict[Text, Any]:
    """Client metadata as a dict, whatever the client sent."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
