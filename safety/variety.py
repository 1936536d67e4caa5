"""Generated variety for the urgency detector, from the lay-language lists in variety.yml.

Present emergencies: each red flag said by different people (I, my mom, my
son...), alone, with a closing question, or buried after an ordinary sentence,
with the typos people make on a phone. Against them, the same signs negated
("no chest pain, just..."), in the past ("a seizure years ago"), asked about
("what are the signs of..."), and figures of speech ("this paperwork is killing
me"): what teaches the detector that the words alone are not an emergency.
Deterministic: the same lists give the same sentences.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Dict, List, Tuple

# One file per author: different writers reach different phrasings.
DEFAULT_VARIETY = [
    Path(__file__).with_name(name) for name in ("variety.yml", "variety_2.yml", "variety_3.yml")
]
PER_CATEGORY = 80
SEED = 20261202

# How a present red flag is said; {s} is the red flag, {c} context, {q} closer.
PRESENT = [
    "{s}",
    "{s}",
    "{s} right now",
    "{s}!!",
    "help {s}",
    "{s}. {q}",
    "{s} {q}",
    "{c}. {s}",
    "{c} and now {s}",
    "{c}, {s}. {q}",
    "{c}. {s}. {q}",
    "sorry to bother you but {s}",
]
# The same signs, not happening now; {n} is a sign as a noun phrase.
NOT_NOW = [
    "no {n}, just a sore back",
    "i don't have {n} or anything like that",
    "{c}, but no {n}",
    "no {n} at all, {q}",
    "i had {n} {a}, all fine now",
    "{a} i had {n}, nothing since",
    "what are the signs of {n}",
    "is {n} a side effect of valtrex",
    "when should i worry about {n}",
    "what should i do if i get {n}",
    "can valacyclovir cause {n}",
    "is {n} an emergency",
    "my doctor asked if i ever had {n}",
    "how would i know if i had {n}",
]


def typo(text: str, rng: random.Random) -> str:
    """One of the slips people make typing on a phone."""
    kind = rng.randrange(6)
    if kind == 0:
        return text.replace("'", "")
    if kind == 1:
        return re.sub(r"[.,!?]", "", text)
    if kind == 2:
        return re.sub(r"\byou\b", "u", text)
    words = text.split()
    long_words = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    words[i] = word[:j] + word[j + 1 :] if kind == 3 else word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def generate(
    variety: Dict, per_category: int = PER_CATEGORY, seed: int = SEED
) -> Tuple[List[str], List[bool]]:
    """(texts, is_urgent) for the detector's training."""
    rng = random.Random(seed)
    texts: List[str] = []
    urgent: List[bool] = []

    def add(text: str, label: bool) -> None:
        texts.append(typo(text, rng) if rng.random() < 0.3 else text)
        urgent.append(label)

    for category in sorted(variety["urgent"]):
        phrases = variety["urgent"][category]
        for _ in range(per_category):
            sign = rng.choice(phrases).format(**rng.choice(variety["people"]))
            add(
                rng.choice(PRESENT).format(
                    s=sign, c=rng.choice(variety["contexts"]), q=rng.choice(variety["closers"])
                ),
                True,
            )
    for category in sorted(variety["signs"]):
        for _ in range(per_category // 2):
            add(
                rng.choice(NOT_NOW).format(
                    n=rng.choice(variety["signs"][category]),
                    a=rng.choice(variety["ago"]),
                    c=rng.choice(variety["contexts"]),
                    q=rng.choice(variety["closers"]),
                ),
                False,
            )
    for text in variety["mild"] + variety["figurative"] + variety["spanish_not_urgent"]:
        add(text, False)
    for text in variety["mild"]:  # ordinary stories, long and short
        add(f"{rng.choice(variety['contexts'])}. {text}", False)
        add(f"{text}, {rng.choice(variety['mild'])}. {rng.choice(variety['closers'])}", False)
        add(
            f"{rng.choice(variety['contexts'])}. {text}. {rng.choice(variety['mild'])}. "
            f"{rng.choice(variety['closers'])}",
            False,
        )
    for text in variety["spanish_urgent"]:
        add(text, True)
    return texts, urgent
