"""What identifies a patient is masked before a message is stored; symptoms are not."""

from __future__ import annotations

import pytest

from components.runtime.privacy import mask, mask_event


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("my email is jo.bloggs+back@example.co.uk thanks", "[email]", "example.co.uk"),
        ("call me on 07700 900123 please", "[phone]", "900123"),
        ("ring (555) 010-0199 after 5", "[phone]", "010-0199"),
        ("I was born on 12/03/1961 and my back hurts", "[date of birth]", "1961"),
        ("DOB: 4 March 1958", "[date of birth]", "1958"),
        ("I live at 14 Mill Lane, near the station", "[address]", "Mill Lane"),
        ("postcode SW1A 1AA", "[address]", "SW1A"),
        ("Hi, my name is Margaret Evans and I have sciatica", "[name]", "Margaret"),
    ],
)
def test_identifying_details_are_masked(text: str, kept: str, gone: str):
    masked = mask(text)
    assert kept in masked and gone not in masked


@pytest.mark.parametrize(
    "text",
    [
        "pain at L4-L5 for 3 weeks, 8 out of 10",
        "I can't feel my legs since 2 days ago",
        "my name is not important, is the injection painful?",
        "I had surgery on 3 May 2021",  # a recent date is not a birth date
        "I take 400 mg ibuprofen 3 times a day",
    ],
)
def test_symptoms_numbers_and_recent_dates_are_left_alone(text: str):
    assert mask(text) == text


def test_a_stored_user_event_is_masked_everywhere_the_text_appears():
    event = {
        "event": "user",
        "text": "my name is Alan Price, 07700 900123",
        "parse_data": {
            "text": "my name is Alan Price, 07700 900123",
            "entities": [{"entity": "phone", "value": "07700 900123"}],
        },
    }
    masked = mask_event(event)
    assert "Alan" not in masked["text"] and "900123" not in masked["text"]
    assert "900123" not in masked["parse_data"]["text"]
    assert masked["parse_data"]["entities"][0]["value"] == "[phone]"
    assert event["text"].startswith("my name is Alan")  # the original is not changed


def test_bot_events_are_not_touched():
    event = {"event": "bot", "text": "Call us on 0161 496 0000."}
    assert mask_event(event) is event
