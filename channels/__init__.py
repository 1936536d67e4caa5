"""Custom Rasa input channels (referenced from credentials.yml)."""

# Longest user message the channels pass on. Longer ones are refused (REST) or
# answered like an unreadable message (socket.io): a single Rasa process spends
# about a second on 10,000 characters and a minute on a megabyte.
MAX_MESSAGE_CHARS = 10_000

# Longest sender id (REST `sender`, socket.io `session_id`): the tracker stores'
# sender_id column is 255 characters wide.
MAX_SENDER_CHARS = 255
