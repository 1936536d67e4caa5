"""Medicine names in messages, and questions about another medicine alone."""
