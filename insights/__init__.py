"""`make insights`: one HTML page for the content team, read (read-only) from the
tracker store: conversations and messages per day, answers by topic, fallback and
abstain rates, urgent replies per day and category, helpfulness per answer, and
the (redacted) questions the assistant could not answer.

read.py reads the events, figures.py counts, report.py writes the page."""
