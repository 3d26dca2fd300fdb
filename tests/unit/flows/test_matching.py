"""Folding, trigger matching, reply matching and question answer validation."""

from __future__ import annotations

import pytest

from finnegans.flows.matching import (
    TriggerSpec,
    default_trigger,
    fold,
    keyword_score,
    match_option,
    match_triggers,
    parse_number,
    validate_answer,
)


def test_fold_trims_strips_accents_casefolds_and_collapses_spaces() -> None:
    assert fold("  ¡Hólá   MUNDO!  ") == "¡hola mundo!"
    assert fold("Straße") == "strasse"
    assert fold("ｈｏｌａ") == "hola"  # NFKD folds full-width letters
    assert fold(None) == ""


@pytest.mark.parametrize(
    ("message", "matches"),
    [
        ("hola", True),
        ("Hola!", True),
        ("¡Hola, buenas!", True),
        ("HÓLA", True),
        ("buenas, hola", True),
        ("cholado", False),
        ("holanda", False),
        ("", False),
    ],
)
def test_word_keyword_matches_the_whole_message_or_a_whole_word(
    message: str, matches: bool
) -> None:
    assert (keyword_score("hola", "word", message) is not None) is matches


def test_accented_keyword_matches_unaccented_message_and_back() -> None:
    assert keyword_score("Información", "word", "quiero informacion") is not None
    assert keyword_score("informacion", "word", "Información") is not None


def test_multi_word_keyword_needs_the_words_in_sequence() -> None:
    assert keyword_score("buenos días", "word", "hola, buenos dias!") is not None
    assert keyword_score("buenos días", "word", "días buenos") is None


def test_exact_needs_the_whole_message() -> None:
    assert keyword_score("hola", "exact", "Hola!") is not None
    assert keyword_score("hola", "exact", "hola amigo") is None


def test_regex_trigger_is_case_insensitive_and_searched() -> None:
    spec = TriggerSpec("t1", (), "regex", r"pedido\s+\d+")
    assert match_triggers([spec], "Mi PEDIDO 123 no llegó") is not None
    assert match_triggers([spec], "pedido") is None


def test_longest_keyword_wins_and_whole_message_beats_a_word_of_the_same_length() -> None:
    specs = [
        TriggerSpec("short", ("hola",)),
        TriggerSpec("long", ("hola precios",)),
    ]
    match = match_triggers(specs, "hola precios por favor")
    assert match is not None and match.node_id == "long"
    assert match_triggers(specs, "hola") is not None
    whole = keyword_score("precio", "word", "precio")
    word = keyword_score("precio", "word", "el precio")
    assert whole is not None and word is not None and whole > word


def test_button_reply_matches_by_id_or_title() -> None:
    specs = [TriggerSpec("t", ("comprar",))]
    assert match_triggers(specs, "", reply_id="comprar") is not None
    assert match_triggers(specs, "", reply_title="Comprar") is not None


def test_default_keyword_never_matches_but_is_the_fallback_trigger() -> None:
    specs = [TriggerSpec("a", ("hola",)), TriggerSpec("fallback", ("default",))]
    assert match_triggers(specs, "default") is None
    assert default_trigger(specs) == "fallback"
    assert default_trigger([TriggerSpec("a", ("hola",))]) == "a"
    assert default_trigger([]) is None


TITLES = ["Soporte", "Ventas", "Información"]


@pytest.mark.parametrize(
    ("text", "reply_id", "expected"),
    [
        ("", "opt-2", 2),
        ("", "OPT-1", 1),
        ("", "informaci\u00f3n", 2),  # the original's lower-cased title id
        ("Ventas", None, 1),
        ("ventas", None, 1),
        ("INFORMACION", None, 2),
        ("3", None, 2),
        ("1.", None, 0),
        ("4", None, None),
        ("0", None, None),
        ("otra cosa", None, None),
        ("", "opt-7", None),
    ],
)
def test_option_reply_matching(text: str, reply_id: str | None, expected: int | None) -> None:
    assert match_option(TITLES, text, reply_id=reply_id) == expected


def test_title_match_wins_over_number_pick() -> None:
    assert match_option(["2", "1"], "1") == 1


@pytest.mark.parametrize(
    ("validation", "text", "value"),
    [
        ("text", "  hola  ", "hola"),
        ("text", "   ", None),
        ("number", "42", 42),
        ("number", "-3,5", -3.5),
        ("number", "1.234,50", 1234.5),
        ("number", "1,234.50", 1234.5),
        ("number", "1.234.567", 1234567),
        ("number", "12 kg", None),
        ("number", "nan", None),
        ("email", "Ana@Example.COM", "Ana@example.com"),
        ("email", "ana@", None),
        ("email", "ana example.com", None),
        ("phone", "+54 9 11 1234-5678", "+5491112345678"),
        ("phone", "0054 11 4567 8901", "+541145678901"),
        ("phone", "(011) 4567-8901", "01145678901"),
        ("phone", "12", None),
        ("phone", "call me", None),
        ("date", "2024-03-09", "2024-03-09"),
        ("date", "9/3/2024", "2024-03-09"),
        ("date", "09-03-24", "2024-03-09"),
        ("date", "31.12.1999", "1999-12-31"),
        ("date", "31/02/2024", None),
        ("date", "mañana", None),
    ],
)
def test_question_validators_normalise_the_value(validation: str, text: str, value: object) -> None:
    answer = validate_answer(validation, text)
    assert answer.ok is (value is not None)
    if value is not None:
        assert answer.value == value
        assert type(answer.value) is type(value)


def test_regex_validator_must_match_the_whole_answer() -> None:
    assert validate_answer("regex", "12345", pattern=r"\d{5}").value == "12345"
    assert not validate_answer("regex", "123456", pattern=r"\d{5}").ok
    assert not validate_answer("regex", "abc", pattern=None).ok


def test_choice_validator_stores_the_canonical_choice() -> None:
    choices = ["Mañana", "Tarde"]
    assert validate_answer("choice", "manana", choices=choices).value == "Mañana"
    assert validate_answer("choice", "", choices=choices, reply_id="opt-1").value == "Tarde"
    assert validate_answer("choice", "2", choices=choices).value == "Tarde"
    assert not validate_answer("choice", "noche", choices=choices).ok


def test_parse_number_rejects_garbage() -> None:
    assert parse_number("") is None
    assert parse_number("1e5") is None
    assert parse_number(",") is None
