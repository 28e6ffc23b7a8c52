"""Entities: registry matching rules, discovery rules, canonical names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.compose import clean
from briefing.discover import discover, runs
from briefing.entities import (
    EntityIndex,
    _known,
    find_entities,
    load_index,
    make_index,
    unregistered_runs,
)
from briefing.errors import ContentError
from briefing.gazetteer import Gazetteer, tokenize
from briefing.ingest import read_article
from briefing.pipeline import load_rules
from briefing.products import CODE_NAME, INN_WORD
from briefing.registry import Entry, Registry, parse_registry, parse_site_registry

#: one index for the property tests (hypothesis runs a test many times; a fixture would be shared anyway)
_INDEX = load_index()


@pytest.fixture(scope="module")
def index() -> EntityIndex:
    return _INDEX


def _gazetteer(*entries: Entry) -> Gazetteer:
    return Gazetteer.build(entries)


def _names(gazetteer: Gazetteer, text: str) -> list[str]:
    return [hit.entry.name for hit in gazetteer.find(tokenize(text))]


US = Entry("countries", "United States", aliases=("US", "U.S.", "United States of America"), implied_by=("American",))
BMS = Entry("companies", "Bristol Myers Squibb", aliases=("BMS",))
BRISTOL = Entry("countries", "United Kingdom", implied_by=("Bristol",))


def test_word_boundaries_and_case_rules() -> None:
    gazetteer = _gazetteer(US)
    assert _names(gazetteer, "A USB stick; us and them") == []
    assert _names(gazetteer, "US tariffs hit the U.S. and the United States of America.") == ["United States"] * 3
    assert _names(gazetteer, "an American biotech") == ["United States"]


def test_longest_name_wins() -> None:
    gazetteer = _gazetteer(BMS, BRISTOL)
    assert _names(gazetteer, "Bristol Myers Squibb opened an office in Bristol.") == [
        "Bristol Myers Squibb",
        "United Kingdom",
    ]


def test_capitalised_names_need_a_capital_in_the_text() -> None:
    gazetteer = _gazetteer(
        Entry("companies", "Sawai Pharmaceutical", aliases=("Sawai",)), Entry("indications", "osteoporosis")
    )
    assert _names(gazetteer, "sawai and Sawai; Osteoporosis and osteoporosis") == [
        "Sawai Pharmaceutical",
        "osteoporosis",
        "osteoporosis",
    ]


def test_curly_and_straight_apostrophes_are_one() -> None:
    gazetteer = _gazetteer(Entry("indications", "Alzheimer's disease", aliases=("Alzheimer's",)))
    assert _names(gazetteer, "Alzheimer’s disease and Alzheimer's") == ["Alzheimer's disease"] * 2


def test_registry_errors_name_file_and_line() -> None:
    with pytest.raises(ContentError) as caught:
        parse_registry("Acme:\n  aliases: [Acme Inc.]\nBeta:\n  alias: [B]\n", "registry/companies.yaml", "companies")
    assert str(caught.value.diagnostic).startswith("registry/companies.yaml:3: error: 'Beta': unknown key 'alias'")


def test_site_registry_adds_merges_and_excludes() -> None:
    site = parse_site_registry(
        "companies:\n  Acme Cells:\n    aliases: [Acme]\n    description: A test company.\n"
        "  Acme Bio:\n    merge_into: Acme Cells\n  Daily Planet:\n    not_entity: true\n",
        "content/registry.yaml",
    )
    assert site.lookup("companies", "acme").name == "Acme Cells"  # type: ignore[union-attr]
    assert site.merges == {"acme bio": "Acme Cells"}
    assert "daily planet" in site.not_entities


def _find(index: EntityIndex, body: str, title: str = "Untitled news item") -> dict[str, tuple[str, ...]]:
    return dict(find_entities(title, body, index).names)


def test_discovery_by_legal_form_with_short_forms(index: EntityIndex) -> None:
    names = _find(index, "Zentrix Biologics Co., Ltd. and Morimoto Kogyo K.K. agreed a deal. Zentrix will pay.")
    assert names["companies"][:2] == ("Zentrix Biologics", "Morimoto Kogyo")
    assert names["companies"].count("Zentrix Biologics") == 1


def test_discovery_by_company_words_lists_and_deals(index: EntityIndex) -> None:
    names = _find(
        index,
        "Investors such as Kestrel Capital and Orbiton joined. The deal follows a "
        "collaboration with Quillon, and Varnell Therapeutics also took part.",
    )
    assert set(names["companies"]) >= {"Kestrel Capital", "Orbiton", "Quillon", "Varnell Therapeutics"}


def test_discovery_of_organisations_with_acronyms(index: EntityIndex) -> None:
    names = _find(
        index,
        "The Northern Institute for Cell Research (NICR) hosted the event. NICR said it would "
        "fund more work with Hokuto University.",
    )
    assert set(names["organizations"]) >= {"NICR", "Hokuto University"}


def test_discovery_of_people_by_title_role_and_speech(index: EntityIndex) -> None:
    names = _find(
        index,
        "“We are pleased,” said Renata Q. Osterholm, chief executive of the firm. "
        "Dr. Kazuhiro Tanabe led the trial, and the head of research, Ilse Varga, agreed.",
    )
    assert set(names["people"]) >= {"Renata Q. Osterholm", "Kazuhiro Tanabe"}


def test_discovery_of_code_names_and_inns_but_not_years_or_working_groups(index: EntityIndex) -> None:
    names = _find(
        index,
        "KZ-204 and AB1005 entered trials in FY2025; WG1 and CD19 are not drugs. "
        "Zanoleucel and the gene therapy vorbagene raxaparvovec were compared with a peptide.",
    )
    assert {"KZ-204", "AB1005", "zanoleucel", "vorbagene raxaparvovec"} <= set(names["therapies"])
    assert not {"FY2025", "WG1", "CD19", "peptide"} & set(names["therapies"])


def test_only_the_most_specific_modality_is_kept(index: EntityIndex) -> None:
    names = _find(index, "The CAR-NK cell therapy builds on NK cell therapy and on cell therapy in general.")
    assert names["modalities"] == ("CAR-NK cell therapy",)


def test_authors_are_not_people_of_the_story(index: EntityIndex) -> None:
    result = find_entities("Title", "Dr. Kazuhiro Tanabe said so.", index, authors=["Kazuhiro Tanabe"])
    assert result.names["people"] == ()


def test_registry_beats_discovery_and_not_entity_wins(index: EntityIndex) -> None:
    registry = Registry(
        (Entry("companies", "Orbit Holdings", aliases=("Orbit",)),), not_entities=frozenset({"noise capital"})
    )
    small = make_index(registry, index.rules)
    names = _find(small, "Orbit Holdings and Noise Capital agreed.")
    assert names["companies"] == ("Orbit Holdings",)


@pytest.mark.parametrize(
    "body",
    [
        "Ozaki Cells said zanoleucel (KZ-204) met its goal. KZ-204 is given once.",
        "Ozaki Cells said KZ-204 (zanoleucel) met its goal. Zanoleucel is given once.",
        "Ozaki Cells said zanoleucel (Brandix, formerly KZ-204) met its goal.",
    ],
)
def test_a_products_inn_code_and_brand_are_one_therapy(index: EntityIndex, body: str) -> None:
    assert _find(index, body)["therapies"] == ("zanoleucel",)


def test_a_name_in_japanese_after_the_english_one_is_the_same_company(index: EntityIndex) -> None:
    result = find_entities("Title", "Morimoto Kogyo K.K. (森本工業) said so. Later, 森本工業 added more.", index)
    assert result.names["companies"] == ("Morimoto Kogyo",)


def test_names_stop_at_days_titles_and_opening_words(index: EntityIndex) -> None:
    names = _find(
        index,
        "The Hokuto Research Council Tuesday approved funds. Kenji Sato, Founder of Varnell Therapeutics, agreed. "
        "Eventually, Zentrix Biologics Co., Ltd. and Quillon Pharma joined. One of Quillon Pharma's plants closed.",
    )
    assert "Hokuto Research Council" in names["organizations"]
    assert {"Varnell Therapeutics", "Zentrix Biologics", "Quillon Pharma"} <= set(names["companies"])
    assert not {"Eventually", "One of Quillon Pharma", "Founder of Varnell Therapeutics"} & set(names["companies"])
    assert "Kenji Sato" in names["people"]


def test_people_in_a_company_list_stay_people(index: EntityIndex) -> None:
    names = _find(index, "Backers such as Kestrel Capital and investors like Michael Porter joined the round.")
    assert "Kestrel Capital" in names["companies"] and "Michael Porter" not in names["companies"]


#: capitals, digits, hyphens and lower-case letters: what code names and INNs are made of
PRODUCT_ALPHABET = st.sampled_from(list("ABKZ012-acelu _.(é")) | st.characters(blacklist_categories=("Cs",))


@settings(max_examples=400, deadline=None)
@given(st.text(PRODUCT_ALPHABET, max_size=80))
def test_product_patterns_find_what_their_plain_forms_find(text: str) -> None:
    # CODE_NAME puts its first capital before its lookbehind, and INN_WORD asks for eight
    # letters itself, to be fast: the plain forms say what they must find
    plain_code = re.compile(r"(?<![\w-])(?P<code>[A-Z]{1,5}-?\d{3,5}[A-Za-z]?)(?![\w-])")
    plain_inn = re.compile(r"(?<![\w-])[A-Za-z][a-z]{5,}(?![\w-])")
    assert [(m.span(), m["code"]) for m in CODE_NAME.finditer(text)] == [
        (m.span(), m["code"]) for m in plain_code.finditer(text)
    ]
    assert [m.span() for m in INN_WORD.finditer(text)] == [
        m.span() for m in plain_inn.finditer(text) if len(m.group()) >= 8
    ]
    assert bool(CODE_NAME.fullmatch(text)) == bool(plain_code.fullmatch(text))


def test_the_index_remembers_registry_answers_but_answers_the_same(index: EntityIndex) -> None:
    text = "HekaBio K.K. and Mochida Pharmaceutical signed a deal with Astellas. HekaBio said so."
    first = find_entities("NKGen Biotech partners with HekaBio", text, index)
    assert index.answers.registered and index.answers.short_forms
    fresh = make_index(index.registry, index.rules)
    assert find_entities("NKGen Biotech partners with HekaBio", text, fresh) == first


#: registry names, words discovery reads (legal forms, heads, cues, titles) and glue between them
NAME_PIECES = st.sampled_from(
    [
        "Japan",
        "Astellas",
        "Takeda Pharmaceutical",
        "United States",
        "Pfizer",
        "BMS",
        "Kyoto University",
        "HekaBio",
        "K.K.",
        "Inc.",
        "Pharmaceutical",
        "Biotech",
        "University",
        "Dr.",
        "John",
        "Smith",
        "said",
        "partnership with",
        "firms like",
        ", a Tokyo-based biotech,",
        "'s",
        "(DCB)",
        "(ハートシード)",
        " and ",
        ", ",
        ".",
        " ",
        "  ",
        "\n",
        "the",
        "CEO",
    ]  # fmt: skip
)


def _left_to_discovery(text: str, name_runs: list[tuple[int, int]], index: EntityIndex) -> list[object]:
    return [f for f in discover(text, index.rules, name_runs=name_runs) if not _known(f, index)]


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME_PIECES, max_size=24).map(" ".join))
def test_runs_the_registry_knows_need_no_classifying(text: str) -> None:
    index = _INDEX
    name_runs = runs(text, index.rules)
    assert _left_to_discovery(text, unregistered_runs(text, name_runs, index), index) == _left_to_discovery(
        text, name_runs, index
    )


def test_runs_the_registry_knows_need_no_classifying_in_the_samples(index: EntityIndex) -> None:
    rules = load_rules()
    for seed in sorted((Path(__file__).parent.parent / "seeds").iterdir()):
        article, _ = read_article(seed.parent, seed, shown_as=seed.name)
        for document in clean(article, rules):
            text = document.body_text
            name_runs = runs(text, index.rules)
            assert _left_to_discovery(text, unregistered_runs(text, name_runs, index), index) == (
                _left_to_discovery(text, name_runs, index)
            )


def test_a_company_s_shares_name_the_company(index: EntityIndex) -> None:
    body = (
        "Orbiton Therapeutics agreed to buy a plant in Osaka. Shares of Orbiton Therapeutics rose 4% "
        "after the announcement. Stock of Quillon Pharma fell."
    )
    companies = find_entities("Deal news", body, index).names["companies"]
    assert "Orbiton Therapeutics" in companies and "Quillon Pharma" in companies
    assert not any(name.startswith(("Shares", "Stock")) for name in companies)
