"""Which language to answer in: English or Spanish (issue 15)."""
