"""Custom Rasa input channels (referenced from credentials.yml)."""

# Longest user message the channels pass on. Longer ones are refused (REST) or
# answered like an unreadable message (socket.io): a single Rasa process spends
# about a second on 10,000 characters and a minute on a megabyte.
MAX_MESSAGE_CHARS = 10_000

# Longest sender id (REST `sender`, socket.io `session_id`): the tracker stores'
# sender_id column is 255 characters wide.
MAX_SENDER_CHARS = 255

# Largest request body (REST) or socket.io packet: a message of MAX_MESSAGE_CHARS
# fits even with every character escaped in JSON (nginx has the same cap).
MAX_BODY_BYTES = 64 * 1024

# Client metadata is stored with every message (redacted): a few fields, not a file.
MAX_METADATA_BYTES = 4 * 1024

# A REST client may name its channel (stored with the message), briefly.
MAX_INPUT_CHANNEL_CHARS = 64
