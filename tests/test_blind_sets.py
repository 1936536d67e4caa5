"""Blind evaluation sets are written once, by someone who never saw the patterns,
the training data or the other tests, and never edited: a fix that needs the set
changed is a fix tuned to the set. A miss that gets fixed is copied into the
regular corpora instead; an exhausted set is replaced by a fresh one."""
import hashlib

import pytest

from bench.server import ROOT

PINNED = {
    "tests/answers_blind.tsv": "05af11c3104d0dfec9746d3956581fcc61c079917ee7cacc1a635e6ec5c549a7",
    "tests/safety/blind/urgent.txt": "8ffb185daadd38f163c5bc5ed42211dfe3c3cc6b715752e0af2e81566a054c5b",
    "tests/safety/blind/not_urgent.txt": "1ad0436eb39fe3c695d976a278e1a0aa9c10d44b47409073a45a8cf6850f8526",
    "tests/safety/blind/personal.txt": "520ae0e8953ad7f098277cc29ddb97e5f40861840450b61bf4ba94f3b842915d",
}


@pytest.mark.parametrize("path, digest", sorted(PINNED.items()))
def test_blind_set_is_unchanged(path, digest):
    assert hashlib.sha256((ROOT / path).read_bytes()).hexdigest() == digest
