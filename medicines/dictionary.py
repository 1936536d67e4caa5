"""Medicine names in a message: brand, generic and misspelt, and whether they are
valacyclovir (the one medicine this assistant has checked facts about).

The names come from the drug-named-entity-recognition package's dictionary
(DrugBank, MeSH, MedlinePlus and NHS names, shipped inside the package). Loading
that package takes about 370 MB and 2 seconds, so only training does it:
`extract_names` keeps the ~11,000 names of medicines people take as patients
(those with a MedlinePlus or NHS page), and `MedicineNames` matches them at run
time from a plain dict (a few hundred kB).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Text, Tuple

import yaml

SETTINGS_FILE = Path(__file__).with_name("medicines.yml")
NAME = re.compile(r"[a-z][a-z0-9\-' ]*[a-z0-9]")
WORD = re.compile(r"[a-z][a-z\-']*")


def load_settings(path: Path = SETTINGS_FILE) -> Dict[Text, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _lookup_table(name: Text) -> Dict[Text, Any]:
    """One of spaCy's English lookup tables (spacy-lookups-data, already installed)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"en_{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as table:
        return json.load(table)


def dictionary_words() -> Set[Text]:
    """Every English word form in spaCy's lemma table."""
    lemmas = _lookup_table("lemma_lookup")
    return set(lemmas) | set(lemmas.values())


def common_words(settings: Dict[Text, Any]) -> Set[Text]:
    """Words never read as a misspelt medicine: dictionary words, and words at least
    as frequent as `common_word_log_prob` in spaCy's word-frequency table (which
    also holds frequent typos: "different" is no typo of Differin, "becuase" of nothing)."""
    floor = settings["fuzzy"]["common_word_log_prob"]
    frequent = {word for word, log_prob in _lookup_table("lexeme_prob").items() if log_prob > floor}
    return {word for word in dictionary_words() | frequent if len(word) >= 5 and WORD.fullmatch(word)}


def extract_names(settings: Dict[Text, Any]) -> Dict[Text, Text]:
    """name (lower case) -> the medicine's canonical name, for consumer medicines."""
    from drug_named_entity_recognition import drugs_finder  # large: training only

    consumer_keys = settings["consumer_keys"]
    consumer = {
        canonical
        for canonical, data in drugs_finder.drug_canonical_to_data.items()
        if any(data.get(key) for key in consumer_keys)
    }
    words = dictionary_words()
    skip = set(settings["not_medicines"])
    names = {}
    for variant, canonicals in drugs_finder.drug_variant_to_canonical.items():
        canonical = next((c for c in canonicals if c in consumer), None)
        if (
            canonical is None
            or variant in skip
            or len(variant) < settings["min_length"]
            or not NAME.fullmatch(variant)
        ):
            continue
        # "generics" and "emend" name medicines in the dictionary but are English words;
        # brands people write often ("Tylenol") are not in the lemma table.
        if variant != canonical and variant in words:
            continue
        names[variant] = canonical
    names.update(settings["extra_names"])
    return names


def edit_distance(a: Text, b: Text, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@dataclass
class Mention:
    """A medicine named in a message: the words as typed and where they are."""

    text: Text
    start: int
    end: int
    medicine: Text  # canonical name ("acetaminophen" for "Tylenol")
    valacyclovir: bool  # the medicine this assistant knows
    exact: bool  # False: matched as a misspelling

    def as_dict(self) -> Dict[Text, Any]:
        return asdict(self)


class MedicineNames:
    """Finds medicine names in tokenized text."""

    def __init__(self, names: Dict[Text, Text], english: Set[Text], settings: Dict[Text, Any]) -> None:
        known = settings["valacyclovir"]
        self._names = names
        self._valacyclovir_medicines = set(known["dictionary_names"])
        self._valacyclovir_names = list(known["names"])
        self._max_edits = known["max_edits"]
        self._fuzzy = settings["fuzzy"]
        self._english = english
        # Misspelling candidates by first letter (a typo rarely changes it) and length.
        self._candidates: Dict[Tuple[Text, int], List[Text]] = {}
        for name in names:
            if " " not in name and len(name) >= self._fuzzy["min_length"]:
                self._candidates.setdefault((name[0], len(name)), []).append(name)

    def find(self, tokens: Sequence[Tuple[Text, int, int]]) -> List[Mention]:
        """Medicines named in `tokens` ((text, start, end) each), in order."""
        mentions: List[Mention] = []
        words = [(text.lower(), start, end) for text, start, end in tokens]
        index = 0
        while index < len(words):
            mention = self._two_words(words, index) or self._one_word(*words[index])
            if mention:
                mentions.append(mention)
                index += 2 if mention.end > words[index][2] else 1
            else:
                index += 1
        return mentions

    def _two_words(self, words, index) -> Optional[Mention]:
        if index + 1 >= len(words):
            return None
        (first, start, _), (second, _, end) = words[index], words[index + 1]
        medicine = self._names.get(f"{first} {second}")
        return self._mention(f"{first} {second}", start, end, medicine, True) if medicine else None

    def _one_word(self, word: Text, start: int, end: int) -> Optional[Mention]:
        if not WORD.fullmatch(word):
            return None
        medicine = self._names.get(word)
        if medicine:
            return self._mention(word, start, end, medicine, True)
        if word in self._valacyclovir_names:
            return Mention(word, start, end, "valacyclovir", True, True)
        if word in self._english or len(word) < 5:
            return None
        if self._near(word, self._valacyclovir_names, self._max_edits):
            return Mention(word, start, end, "valacyclovir", True, False)
        if len(word) < self._fuzzy["min_length"]:
            return None
        limit = 2 if len(word) >= self._fuzzy["long_word"] else 1
        candidates = (
            name
            for length in range(len(word) - limit, len(word) + limit + 1)
            for name in self._candidates.get((word[0], length), ())
        )
        name = self._near(word, candidates, limit)
        return self._mention(word, start, end, self._names[name], False) if name else None

    def _mention(self, text: Text, start: int, end: int, medicine: Text, exact: bool) -> Mention:
        return Mention(text, start, end, medicine, medicine in self._valacyclovir_medicines, exact)

    @staticmethod
    def _near(word: Text, names: Iterable[Text], limit: int) -> Optional[Text]:
        """The closest of `names` within `limit` edits of `word`, if any."""
        best, best_distance = None, limit + 1
        for name in names:
            distance = edit_distance(word, name, limit)
            if distance < best_distance:
                best, best_distance = name, distance
        return best
