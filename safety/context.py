"""How the clause around a red flag is read: is it happening now?

A red flag counts unless its own clause says it is not happening now:
negated ("no fever", "I don't have numbness"), hypothetical ("what if I can't
pee?", "signs of a kidney problem"), past ("a seizure years ago"), a figure of
speech ("you nearly gave me a heart attack") or said of a thing or an animal
("my laptop won't wake up", "our dog fainted"). The cues are data
(`context:` in patterns.yml); this module only applies them. When the clause
gives no such cue, the red flag counts: in doubt, urgent.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from spacy.tokens import Doc, Span

YEAR = "year_number"  # in a cue: a past year ("a stroke in 2018")
NUMBER = "#"  # in a cue: any number ("when i was 18")

NOT_NOW_REASONS = ("hypothetical", "negated", "figurative", "said of a thing", "past")


class ClauseReader:
    """Reads the context cues of patterns.yml's `context:` section."""

    def __init__(self, context: Dict, lemmas: Callable[[Iterable[str]], List[str]]) -> None:
        self._lemmas = lemmas
        self._clause_breaks = set(context["clause_breaks"])
        self._negations = set(lemmas(context["negations"]))
        self._negation_window = context["negation_window"]
        # "and her face ...": a new subject after a conjunction starts a new scope
        self._scope_breaks = set(lemmas(context.get("negation_scope_breaks", [])))
        self._new_subjects = set(lemmas(context.get("new_subjects", [])))
        # "can't stop shaking": a negation of these verbs affirms what follows
        self._affirming = set(lemmas(context.get("affirming_after_negation", [])))
        self._hypothetical = [self.cue(cue) for cue in context["hypothetical"]]
        self._present = set(lemmas(context["present"]))
        self._reports = set(context.get("reports", []))
        self._reporters = set(context.get("reporters", []))
        self._hypothetical_after = [self.cue(cue) for cue in context["hypothetical_after"]]
        self._hypothetical_strong = [self.cue(cue) for cue in context.get("hypothetical_strong", [])]
        self._framing = [self.cue(cue) for cue in context.get("framing", [])]
        self._subjects = set(lemmas(context["subjects"]))
        self._past = [self.cue(cue) for cue in context["past"]]
        # "fell last week and since then can't feel his legs" is now, not past
        self._still_now = set(lemmas(context.get("still_now", [])))
        self._figurative = [self.cue(cue) for cue in context.get("figurative", [])]
        self._things = set(lemmas(context.get("things", [])))
        self._animals_and_devices = set(lemmas(context.get("animals_and_devices", [])))
        self._linking = set(lemmas(context.get("linking", [])))
        # typed forms the lookup lemmatizer gets wrong ("dying" -> "dye")
        self._lemma_fixes = dict(context.get("lemma_fixes", {}))
        # phrases that say a red flag's words are fine ("peeing normally", "no peeing problems")
        self._fine = [self.cue(cue) for cue in context.get("fine", [])]
        self._sentence_breaks = set(context["gap_breaks"])

    def cue(self, cue: str) -> List[str]:
        return [word if word in (YEAR, NUMBER) else self._lemmas([word])[0] for word in cue.split()]

    def not_now(
        self, span: Span, ambiguous: bool, questions_count: bool, pattern_lemmas: Set[str]
    ) -> Optional[str]:
        """Why the red flag in `span` is not happening now, or None when it is."""
        if not questions_count and self.framed(span.doc):
            return "hypothetical"  # "for a school project, how do poison centers work?"
        before, after = self._clause(span)
        before_lemmas = [self._lemma(t) for t in before]
        span_lemmas = [self._lemma(t) for t in span]
        after_lemmas = [self._lemma(t) for t in after]
        if self._negated(before_lemmas, span_lemmas, pattern_lemmas):
            return "negated"
        if any(_contains(before_lemmas + span_lemmas + after_lemmas, cue) for cue in self._fine):
            return "negated"
        cue_end = (
            -1
            if questions_count
            else max((_end_of(before_lemmas, cue) for cue in self._hypothetical), default=-1)
        )
        # "can valtrex cause confusion" asks; "can it cause my throat to close" reports.
        if cue_end >= 0 and not set(before_lemmas[cue_end:] + span_lemmas) & self._present:
            typed = set([t.lower_ for t in list(before)[cue_end:]] + [t.lower_ for t in span])
            if not (typed & self._reports and typed & self._reporters):
                return "hypothetical"
        # "if my toddler ever got into my pills": asks, whoever it names
        if not questions_count and any(
            _contains(before_lemmas + span_lemmas, cue) for cue in self._hypothetical_strong
        ):
            return "hypothetical"
        # "are seizures a side effect" asks; "i am having seizures, is it a side effect" reports.
        if (
            not questions_count
            and any(_contains(after_lemmas, cue) for cue in self._hypothetical_after)
            and not set(before_lemmas + span_lemmas) & (self._present | self._subjects)
        ):
            return "hypothetical"
        clause = before_lemmas + span_lemmas + after_lemmas
        if any(_contains(clause, cue) for cue in self._figurative):
            return "figurative"
        # "my laptop won't wake up", "the market collapsed": said of a thing
        if ambiguous and set(clause) & self._things:
            return "said of a thing"
        if self._said_of_animal_or_device(before_lemmas):
            return "said of a thing"
        if self._past_only(before_lemmas, span_lemmas, after_lemmas):
            return "past"
        # "at 21 i had a bad allergic reaction, used an epipen, fine ever since":
        # a past cue elsewhere in the sentence counts when nothing between says now
        if not set(clause) & self._still_now and self._past_only(*self._sentence(span)):
            return "past"
        return None

    def _negated(self, before: List[str], span: List[str], pattern_lemmas: Set[str]) -> bool:
        window = before[-self._negation_window :]
        for i in range(len(window) - 1, 0, -1):  # "no sense and her face ..." : a new scope
            if window[i - 1] in self._scope_breaks and window[i] in self._new_subjects:
                window = window[i:]
                break
        names_negation = bool(pattern_lemmas & self._negations)  # "can not breathe" is the red flag
        for i, lemma in enumerate(window):
            if lemma not in self._negations or names_negation:
                continue
            if i + 1 < len(window) and window[i + 1] in self._affirming:  # "can't stop shivering"
                continue
            return True
        # A negation a gap let into the match ("face is not swollen"); one the
        # pattern itself names ("can not feel my leg") is part of the red flag.
        return bool(set(span) & self._negations - pattern_lemmas)

    def _said_of_animal_or_device(self, before: List[str]) -> bool:
        """ "our dog fainted", "my hard drive has a seizure": the subject just before it."""
        subject = next((lemma for lemma in reversed(before) if lemma not in self._linking), None)
        return subject in self._animals_and_devices

    def _past_only(self, before: List[str], span: List[str], after: List[str]) -> bool:
        """A past cue and, between it and the red flag, nothing that says it is
        still going on ("fell last week and now can't feel his legs" is now;
        "a car accident in 2020, i still get the odd ache" is past)."""
        clause = before + span + after
        span_start, span_end = len(before), len(before) + len(span)
        for cue in self._past:
            end = _end_of(clause, cue)
            if end < 0:
                continue
            start = end - len(cue)
            if end <= span_start:
                between = clause[end:span_end]
            elif start >= span_end:
                between = clause[span_start:start]
            else:
                between = span
            if not set(between) & self._still_now:
                return True
        return False

    def _lemma(self, token) -> str:
        return self._lemma_fixes.get(token.lower_, token.lemma_.lower())

    def _sentence(self, span: Span) -> Tuple[List[str], List[str], List[str]]:
        """The lemmas before, of and after the match, within its sentence."""
        before, after = self._around(span, self._sentence_breaks)
        return (
            [self._lemma(t) for t in before],
            [self._lemma(t) for t in span],
            [self._lemma(t) for t in after],
        )

    def _clause(self, span: Span) -> Tuple[Span, Span]:
        """The words before and after the match, within its clause."""
        return self._around(span, self._clause_breaks)

    @staticmethod
    def _around(span: Span, breaks: Set[str]) -> Tuple[Span, Span]:
        """The words before and after the match, up to the nearest of `breaks` each side."""
        doc: Doc = span.doc
        start = span.start
        while start > 0 and doc[start - 1].lower_ not in breaks:
            start -= 1
        end = span.end
        while end < len(doc) and doc[end].lower_ not in breaks:
            end += 1
        return doc[start : span.start], doc[span.end : end]

    def framed(self, doc: Doc) -> bool:
        """The whole message is about emergencies, not in one (computed once per message)."""
        if doc.user_data.get("framed") is None:
            message = [self._lemma(t) for t in doc]
            doc.user_data["framed"] = any(_contains(message, cue) for cue in self._framing)
        return bool(doc.user_data["framed"])


def _contains(words: List[str], cue: List[str]) -> bool:
    return _end_of(words, cue) >= 0


def _end_of(words: List[str], cue: List[str]) -> int:
    """Index just past the last place `cue` occurs in `words`, or -1."""
    if cue[0] not in (YEAR, NUMBER) and cue[0] not in words:  # most cues: their first word is absent
        return -1
    n = len(cue)
    ends = [i + n for i in range(len(words) - n + 1) if all(map(_term_matches, cue, words[i : i + n]))]
    return ends[-1] if ends else -1


def _term_matches(term: str, word: str) -> bool:
    if term == YEAR:  # a past year: "a stroke in 2018"
        return word.isdigit() and 1900 <= int(word) < date.today().year
    if term == NUMBER:
        return word.isdigit()
    return term == word
