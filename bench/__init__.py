"""Benchmarks and quality figures (`make bench`, `make eval`)."""
