"""Shared fixtures: the project's data files and the trained assistant."""
import asyncio
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "valtrex-assistant.tar.gz"


def read_nlu(path: Path) -> List[Tuple[str, str]]:
    """(label, text) pairs of a Rasa NLU YAML file; labels may be `intent/sub`."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], line[2:].strip()))
    return pairs


def training_examples() -> List[Tuple[str, str]]:
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in read_nlu(path)]


def held_out_examples() -> List[Tuple[str, str]]:
    return read_nlu(ROOT / "tests" / "nlu_test.yml")


def normalise(text: str) -> str:
    """Lower case, words only (any script): what makes two examples the same."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


@pytest.fixture(scope="session")
def domain() -> Dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def responses(domain) -> Dict[str, Dict]:
    """Every response name mapped to its (single) variation."""
    return {name: variations[0] for name, variations in domain["responses"].items()}


class Assistant:
    """The trained model, driven the way a channel drives it."""

    def __init__(self) -> None:
        from rasa.core.agent import Agent

        if not MODEL.exists():
            pytest.fail(f"{MODEL} is missing: run `make train` first")
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(MODEL))

    def parse(self, text: str) -> Dict:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def reply(self, text: str, sender: str) -> List[Dict]:
        return self._loop.run_until_complete(self._agent.handle_text(text, sender_id=sender))


@pytest.fixture(scope="session")
def assistant() -> Assistant:
    return Assistant()
