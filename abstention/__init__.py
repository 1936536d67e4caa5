"""Answer only what is known: abstain with an honest reply when an answer may not fit."""
