"""Messages in other languages are recognised; English ones, typos included, are not."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.nlu.language_guard import LanguageGuard
from components.nlu.language_rules import is_other_language


@pytest.mark.parametrize(
    "text",
    [
        "¿Qué es la terapia con células madre para el dolor de espalda?",
        "Tengo dolor de espalda, ¿cuánto cuesta?",
        "Ich habe Rückenschmerzen. Wie funktioniert die Behandlung?",
        "Was kostet das und ist es sicher?",
        "Bonjour, j'ai mal au dos, comment ça marche?",
        "干细胞疗法对背痛有帮助吗？",
        "腰が痛いです",
        "Сколько стоит лечение?",
        "ما هي تكلفة العلاج",
        "שלום, כמה זה עולה?",
    ],
)
def test_other_languages_are_recognised(text: str):
    assert is_other_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "what is stem cell therapy",
        "is it safe for a herniated disc?",
        "hola",
        "ok",
        "12345",
        "😀😀😀",
        "how much does it cost in euros",
        "my mum is from Spain, can she have it there?",
        "the procedure sounds scary tbh",
        "stemcel theraphy for my bak?",
        "I had a hernia de disco diagnosis",
        "café",
    ],
)
def test_english_and_short_messages_are_not(text: str):
    assert not is_other_language(text)


def message(text: str, intent: str, confidence: float = 0.8) -> Message:
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "ask_overview", "confidence": 0.1},
    ]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


def test_guard_overrides_the_classifier_for_another_language():
    [result] = LanguageGuard().process([message("¿Es seguro el tratamiento?", "ask_safety")])
    assert result.get("intent") == {"name": "other_language", "confidence": 1.0}


def test_guard_demotes_a_wrong_guess_of_other_language_for_english():
    [result] = LanguageGuard().process(
        [message("what is it and how does it work", "other_language")]
    )
    assert result.get("intent")["name"] == "ask_overview"
