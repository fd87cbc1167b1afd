"""The rule-based red-flag matcher: patterns and concept combinations, then filters.

1. **Normalise** without moving offsets (lower case, straight apostrophes) and correct
   misspelt words of the patterns file ("numbess" -> "numbness").
2. **Match** spaCy `Matcher` patterns, phrases and concept combinations
   (`concepts.py`) from `content/red_flags.yml`, sentence by sentence.
3. **Filter** each candidate (`filters.py`, `timing.py`): negated in its clause,
   someone else's, cancelled by its rule, over or long ago. A candidate that is only
   a general or hypothetical question is kept as a *possible* red flag.
4. **Choose** the most serious: category priority first (suicidal thoughts and cauda
   equina first), then the earliest.

Tiers: `clear` (a report: the emergency reply alone) and `possible` (a question
about a red-flag symptom: the normal answer with one urgent-care line first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from components.nlu.red_flags.clauses import Structure
from components.nlu.red_flags.concepts import ConceptIndex, Occurrence, combinations_in
from components.nlu.red_flags.filters import (
    blocks_gap,
    has_required_context,
    is_cancelled,
    is_information_only,
    is_negated,
)
from components.nlu.red_flags.patterns import (
    GAP,
    Rule,
    Span,
    check_pattern,
    find_phrase,
    flatten,
    normalise,
    pattern_words,
)
from components.nlu.red_flags.timing import is_past_or_resolved, is_residual, story_is_over
from components.nlu.red_flags.vocabulary import BRIEF, SELF_REPORT
from components.nlu.spacy_base import blank_english
from components.nlu.spelling import SpellingCorrector

CLEAR = "clear"
POSSIBLE = "possible"
REPORTED = "red flag"
INFORMATION = "information or hypothetical"
UNCLEAR = "unclear report"
POSSIBLE_VERDICTS = (INFORMATION, UNCLEAR)


@dataclass(frozen=True)
class RedFlagMatch:
    """A red flag found in a message: its category and where it was said."""

    category: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Assessment:
    """The matcher's verdict on a whole message."""

    tier: str | None  # CLEAR, POSSIBLE or None
    match: RedFlagMatch | None

    @property
    def category(self) -> str | None:
        return self.match.category if self.match else None


NO_FLAG = Assessment(None, None)


