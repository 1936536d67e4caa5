"""Custom Rasa input channels (referenced from credentials.yml)."""

# Longest user message the channels pass on. Longer ones are refused (REST) or
# answered like an unreadable message (socket.io): a single Rasa process spends
# about a second on 10,000 characters and a minute on a megabyte.
MAX_MESSAGE_CHARS = 10_000
