"""The red-flag safety net: messages that must get the urgent-care reply first.

- `patterns`: the clinic-editable patterns file (`content/red_flags.yml`) and its rules;
- `vocabulary`: grammar words (negation, questions, subjects, time);
- `clauses`: sentence and clause structure;
- `concepts`: clinical concepts and their combinations (a symptom and a place);
- `filters`, `timing`: negated, hypothetical, someone else's, over or long ago;
- `matcher`: the rules put together, with two tiers (clear, possible);
- `learned`: a learned classifier that catches wordings the rules lack;
- `detector`: the Rasa component uniting both.
"""

from components.nlu.red_flags.detector import RedFlagDetector
from components.nlu.red_flags.matcher import Assessment, RedFlagMatch, RedFlagMatcher
from components.nlu.red_flags.patterns import load_patterns_file

__all__ = ["Assessment", "RedFlagDetector", "RedFlagMatch", "RedFlagMatcher", "load_patterns_file"]