class RedFlagMatcher:
    """Finds red flags in a text with the rules of a patterns file."""

    def __init__(self, data: dict[str, Any], nlp: Language | None = None) -> None:
        self.nlp = nlp or blank_english()
        self.matcher = Matcher(self.nlp.vocab)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.rules: dict[str, Rule] = {}
        self._pattern_rules: dict[str, Rule] = {}
        self._combinations: list[tuple[Rule, tuple[str, ...]]] = []
        self._gaps: dict[str, frozenset[int]] = {}
        self.pattern_counts: dict[str, int] = {}
        if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
            raise ValueError("red-flag patterns need a 'categories' mapping")
        self.concepts = ConceptIndex(self.nlp, data.get("concepts") or {})
        vocabulary = self._load(data) | self.concepts.words
        self.speller = SpellingCorrector(vocabulary, self.nlp)

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> RedFlagMatcher:
        """Build a matcher from the parsed patterns file."""
        return cls(data)

    @property
    def categories(self) -> list[str]:
        """Category names, most serious first."""
        best: dict[str, int] = {}
        for rule in self.rules.values():
            if rule.priority >= 0:
                best[rule.category] = min(rule.priority, best.get(rule.category, rule.priority))
        return sorted(best, key=lambda name: (best[name], name))

    # -- construction -------------------------------------------------------

    def _load(self, data: dict[str, Any]) -> set[str]:
        vocabulary: set[str] = set()
        self._context_names = set(data.get("contexts") or {}) | {SELF_REPORT, BRIEF}
        for name, spec in (data.get("contexts") or {}).items():
            vocabulary |= self._add_rules(f"context:{name}", -1, [spec])
        for name, spec in data["categories"].items():
            if not isinstance(spec, dict) or "priority" not in spec:
                raise ValueError(f"category '{name}' needs a 'priority'")
            if not spec.get("rules") and not spec.get("combinations"):
                raise ValueError(f"category '{name}' needs 'rules' or 'combinations'")
            priority = int(spec["priority"])
            inherited = {"longstanding_is_current": bool(spec.get("longstanding_is_current"))}
            rules = [_inherit(spec, inherited, rule) for rule in spec.get("rules") or []]
            combinations = [_inherit(spec, inherited, c) for c in spec.get("combinations") or []]
            vocabulary |= self._add_rules(name, priority, rules)
            self._add_combinations(name, priority, combinations)
            self.pattern_counts[name] = sum(
                len(rule.get("patterns") or []) + len(rule.get("phrases") or [])
                for rule in spec.get("rules") or []
            ) + len(spec.get("combinations") or [])
        return vocabulary

    def _rule(self, key: str, category: str, priority: int, spec: dict[str, Any]) -> Rule:
        rule = Rule(
            key=key,
            category=category,
            priority=priority,
            requires=tuple(spec.get("requires") or ()),
            not_followed_by=self._phrase_tuples(spec.get("not_followed_by")),
            not_preceded_by=self._phrase_tuples(spec.get("not_preceded_by")),
            not_with=self._phrase_tuples(spec.get("not_with")),
            allow_past=bool(spec.get("allow_past", False)),
            longstanding_is_current=bool(spec.get("longstanding_is_current", False)),
            in_questions=bool(spec.get("in_questions", False)),
            possible_only=bool(spec.get("possible_only", False)),
            possible_with=self._phrase_tuples(spec.get("possible_with")),
        )
        unknown = [name for name in rule.requires if name not in self._context_names]
        if unknown:
            raise ValueError(f"a rule of '{category}' requires unknown contexts {unknown}")
        self.rules[key] = rule
        return rule

    def _add_rules(self, category: str, priority: int, rules: Sequence[dict]) -> set[str]:
        vocabulary: set[str] = set()
        for index, spec in enumerate(rules):
            if not spec.get("patterns") and not spec.get("phrases"):
                raise ValueError(f"a rule of '{category}' has neither patterns nor phrases")
            rule = self._rule(f"{category}#{index}", category, priority, spec)
            for number, raw in enumerate(spec.get("patterns") or []):
                pattern = flatten(raw)
                check_pattern(pattern, rule.key)
                key = f"{rule.key}/{number}"
                self.matcher.add(key, [pattern])
                self._pattern_rules[key] = rule
                self._gaps[key] = frozenset(i for i, token in enumerate(pattern) if token == GAP)
                vocabulary |= pattern_words([pattern])
            phrases = [self._tokens(phrase) for phrase in spec.get("phrases") or []]
            if phrases:
                self.phrase_matcher.add(rule.key, phrases)
                vocabulary |= {t.lower_ for doc in phrases for t in doc if t.is_alpha}
        return vocabulary

    def _add_combinations(self, category: str, priority: int, specs: Sequence[dict]) -> None:
        for index, spec in enumerate(specs):
            names = tuple(spec.get("concepts") or ())
            unknown = [name for name in names if name not in self.concepts.names]
            if not names or unknown:
                raise ValueError(f"a combination of '{category}' names unknown concepts {unknown}")
            rank = int(spec.get("priority", priority))
            rule = self._rule(f"{category}~{index}", category, rank, spec)
            self._combinations.append((rule, names))

    def _tokens(self, text: str) -> Doc:
        return self.nlp.make_doc(normalise(str(text)))

    def _phrase_tuples(self, phrases: Iterable[str] | None) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(t.lower_ for t in self._tokens(p)) for p in phrases or ())

    # -- detection ----------------------------------------------------------

    def find(self, text: str) -> RedFlagMatch | None:
        """The most serious red flag clearly reported in `text`, or None."""
        assessment = self.assess(text)
        return assessment.match if assessment.tier == CLEAR else None

    def assess(self, text: str) -> Assessment:
        """The tier and the most serious candidate of that tier."""
        return self.assess_candidates(self.explain(text))

    @staticmethod
    def assess_candidates(candidates: list[tuple[RedFlagMatch, str]]) -> Assessment:
        """The assessment of the candidates `explain` returned."""
        for verdicts, tier in (((REPORTED,), CLEAR), (POSSIBLE_VERDICTS, POSSIBLE)):
            accepted = [match for match, v in candidates if v in verdicts]
            if accepted:
                return Assessment(tier, accepted[0])
        return NO_FLAG

    def explain(self, text: str) -> list[tuple[RedFlagMatch, str]]:
        """Every candidate match with the verdict on it, most serious first.

        The verdict is "red flag", "information or hypothetical", or the reason it was
        dropped ("negated", ...); useful when editing the patterns file.
        """
        if not text or not text.strip():
            return []
        original = self.nlp.make_doc(normalise(text))
        doc = self._spelling_corrected(original)
        structure = Structure(doc)
        spans = self._spans(doc, structure)
        words = [t.lower_ for t in doc]
        contexts = {
            span.rule.category.split(":", 1)[1]
            for span in spans
            if span.rule.priority < 0
            and not is_cancelled(words, span, structure)
            and not is_negated(doc, span.start, structure)
        }
        over = story_is_over(doc)
        results = []
        for span in sorted(spans, key=lambda s: (s.rule.priority, s.start, -s.end)):
            if span.rule.priority >= 0:
                start = original[span.start].idx
                end = original[span.end - 1].idx + len(original[span.end - 1])
                match = RedFlagMatch(span.rule.category, text[start:end], start, end)
                results.append((match, self._verdict(doc, span, structure, contexts, over)))
        return results

    def _spans(self, doc: Doc, structure: Structure) -> list[Span]:
        """All matches inside one sentence whose gaps skip no negation or 'but'."""
        spans = []
        for key_id, start, end, alignment in self.matcher(doc, with_alignments=True):
            key = self.nlp.vocab.strings[key_id]
            gap_tokens = [
                start + k for k, element in enumerate(alignment) if element in self._gaps[key]
            ]
            if not any(blocks_gap(doc, i) for i in gap_tokens):
                spans.append(Span(self._pattern_rules[key], start, end))
        for key_id, start, end in self.phrase_matcher(doc):
            spans.append(Span(self.rules[self.nlp.vocab.strings[key_id]], start, end))
        spans += self._combination_spans(doc, structure, self.concepts.find(doc))
        spans = [s for s in spans if structure.sentence[s.start] == structure.sentence[s.end - 1]]
        return sorted(spans, key=lambda span: (span.start, -span.end))

    def _combination_spans(
        self, doc: Doc, structure: Structure, occurrences: list[Occurrence]
    ) -> list[Span]:
        return [
            Span(rule, start, end, inner_end)
            for rule, names in self._combinations
            for start, end, inner_end in combinations_in(doc, occurrences, names, structure)
        ]

    def _verdict(
        self, doc: Doc, span: Span, structure: Structure, contexts: set[str], over: bool
    ) -> str:
        rule = span.rule
        if not has_required_context(doc, span, structure, contexts):
            return "missing context: " + " or ".join(rule.requires)
        if is_cancelled([t.lower_ for t in doc], span, structure):
            return "cancelled by the rule's not_followed_by / not_preceded_by / not_with"
        if is_negated(doc, span.start, structure):
            return "negated"
        if not rule.allow_past and is_past_or_resolved(doc, span, structure, over):
            return "past or resolved"
        if not rule.in_questions and is_information_only(doc, span, structure):
            return INFORMATION
        if rule.possible_only or _sentence_has(doc, span, structure, rule.possible_with):
            return UNCLEAR
        if not rule.allow_past and is_residual(doc, span, structure, over):
            return UNCLEAR
        return REPORTED

    def _spelling_corrected(self, doc: Doc) -> Doc:
        """Replace misspelt pattern words, keep everything else; add lemmas."""
        words = [self.speller.correct(token.text) for token in doc]
        fixed = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        for _, component in self.nlp.pipeline:
            fixed = component(fixed)
        return fixed


def _sentence_has(
    doc: Doc, span: Span, structure: Structure, phrases: tuple[tuple[str, ...], ...]
) -> bool:
    words = [t.lower_ for t in doc]
    start, end = structure.sentence_range(span.start)
    return any(find_phrase(words, phrase, start, end) >= 0 for phrase in phrases)


def _inherit(category: dict[str, Any], inherited: dict[str, Any], rule: dict) -> dict[str, Any]:
    """A rule with its category's options; the category's `possible_with` adds to the
    rule's own."""
    merged = {**inherited, **rule}
    shared = category.get("possible_with") or []
    if shared:
        merged["possible_with"] = list(rule.get("possible_with") or []) + list(shared)
    return merged
