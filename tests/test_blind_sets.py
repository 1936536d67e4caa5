"""Blind evaluation sets are written once, by someone who never saw the patterns,
the training data or the other tests, and never edited: a fix that needs the set
changed is a fix tuned to the set. A miss that gets fixed is copied into the
regular corpora instead; an exhausted set is replaced by a fresh one."""

import hashlib

import pytest

from bench.server import ROOT

PINNED = {
    "tests/answers_blind.tsv": "05af11c3104d0dfec9746d3956581fcc61c079917ee7cacc1a635e6ec5c549a7",
    "tests/answers_blind2.tsv": "b7165cd6feb31ad6d54def39122647deff276305bc6cbb8e842611eda55a0776",
    "tests/safety/blind/urgent.txt": "8ffb185daadd38f163c5bc5ed42211dfe3c3cc6b715752e0af2e81566a054c5b",
    "tests/safety/blind/not_urgent.txt": "1ad0436eb39fe3c695d976a278e1a0aa9c10d44b47409073a45a8cf6850f8526",
    "tests/safety/blind/personal.txt": "520ae0e8953ad7f098277cc29ddb97e5f40861840450b61bf4ba94f3b842915d",
    # A second, fresh set by another author: the first one's misses have been
    # studied and fixed by kind, so only this one still measures the unseen.
    "tests/safety/blind2/urgent.txt": "8d089e9fdb85f45391e30b9cbe26afc234ce701ef58ef3cc42c5238eda142a28",
    "tests/safety/blind2/not_urgent.txt": "4d458c2a22892625f6f8de450c89848f8b3b87f570aaf61fdc67a9dd22bdcbdc",
    # Third sets, added and measured once at the end of the work on the second ones.
    "tests/safety/blind3/urgent.txt": "1c9cdb77dfe2f435d96c855e15e737a3c48f0f0ce9ea0d64fbb307daeee44a61",
    "tests/safety/blind3/not_urgent.txt": "ac2e349bfe8ec44e6d7f7d3e85d7752b069db5d03f2d3e8c3f37b95cb1abca0d",
    "tests/safety/blind3/personal.txt": "ee7866adf4281c19019ed45171bc2b429df71a8387725ba060007e1bb409ed75",
    "tests/answers_blind3.tsv": "3d50f7313a09df6b92eaecec46fdfa480826d03e0022c26833042cc16d633d25",
    "tests/safety/blind2/personal.txt": "3028b667a87454a3439a0e1ae29bff4ee755298aeca445048ce3f2ecf98225fa",
    # Fourth sets, commissioned when the third ones had been measured and their
    # misses were about to be studied: measured once, at the end of that work.
    "tests/safety/blind4/urgent.txt": "097548bd32f7ec4030754459776b35505a59fbc12ddbaf11b109aa98345c7bd4",
    "tests/safety/blind4/not_urgent.txt": "791f5c6b11aff5120d6cd61c290f9fba8a750f2a1ae518408700a81825ccfdb6",
    "tests/safety/blind4/personal.txt": "eabe1f28f300b871b792276cf490fb5049a91f23b6d1dd0e656836ecaa3a4eff",
    "tests/answers_blind4.tsv": "8269bd25cf2f8d18d2bcec24aa2e74584701c958eb12512c77f137c6a59f4dc1",
    # Fifth sets, commissioned when the fourth had been measured once and its
    # misses were about to be studied: measured once, at the end of that work.
    "tests/safety/blind5/urgent.txt": "da8fb49ae48256c39eb1ffe46d35360e71ed19791f1eb9cd6d8dbfcd3335f885",
    "tests/safety/blind5/not_urgent.txt": "0df2254ac9d191fd85a5fc1e3c6603d1df840fb68fb6457055265536f297b056",
    "tests/safety/blind5/personal.txt": "c67816ea0296176a40506491325e31da1c5a57407dfc74d2105b2500fa552edd",
    "tests/answers_blind5.tsv": "8a08bc299e64c412d0e611e93cf83db605ba19b9c13f3bcf6a5f696201e9c6d0",
    # Sixth sets, commissioned when the fifth had been measured once and its
    # misses were about to be studied: measured once before that work (totals
    # only) and once at the end of it.
    "tests/answers_blind6.tsv": "f7a56883c1ae4f9b94d44d4423b939de083777878deef697160be1a0f2f566aa",
    "tests/safety/blind6/urgent.txt": "dbbf0aa6ee08d50465e13e6ca56ba37b61c2ed6d2218c16ab30349f236bdb873",
    "tests/safety/blind6/not_urgent.txt": "5247da6759df343d3ad59efc0e5e22f3bdc9404d8202c0d2b95239b04b36cb25",
    "tests/safety/blind6/personal.txt": "0f2aee7355bb44082af79b3a74e8633d091ddf2ecd175374448083c769859592",
    # Seventh sets, commissioned when the sixth had been measured and its misses
    # were about to be studied: measured once before that work (totals only).
    "tests/answers_blind7.tsv": "fd278d56760e3bac8bcb4dae7695d2bcc64559f31d80fc95ecba04a57fe22638",
    "tests/safety/blind7/urgent.txt": "40095d29395a6d78e402c27beb15e36d4011b4e6641e4629f58c92efa1a4967a",
    "tests/safety/blind7/not_urgent.txt": "f053cd097f1a68dc2e7cc7433e35a9491afb3c330b2f4a32cde2b88ee629342c",
    "tests/safety/blind7/personal.txt": "71cc8a6839b398211ae633195d7920c803a53a99adcca4e5e63e503269508c79",
}


@pytest.mark.parametrize("path, digest", sorted(PINNED.items()))
def test_blind_set_is_unchanged(path, digest):
    assert hashlib.sha256((ROOT / path).read_bytes()).hexdigest() == digest
