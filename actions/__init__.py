"""Custom actions for the Rasa action server.

There are none yet: every answer is a curated response in domain.yml, so the
assistant runs without an action server and its urgent routing can never wait on
one. A custom action goes in a small module here, with a test in tests/actions/,
and `action_endpoint` in endpoints.yml.
"""
