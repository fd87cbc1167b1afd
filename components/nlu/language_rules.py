"""Is a message written in a language other than English?

The assistant answers in English only, so a patient writing in, say, Spanish or
Chinese is told so (with the clinic's phone) instead of getting a wrong answer.
Two cheap signals, no model needed: most letters outside the Latin script, or more
common function words of another Latin-script language than of English.
"""

from __future__ import annotations

import re

MIN_LETTERS = 3
NON_LATIN_SHARE = 0.5
MIN_FOREIGN_WORDS = 2
LATIN_SCRIPT_END = 0x24F  # Basic Latin to Latin Extended-B
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

ENGLISH = frozenset(
    "the a an and or but is are was were be been i you he she it we they my your his her its our "
    "their me him us them this that these those what which who whom how why when where do does "
    "did have has had can could will would should may might must not no yes of in on at to for "
    "with from by about as if so than then there here am im i'm it's dont don't can't cant "
    "please thanks thank hi hello hey ok okay".split()
)
FOREIGN = frozenset(
    # Spanish
    "el la los las un una unos unas y o pero es son está están estoy tengo tiene qué que cómo "
    "como por para con sin de del al mi mis su sus muy dolor espalda hola gracias puedo "
    "usted ustedes cuánto cuesta hablo habla español células madre tratamiento "
    # German
    "der die das den dem des ein eine einen und oder aber ist sind bin habe hat ich du er sie "
    "wir ihr mein meine nicht kein keine mit ohne für von zu auf wie was warum wann wo "
    "schmerzen rücken rückenschmerzen hallo danke bitte können kann stammzellen behandlung "
    "sprechen deutsch "
    # French
    "le les une et ou mais est sont suis j'ai je tu il elle nous vous ils elles mon ma mes "
    "pas avec sans pour dans sur comment pourquoi quand où bonjour merci douleur dos "
    "cellules souches traitement parlez français "
    # Italian and Portuguese
    "il lo gli della sono ho ciao grazie dolore schiena cellule staminali olá obrigado "
    "obrigada dor costas não você".split()
)
# Words that are both English and foreign ("a", "die", "me" ...) do not count as foreign.
FOREIGN_ONLY = FOREIGN - ENGLISH


def is_other_language(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False
    non_latin = sum(1 for c in letters if ord(c) > LATIN_SCRIPT_END)
    if non_latin / len(letters) > NON_LATIN_SHARE:
        return True
    words = [w.lower() for w in WORD.findall(text)]
    foreign = sum(1 for w in words if w in FOREIGN_ONLY)
    english = sum(1 for w in words if w in ENGLISH)
    return foreign >= MIN_FOREIGN_WORDS and foreign > english


def is_clearly_english(text: str) -> bool:
    words = [w.lower() for w in WORD.findall(text)]
    english = sum(1 for w in words if w in ENGLISH)
    return english >= MIN_FOREIGN_WORDS and not is_other_language(text)
