"""What identifies a patient, masked in their messages before a message is stored.

Phone numbers, e-mail addresses, dates of birth, street addresses and names given
after "my name is" become `[phone]`, `[email]`, `[date of birth]`, `[address]` and
`[name]`. The assistant has already read the message when it is masked: only the
stored copy (tracker store, and so reports and exports) loses these details.
Symptoms, numbers of days and disc levels ("L4-L5") are left alone.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# +44 7700 900123, (555) 010-0199, 07700900123, 555.010.0199: 7 digits or more in all
PHONE = re.compile(r"(?<![\w/.-])\+?\(?\d[\d\s().-]{5,}\d(?![\w/-])")
MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
DATE = (
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+(?:19|20)\d{{2}}|"
    rf"(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}|"
    r"(?:19|20)\d{2}-\d{2}-\d{2}"
)
BIRTH = re.compile(
    rf"\b(?:born(?:\s+on|\s+in)?|d\.?o\.?b\.?:?|date\s+of\s+birth(?:\s+is)?:?|birthday(?:\s+is)?)"
    rf"\s*(?:{DATE})",
    re.IGNORECASE,
)
BARE_DATE = re.compile(rf"\b(?:{DATE})\b", re.IGNORECASE)
STREET = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|way|place|pl|crescent|"
    "terrace|boulevard|blvd|grove|gardens|square|hill|row|mews"
)
ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,3}}(?:{STREET})\b\.?", re.IGNORECASE
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
NAME = re.compile(
    r"\b(?P<lead>(?i:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called|call\s+me|"
    r"this\s+is|name:))\s+(?P<first>[\w'-]+)(?P<more>(?:\s+[A-Z][\w'-]+){0,2})"
)
NOT_NAMES = set(
    "a an the and but or on at in to for of with from about is was not just really very "
    "so i my me we you your it this that here there back calling asking writing worried "
    "on in".split()
)


def mask(text: str) -> str:
    """`text` with the details that identify a patient replaced by their kind."""
    text = EMAIL.sub("[email]", text)
    text = BIRTH.sub("[date of birth]", text)
    text = BARE_DATE.sub(_date_unless_recent, text)
    text = ADDRESS.sub("[address]", text)
    text = POSTCODE.sub("[address]", text)
    text = PHONE.sub(_phone_if_long, text)
    return NAME.sub(_name, text)


def _name(match: re.Match[str]) -> str:
    first = match.group("first")
    if first.lower() in NOT_NAMES or not first[0].isalpha():
        return match.group(0)
    return f"{match.group('lead')} [name]"


def _phone_if_long(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return "[phone]" if digits >= 7 else match.group(0)


def _date_unless_recent(match: re.Match[str]) -> str:
    """A full date with a year before 2010 is most likely a date of birth."""
    year = re.findall(r"(?:19|20)\d{2}|\b\d{2}\b", match.group(0))[-1]
    full = int(year) if len(year) == 4 else 1900 + int(year) if int(year) > 30 else 2000
    return "[date of birth]" if full < 2010 else match.group(0)


def mask_event(event: dict[str, Any]) -> dict[str, Any]:
    """A user event (as Rasa stores it) with its text, parse data and entities masked."""
    if event.get("event") != "user":
        return event
    masked = dict(event)
    if isinstance(event.get("text"), str):
        masked["text"] = mask(event["text"])
    parse = event.get("parse_data")
    if isinstance(parse, dict):
        parse = dict(parse)
        if isinstance(parse.get("text"), str):
            parse["text"] = mask(parse["text"])
        parse["entities"] = [
            {**e, "value": mask(str(e["value"]))} if isinstance(e, dict) and "value" in e else e
            for e in parse.get("entities") or []
        ]
        masked["parse_data"] = parse
    return masked
