"""One urgency level per warning sign (urgency.yml), checked in every response.

A response is read line by line, sentence by sentence. A sentence's level is the
set of levels whose phrases it contains ("911" -> emergency); a sentence with
none takes the level of the sentence before it on the same line, so "Call 911
now. Fainting needs help right away." gives fainting the emergency level. Each
sign found in a sentence that has a level must have exactly its own level there.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from content import CONTENT, load_yaml

URGENCY = CONTENT / "urgency.yml"
SOURCE_PREFIX = "Source:"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Level:
    name: str
    label: str
    says: str
    phrases: Tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Sign:
    name: str
    title: str
    level: str
    sections: Tuple[str, ...]
    basis: str
    patterns: Tuple[re.Pattern, ...]
    help_line: Optional[re.Pattern] = None


@dataclass(frozen=True)
class Mention:
    """A sign named in one sentence, with the level(s) that sentence gives it."""

    sign: str
    words: str
    levels: FrozenSet[str]
    sentence: str


@dataclass(frozen=True)
class Violation:
    response: str
    problem: str
    sentence: str = ""

    def __str__(self) -> str:
        where = f' in "{self.sentence}"' if self.sentence else ""
        return f"{self.response}: {self.problem}{where}"


def _compile(patterns: Iterable[str]) -> Tuple[re.Pattern, ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


class Urgency:
    """The levels, the signs, and the reading of a response against them."""

    def __init__(self, data: Dict) -> None:
        self.levels = {
            name: Level(name, spec["label"], spec["says"], _compile(spec["phrases"]))
            for name, spec in data["levels"].items()
        }
        self.vague = _compile(data["vague"])
        self.local_when = re.compile(data["local_number"]["when"])
        self.local_says = _compile(data["local_number"]["says"])
        self.signs = {}
        for name, spec in data["signs"].items():
            if spec["level"] not in self.levels:
                raise ValueError(f"sign {name}: unknown level {spec['level']!r}")
            help_line = spec.get("help_line")
            self.signs[name] = Sign(
                name,
                spec["name"],
                spec["level"],
                tuple(map(str, spec["sections"])),
                spec["basis"],
                _compile(spec["patterns"]),
                re.compile(help_line) if help_line else None,
            )
        self.help_lines = [sign.help_line for sign in self.signs.values() if sign.help_line]

    @classmethod
    def load(cls, path: Path = URGENCY) -> "Urgency":
        return cls(load_yaml(path))

    # --- reading a response ---------------------------------------------------

    def sentence_levels(self, sentence: str) -> FrozenSet[str]:
        return frozenset(
            name for name, level in self.levels.items() if any(p.search(sentence) for p in level.phrases)
        )

    def signs_in(self, sentence: str) -> List[Tuple[str, str]]:
        """(sign, matched words) in `sentence`; of overlapping matches the longest wins."""
        found = [
            (m.end() - m.start(), m.start(), m.end(), name)
            for name, sign in self.signs.items()
            for p in sign.patterns
            for m in p.finditer(sentence)
        ]
        taken: List[Tuple[int, int]] = []
        kept = []
        for _, start, end, name in sorted(found, key=lambda f: (-f[0], f[1])):
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
                kept.append((start, name, sentence[start:end]))
        return [(name, words) for _, name, words in sorted(kept)]

    def sentences(self, text: str) -> List[List[str]]:
        """The sentences of each line of `text`, the Source line left out."""
        return [
            [s for s in SENTENCE_END.split(line.strip()) if s]
            for line in text.splitlines()
            if line.strip() and not line.startswith(SOURCE_PREFIX)
        ]

    def read(self, name: str, text: str) -> Tuple[List[Mention], List[Violation]]:
        """Every sign `text` names with the level it gives, and every rule it breaks."""
        mentions: List[Mention] = []
        violations: List[Violation] = []
        for line in self.sentences(text):
            carried: FrozenSet[str] = frozenset()
            unleveled = False  # a sign named so far on this line with no level
            for sentence in line:
                levels = self.sentence_levels(sentence) or carried
                signs = self.signs_in(sentence)
                for sign, words in signs:
                    mentions.append(Mention(sign, words, levels, sentence))
                    expected = self.signs[sign].level
                    if levels and levels != {expected}:
                        said = " and ".join(sorted(self.levels[level].label for level in levels))
                        violations.append(
                            Violation(
                                name,
                                f'"{words}" ({sign}) must be "{self.levels[expected].label}" '
                                f"(content/urgency.yml), but this says {said}",
                                sentence,
                            )
                        )
                unleveled = unleveled or bool(signs and not levels)
                # "Call Poison Help ... right away" names its action: the help line.
                if (
                    not levels
                    and unleveled
                    and any(p.search(sentence) for p in self.vague)
                    and not any(h.search(sentence) for h in self.help_lines)
                ):
                    violations.append(
                        Violation(
                            name,
                            "sends someone to care without a level: name it (911 now, same day, promptly)",
                            sentence,
                        )
                    )
                carried = levels
        for sign in {m.sign for m in mentions}:
            help_line = self.signs[sign].help_line
            if help_line and not help_line.search(text):
                violations.append(
                    Violation(name, f"names {sign} without its help line ({help_line.pattern})")
                )
        if self.local_when.search(text) and not any(p.search(text) for p in self.local_says):
            violations.append(
                Violation(
                    name,
                    'says 911 without "(or your local emergency number)" '
                    f"(accepted wordings: {URGENCY.name} local_number)",
                )
            )
        return mentions, violations

    def check(self, responses: Dict[str, Dict]) -> List[Violation]:
        """Every rule broken by `responses` (name -> {"text": ...})."""
        return [
            v for name, response in sorted(responses.items()) for v in self.read(name, response["text"])[1]
        ]
