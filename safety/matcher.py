"""Deterministic red-flag and personal-question detection with spaCy.

The patterns live in patterns.yml (data, not code). A pattern is a phrase of
terms separated by spaces:

    word        matches the word or any form with the same lemma ("legs" ~ "leg")
    a|b|c       matches any one of the words
    ?word       the word may be missing
    =a|b        exactly these forms, not other forms of the word ("=took" not "take")
    #           a number ("6", "six")
    #many       a number of five or more ("took 20 of them", "8 g"): more than a doubled dose
    #young      a child's age, 0 to 17 ("my 4 yr old", not "my 80 yr old father")
    @name       any word of the lay-language list `vocabulary: name` ("@pee":
                pee, wee, urine, piss...), so one pattern reaches every synonym
    ...         up to three words of anything

A pattern that starts with `~` is ambiguous: its words often mean something
else ("stroke", "collapsed", "overdosed on netflix"), so the finding says so and
the component asks the urgency detector before it raises the alarm.

Messages are lower-cased, accents are dropped (people type "orinar" and
"sí" as often as not) and common spellings are mapped to one form
(`spellings:`, e.g. "cant" -> "can not") before spaCy tokenizes and lemmatizes
them, so one pattern ("can not feel my leg") covers "can't", "cant" and
"cannot". Patterns are written in that normal form. When several red flags
match, the category listed first in patterns.yml wins (self-harm before
overdose, so the reply names 988), and `combinations:` name the category
that two found together mean (a suicidal thought and pills swallowed: someone
has already acted). A category's `patterns_es` are Spanish: matched on the
exact (accent-free) word forms, since the lemmas are English, and the finding
says `language: es`. Each pattern is a spaCy Matcher pattern;
only the patterns whose required words all occur in the message are run (a
set lookup per pattern instead of running ~300 patterns over every token).

A red flag counts unless its own clause says it is not happening now
(safety/context.py reads the clause: negated, hypothetical, past, a figure of
speech, said of a thing or an animal). A past red flag makes the message a
personal question about the person's own condition. When the clause gives no
such cue, the red flag counts: in doubt, urgent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from safety.context import NUMBER, ClauseReader

URGENT = "urgent"
PERSONAL = "personal"
GAP = "..."
GAP_LENGTH = 3
EXACT = "="
MANY = "#many"
YOUNG = "#young"  # a child's age: 0 to 17
# Number terms narrower than `#`: the forms each one matches.
NUMBER_FORMS = {
    MANY: (
        r"^(?:[5-9]|[1-9]\d+"
        r"|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)$"
    ),
    YOUNG: r"^(?:[0-9]|1[0-7])$",
}
VOCABULARY = "@"
AMBIGUOUS = "~"
SPANISH = "es"
ENGLISH = "en"


@dataclass(frozen=True)
class Rule:
    kind: str  # URGENT or PERSONAL
    category: str
    pattern: str
    source: str
    language: str = ENGLISH
    ambiguous: bool = False
    questions_count: bool = False  # asked about, it still counts (self-harm)


@dataclass
class Finding:
    """What the safety layer decided about one message, and why."""

    kind: Optional[str]  # URGENT, PERSONAL or None
    category: Optional[str] = None
    pattern: Optional[str] = None
    matched_text: Optional[str] = None
    source: Optional[str] = None
    set_aside: List[Dict[str, str]] = field(default_factory=list)
    language: str = ENGLISH  # of the message, as far as the safety layer can tell
    ambiguous: bool = False  # only ambiguous red flags matched (`~` patterns)
    framed: bool = False  # the whole message asks about emergencies ("for a novel i'm writing")
    # the personal question also found, for when an ambiguous red flag is set aside
    personal: Optional[Finding] = None

    def as_dict(self) -> Dict:
        return {key: value for key, value in asdict(self).items() if key != "personal"}


class SafetyMatcher:
    def __init__(self, nlp: Language, config: Dict) -> None:
        self._nlp = nlp
        # One regular expression for all spellings, longest first, so a message
        # is scanned once.
        self._spellings = {typed.lower(): meant for typed, meant in config.get("spellings", {}).items()}
        alternatives = "|".join(re.escape(typed) for typed in sorted(self._spellings, key=len, reverse=True))
        self._spelling_pattern = re.compile(rf"(?<![\w'])(?:{alternatives or '(?!)'})(?![\w'])")
        self._vocabulary = {
            name: words.split() if isinstance(words, str) else list(words)
            for name, words in (config.get("vocabulary") or {}).items()
        }
        self._spanish_words = set(config.get("spanish_words") or [])
        self._several = config.get("several_red_flags")
        self._combinations = {
            tuple(sorted(pair)): category for category, pair in (config.get("combinations") or {}).items()
        }
        context = config["context"]
        self._context = ClauseReader(context, self._lemmas)
        self._gap_breaks = sorted(context["gap_breaks"])
        self._history_category = context["history_category"]

        self._rules: List[Rule] = []
        self._pattern_lemmas: Dict[Rule, set] = {}
        self._priority = {category: rank for rank, category in enumerate(config[URGENT])}
        self._personal_priority = {category: rank for rank, category in enumerate(config[PERSONAL])}
        for combined in self._combinations.values():
            self._priority.setdefault(combined, -1)  # a combination outranks its parts
        # Per rule: its Matcher, and for each required token the words one of
        # which must occur in the message ("lemma"/"lower" sets, or "number").
        self._matchers: List[Matcher] = []
        self._required: List[List[Tuple[str, frozenset]]] = []
        # Each rule filed under the words of its first required term: a message
        # only checks the rules one of whose anchor words it contains.
        self._by_anchor: Dict[Tuple[str, str], List[int]] = {}
        self._unanchored: List[int] = []
        for kind in (URGENT, PERSONAL):
            for category, entry in config[kind].items():
                asked = entry.get("questions_count", False)
                for key, language in (("patterns", ENGLISH), ("patterns_es", SPANISH)):
                    for pattern in entry.get(key, []):
                        self._add(
                            Rule(
                                kind,
                                category,
                                pattern.lstrip(AMBIGUOUS),
                                entry["source"],
                                language,
                                ambiguous=pattern.startswith(AMBIGUOUS),
                                questions_count=asked,
                            )
                        )

    def categories(self, kind: str) -> List[str]:
        """Every category a finding of `kind` can name."""
        named = {rule.category for rule in self._rules if rule.kind == kind}
        if kind == URGENT:
            return sorted(named | set(self._combinations.values()))
        return sorted(named | {self._history_category})

    @classmethod
    def from_file(cls, nlp: Language, path: Path) -> SafetyMatcher:
        return cls(nlp, yaml.safe_load(Path(path).read_text(encoding="utf-8")))

    def check(self, text: str) -> Finding:
        doc = self._nlp(self.normalise(text))
        finding = self._check(doc)
        finding.framed = self._context.framed(doc)
        return finding

    def _check(self, doc: Doc) -> Finding:
        urgent, personal, set_aside = [], [], []
        for start, end, index in self._matches(doc):
            rule = self._rules[index]
            span = doc[start:end]
            if rule.kind == PERSONAL:
                personal.append((rule, span))
                continue
            reason = self._context.not_now(
                span, rule.ambiguous, rule.questions_count, self._pattern_lemmas[rule]
            )
            if reason is None:
                urgent.append((rule, span))
            else:
                set_aside.append(
                    {
                        "category": rule.category,
                        "pattern": rule.pattern,
                        "matched_text": span.text,
                        "reason": reason,
                    }
                )

        language = self.language(doc, urgent + personal)
        personal_finding = None
        if personal:
            first_personal = min(personal, key=lambda found: self._personal_priority[found[0].category])
            personal_finding = self._finding(PERSONAL, *first_personal, set_aside, language)
        if urgent:
            first = min(urgent, key=lambda found: self._priority[found[0].category])
            finding = self._finding(URGENT, *first, set_aside, language)
            finding.ambiguous = all(rule.ambiguous for rule, _ in urgent)
            finding.personal = personal_finding
            found = {rule.category for rule, _ in urgent}
            for pair, combined in self._combinations.items():
                if set(pair) <= found:
                    finding.category = combined
                    finding.source = f"{first[0].source}; combined: {' + '.join(pair)}"
            return finding
        past = next((entry for entry in set_aside if entry["reason"] == "past"), None)
        if past:
            return Finding(
                PERSONAL,
                self._history_category,
                past["pattern"],
                past["matched_text"],
                "red flag in the past",
                set_aside,
                language,
            )
        if personal_finding:
            return personal_finding
        return Finding(None, set_aside=set_aside, language=language)

    def language(self, doc: Doc, found: List[Tuple[Rule, Span]]) -> str:
        """Spanish when a Spanish pattern matched or Spanish words outnumber English ones."""
        if any(rule.language == SPANISH for rule, _ in found):
            return SPANISH
        words = [t.lower_ for t in doc if t.is_alpha]
        spanish = sum(word in self._spanish_words for word in words)
        return SPANISH if spanish >= 2 and spanish >= 0.25 * len(words) else ENGLISH

    def _matches(self, doc: Doc) -> List[Tuple[int, int, int]]:
        """(start, end, rule index) of every match, in order of position."""
        present = {
            "lemma": {t.lemma_ for t in doc},
            "lower": {t.lower_ for t in doc},
            "number": {NUMBER} if any(t.like_num for t in doc) else set(),
        }
        candidates = set(self._unanchored)
        for attr, words in present.items():
            for word in words:
                candidates.update(self._by_anchor.get((attr, word), ()))
        found: List[Tuple[int, int, int]] = []
        for index in candidates:
            if all(present[attr] & words for attr, words in self._required[index]):
                found.extend((start, end, index) for _, start, end in self._matchers[index](doc))
        return sorted(found)

    def normalise(self, text: str) -> str:
        text = text.lower().replace("\u2019", "'")
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return self._spelling_pattern.sub(lambda typed: self._spellings[typed.group()], text)

    # -- compiling patterns -------------------------------------------------

    def _add(self, rule: Rule) -> None:
        tokens: List[Dict[str, Any]] = []
        required: List[Tuple[str, frozenset]] = []
        for term in rule.pattern.split():
            if term == GAP:  # any words, but never across the end of a sentence
                gap = {"LOWER": {"NOT_IN": self._gap_breaks}, "OP": "?"}
                tokens.extend(dict(gap) for _ in range(GAP_LENGTH))
                continue
            optional = term.startswith("?")
            term = term.lstrip("?").lower()
            term = "|".join(self._expand(word) for word in term.split("|"))
            if (
                rule.language == SPANISH
                and term != NUMBER
                and term not in NUMBER_FORMS
                and not term.startswith(EXACT)
            ):
                term = EXACT + term  # Spanish words have no English lemmas: exact forms
            token: Dict[str, Any]
            if term == NUMBER:
                token, need = {"LIKE_NUM": True}, ("number", frozenset([NUMBER]))
            elif term in NUMBER_FORMS:
                token, need = {"LOWER": {"REGEX": NUMBER_FORMS[term]}}, ("number", frozenset([NUMBER]))
            elif term.startswith(EXACT):  # this form only: "took" but not "take"
                words = term[len(EXACT) :].split("|")
                token, need = {"LOWER": {"IN": words}}, ("lower", frozenset(words))
            else:
                words = term.split("|")
                lemmas = sorted(set(self._lemmas(words)) | set(words))
                token, need = {"LEMMA": {"IN": lemmas}}, ("lemma", frozenset(lemmas))
            if optional:
                token["OP"] = "?"
            else:
                required.append(need)
            tokens.append(token)
        matcher = Matcher(self._nlp.vocab)
        matcher.add(rule.pattern, [tokens])
        self._matchers.append(matcher)
        if required:
            attr, anchors = required[0]
            for word in anchors:
                self._by_anchor.setdefault((attr, word), []).append(len(self._required))
        else:
            self._unanchored.append(len(self._required))
        self._required.append(required)
        self._rules.append(rule)
        self._pattern_lemmas[rule] = {
            word
            for token in tokens
            for key in ("LEMMA", "LOWER")
            for word in token.get(key, {}).get("IN", [])
        }

    def _expand(self, word: str) -> str:
        """`@name` -> the words of that vocabulary list, as alternatives."""
        if not word.startswith(VOCABULARY):
            return word
        name = word[len(VOCABULARY) :]
        if name not in self._vocabulary:
            raise ValueError(f"unknown vocabulary list {word!r} (define it under `vocabulary:`)")
        return "|".join(self._vocabulary[name])

    def _lemmas(self, words: Iterable[str]) -> List[str]:
        lemmas = []
        for word in words:
            doc = self._nlp(word)
            if len(doc) != 1:
                raise ValueError(f"pattern term {word!r} is not one token: {[t.text for t in doc]}")
            lemmas.append(doc[0].lemma_.lower())
        return lemmas

    @staticmethod
    def _finding(
        kind: str, rule: Rule, span: Span, set_aside: List[Dict[str, str]], language: str
    ) -> Finding:
        return Finding(kind, rule.category, rule.pattern, span.text, rule.source, set_aside, language)
