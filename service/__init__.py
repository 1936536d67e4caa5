"""What the running service adds to the curated replies (endpoints.yml `nlg`):
the site's own contact (contact.yml) and, on the replies to a vote, which answer
the vote was about (service/feedback.py)."""
