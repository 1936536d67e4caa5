"""The scale-out production profile (docs/deploy.md) and `make scale-test`."""
