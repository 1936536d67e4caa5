"""What the assistant keeps of a conversation (referenced from endpoints.yml)."""
