"""The answer catalog: complete, cited, readable, and wired to the domain."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from clinic.catalog import PLACEHOLDER, Catalog
from clinic.check import citation_problems, entries
from clinic.review import review_status
from tests.unit.readability import grade

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "content" / "source" / "stem-cell-therapy-for-back-pain.txt"
REFERENCE_URLS = {
    "https://www.fda.gov/vaccines-blood-biologics/consumers-biologics/important-patient-and-consumer-information-about-regenerative-medicine-therapies",
    "http://www.closerlookatstemcells.org/What_to_Ask.html",
    "https://www.nice.org.uk/guidance/ng59",
    "https://bestpractice.bmj.com/topics/en-gb/3000164/diagnosis-approach",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC4720657/",
}
# README.md, "Answer ids" (the answer-id contract), plus the ids this project added.
DESIGN_IDS = {
    "overview", "how_it_works", "back_pain_causes", "conditions", "disc_degeneration",
    "vs_conventional", "benefits", "procedure", "imaging_guidance", "expectations", "safety",
    "research", "candidacy", "stem_cell_sources", "emergency", "not_covered", "handoff",
    "out_of_scope", "clarify", "greet", "goodbye", "thanks", "bot_identity",
}  # fmt: skip
ADDED_IDS = {"personal_advice", "welcome", "fallback_unavailable", "other_language"}
FEEDBACK_IDS = {"feedback_prompt", "feedback_thanks", "feedback_more"}
PRIVACY_IDS = {"forget_confirm", "forget_done", "forget_kept"}
CONDITIONS = {
    "degenerative_disc_disease",
    "herniated_disc",
    "spinal_stenosis",
    "osteoarthritis",
    "joint_soft_tissue_injury",
}
MAX_AVERAGE_GRADE = 9.0


all_entries = entries


def test_every_answer_id_of_the_design_is_in_the_catalog(catalog: Catalog):
    assert set(catalog.answers) == DESIGN_IDS | ADDED_IDS | FEEDBACK_IDS | PRIVACY_IDS


def test_conditions_has_a_variant_for_every_condition_the_material_names(catalog: Catalog):
    assert set(catalog["conditions"].variants) >= CONDITIONS
    assert all(v.entity == "condition" for v in catalog["conditions"].variants.values())


def test_every_citation_is_found_verbatim_in_its_section(catalog: Catalog):
    assert citation_problems(catalog, SOURCE) == []
    assert sum(1 for e in all_entries(catalog) for s in e.sources if s.section) >= 20


def test_a_changed_quote_or_section_is_caught(catalog: Catalog):
    procedure = catalog["procedure"]
    cited = procedure.sources[0]
    wrong_quote = replace(cited, quote=cited.quote + " Guaranteed results.")
    wrong_section = replace(cited, section="A Heading The Material Lacks")
    for broken in (wrong_quote, wrong_section):
        answers = {**catalog.answers, "procedure": replace(procedure, sources=(broken,))}
        problems = citation_problems(replace(catalog, answers=answers), SOURCE)
        assert len(problems) == 1 and problems[0].startswith("procedure:")


def test_therapy_answers_rest_on_the_clinic_material(catalog: Catalog):
    for entry in all_entries(catalog):
        if entry.kind in ("therapy", "safety") and entry.response is None:
            assert any(s.section for s in entry.sources), f"{entry.id} cites no section"


def test_outside_sources_name_organisation_page_and_a_reference_link(catalog: Catalog):
    for entry in all_entries(catalog):
        for source in entry.sources:
            if source.section is None:
                assert source.organisation and source.page and source.note, entry.id
                assert source.url in REFERENCE_URLS, entry.id


def test_safety_attributes_regulatory_facts_to_fda_and_isscr(catalog: Catalog):
    text = catalog["safety"].text
    assert "FDA" in text and "not approved" in text
    assert "ISSCR" in text
    organisations = {s.organisation for s in catalog["safety"].sources if s.organisation}
    assert any("FDA" in o for o in organisations)
    assert any("ISSCR" in o for o in organisations)


@pytest.mark.parametrize("answer_id", ["benefits", "stem_cell_sources"])
def test_empty_sections_are_answered_honestly(catalog: Catalog, answer_id: str):
    assert "no text under it" in catalog[answer_id].text


def test_follow_ups_and_buttons(catalog: Catalog):
    no_buttons = {"emergency", "goodbye", "fallback_unavailable", "feedback_prompt",
                  "forget_confirm", "forget_done"}  # fmt: skip
    for answer in catalog.answers.values():
        if answer.id in no_buttons:
            assert answer.follow_ups == ()
        else:
            assert 2 <= len(answer.follow_ups) <= 3, answer.id
        for follow_up in answer.follow_ups:
            assert follow_up != answer.id
            assert catalog[follow_up].intent and catalog[follow_up].button, follow_up


def test_no_answer_claims_a_review_nobody_made(catalog: Catalog):
    """The shipped catalog is not yet reviewed: `reviewed` stays empty until a clinician
    fills it in together with `reviewed_by`."""
    for answer in all_entries(catalog):
        assert answer.reviewed is None and answer.reviewed_by is None, answer.id
    assert set(review_status(catalog).not_reviewed) == set(catalog.answers)


def test_placeholders_are_clinic_settings(catalog: Catalog):
    known = set(catalog.settings) | {"clinic_name"}
    for entry in all_entries(catalog):
        assert set(PLACEHOLDER.findall(entry.text)) <= known, entry.id
        assert "{" not in PLACEHOLDER.sub("", entry.text), entry.id


def test_every_domain_intent_leads_to_an_answer(catalog: Catalog):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    rules_text = "\n".join(p.read_text() for p in (ROOT / "data" / "rules").glob("*.yml"))
    catalog_intents = {a.intent for a in catalog.answers.values() if a.intent}
    for intent in domain["intents"]:
        assert intent in catalog_intents or intent == "inform", intent
        assert f"intent: {intent}\n" in rules_text, f"no rule answers {intent}"


def test_emergency_reply_is_a_domain_response_with_the_emergency_number(catalog: Catalog):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    variants = domain["responses"][catalog["emergency"].response]
    assert all("{emergency_number}" in v["text"] for v in variants)
    suicidal = [v for v in variants if v.get("condition", [{}])[0].get("value") == "suicidal"]
    assert "{crisis_line}" in suicidal[0]["text"]


def test_answers_sent_by_rasa_itself_exist_in_the_domain(catalog: Catalog):
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    rasa_side = [a for a in catalog.answers.values() if a.response]
    assert {a.id for a in rasa_side} == {"emergency", "fallback_unavailable"}
    for answer in rasa_side:
        assert answer.response in responses, answer.id


def test_reading_level(catalog: Catalog):
    grades = {}
    for answer in catalog.answers.values():
        grades[answer.id] = grade(catalog.fill(answer.text))
        for variant in answer.variants.values():
            grades[f"{answer.id}.{variant.id}"] = grade(catalog.fill(variant.text))
    width = max(map(len, grades))
    print("\nFlesch-Kincaid grade per catalog entry")
    for entry_id, value in sorted(grades.items(), key=lambda item: -item[1]):
        print(f"  {entry_id:<{width}}  {value:5.1f}")
    average = sum(grades.values()) / len(grades)
    print(f"  {'average':<{width}}  {average:5.1f}")
    assert average <= MAX_AVERAGE_GRADE
