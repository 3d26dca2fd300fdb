"""Message builders produce Meta's exact JSON and refuse what Meta would refuse."""

from __future__ import annotations

import pytest

from finnegans.whatsapp.graph import (
    ListRow,
    ListSection,
    MediaHeader,
    MediaRef,
    MessageValidationError,
    ReplyButton,
    TextHeader,
    audio_message,
    body_component,
    contacts_message,
    cta_url_message,
    currency_param,
    date_time_param,
    document_message,
    header_component,
    image_message,
    list_message,
    location_message,
    mark_read_payload,
    media_message,
    media_param,
    quick_reply_button,
    reaction_message,
    remove_reaction_message,
    reply_buttons_message,
    sticker_message,
    template_message,
    text_message,
    text_param,
    url_button,
    video_message,
)

TO = "+16505551234"
ENVELOPE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}
WAMID = "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA="


def test_text_with_preview_and_context() -> None:
    assert text_message(TO, "See https://example.com", preview_url=True, reply_to=WAMID) == {
        **ENVELOPE,
        "type": "text",
        "text": {"preview_url": True, "body": "See https://example.com"},
        "context": {"message_id": WAMID},
    }


def test_bsuid_recipient_goes_in_recipient_field() -> None:
    payload = text_message("US.13491208655302741918", "hi")
    assert payload["recipient"] == "US.13491208655302741918"
    assert "to" not in payload


def test_reply_buttons_with_image_header_and_footer() -> None:
    payload = reply_buttons_message(
        TO,
        "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow.",
        [ReplyButton("change-button", "Change"), ReplyButton("cancel-button", "Cancel")],
        header=MediaHeader("image", MediaRef.by_id("2762702990552401")),
        footer="Lucky Shrub",
    )
    assert payload == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "image", "image": {"id": "2762702990552401"}},
            "body": {"text": "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."},
            "footer": {"text": "Lucky Shrub"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "change-button", "title": "Change"}},
                    {"type": "reply", "reply": {"id": "cancel-button", "title": "Cancel"}},
                ]
            },
        },
    }


def test_list_message() -> None:
    payload = list_message(
        TO,
        "Which shipping option do you prefer?",
        "Shipping Options",
        [
            ListSection(
                title="I want it ASAP!",
                rows=[ListRow("priority_express", "Priority Mail Express", "Next Day to 2 Days")],
            ),
            ListSection(title="I can wait a bit", rows=[ListRow("media_mail", "Media Mail")]),
        ],
        header="Choose Shipping Option",
        footer="Lucky Shrub",
    )
    assert payload["interactive"] == {
        "type": "list",
        "header": {"type": "text", "text": "Choose Shipping Option"},
        "body": {"text": "Which shipping option do you prefer?"},
        "footer": {"text": "Lucky Shrub"},
        "action": {
            "button": "Shipping Options",
            "sections": [
                {
                    "title": "I want it ASAP!",
                    "rows": [
                        {
                            "id": "priority_express",
                            "title": "Priority Mail Express",
                            "description": "Next Day to 2 Days",
                        }
                    ],
                },
                {
                    "title": "I can wait a bit",
                    "rows": [{"id": "media_mail", "title": "Media Mail"}],
                },
            ],
        },
    }


def test_cta_url_message() -> None:
    payload = cta_url_message(
        TO,
        "Tap the button below to see available dates.",
        "See Dates",
        "https://www.luckyshrub.com?clickID=kqDGW",
        header=MediaHeader("image", MediaRef.by_link("https://www.luckyshrub.com/banner.png")),
        footer="Dates subject to change.",
    )
    assert payload["interactive"] == {
        "type": "cta_url",
        "header": {"type": "image", "image": {"link": "https://www.luckyshrub.com/banner.png"}},
        "body": {"text": "Tap the button below to see available dates."},
        "footer": {"text": "Dates subject to change."},
        "action": {
            "name": "cta_url",
            "parameters": {
                "display_text": "See Dates",
                "url": "https://www.luckyshrub.com?clickID=kqDGW",
            },
        },
    }


def test_media_messages() -> None:
    assert image_message(TO, MediaRef.by_id("1003383421387256"), caption="Taj Mahal") == {
        **ENVELOPE,
        "type": "image",
        "image": {"id": "1003383421387256", "caption": "Taj Mahal"},
    }
    assert image_message(TO, MediaRef.by_link("https://example.com/pic.jpg"))["image"] == {
        "link": "https://example.com/pic.jpg"
    }
    assert document_message(
        TO, MediaRef.by_id("9"), caption="Your invoice", filename="invoice.pdf"
    )["document"] == {"id": "9", "caption": "Your invoice", "filename": "invoice.pdf"}
    assert audio_message(TO, MediaRef.by_id("1"))["audio"] == {"id": "1"}
    assert video_message(TO, MediaRef.by_id("2"), caption="clip")["video"] == {
        "id": "2",
        "caption": "clip",
    }
    assert sticker_message(TO, MediaRef.by_id("3"), reply_to=WAMID)["context"] == {
        "message_id": WAMID
    }


def test_location_contacts_reaction_and_mark_read() -> None:
    assert location_message(TO, 37.758056, -122.425332, name="META HQ", address="1 Hacker Way") == {
        **ENVELOPE,
        "type": "location",
        "location": {
            "latitude": 37.758056,
            "longitude": -122.425332,
            "name": "META HQ",
            "address": "1 Hacker Way",
        },
    }
    card = {
        "name": {"formatted_name": "John Smith", "first_name": "John"},
        "phones": [{"phone": "+1 (650) 555-1234", "type": "WORK", "wa_id": "16505551234"}],
    }
    assert contacts_message(TO, [card])["contacts"] == [card]
    assert reaction_message(TO, WAMID, "\U0001f600") == {
        **ENVELOPE,
        "type": "reaction",
        "reaction": {"message_id": WAMID, "emoji": "\U0001f600"},
    }
    assert remove_reaction_message(TO, WAMID)["reaction"] == {"message_id": WAMID, "emoji": ""}
    assert mark_read_payload(WAMID, typing_indicator=True) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
        "typing_indicator": {"type": "text"},
    }


def test_template_message_with_all_parameter_kinds() -> None:
    payload = template_message(
        TO,
        "order_confirmation",
        "en_US",
        [
            header_component(media_param("image", MediaRef.by_link("https://example.com/h.jpg"))),
            body_component(
                text_param("Jessica", name="first_name"),
                currency_param("$12.34", "usd", 12340, name="total"),
                date_time_param("May 1, 2026", name="when"),
            ),
            quick_reply_button(0, "TRACK_SB-1001"),
            url_button(1, "SB-1001"),
        ],
    )
    assert payload == {
        **ENVELOPE,
        "type": "template",
        "template": {
            "name": "order_confirmation",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "header",
                    "parameters": [
                        {"type": "image", "image": {"link": "https://example.com/h.jpg"}}
                    ],
                },
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "parameter_name": "first_name", "text": "Jessica"},
                        {
                            "type": "currency",
                            "parameter_name": "total",
                            "currency": {
                                "fallback_value": "$12.34",
                                "code": "USD",
                                "amount_1000": 12340,
                            },
                        },
                        {
                            "type": "date_time",
                            "parameter_name": "when",
                            "date_time": {"fallback_value": "May 1, 2026"},
                        },
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "TRACK_SB-1001"}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "1",
                    "parameters": [{"type": "text", "text": "SB-1001"}],
                },
            ],
        },
    }


def test_hello_world_template_has_no_components() -> None:
    assert template_message(TO, "hello_world", "en_US")["template"] == {
        "name": "hello_world",
        "language": {"code": "en_US"},
    }


def _buttons(count: int) -> list[ReplyButton]:
    return [ReplyButton(f"id-{i}", f"Option {i}") for i in range(count)]


def _rows(count: int, prefix: str = "r") -> list[ListRow]:
    return [ListRow(f"{prefix}{i}", f"Row {i}") for i in range(count)]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: text_message(TO, "x" * 4097), "text.body: at most 4096 characters (got 4097)"),
        (lambda: text_message(TO, ""), "text.body: is required"),
        (lambda: text_message("", "hi"), "to: is required"),
        (lambda: text_message("not a number", "hi"), "to: not a phone number"),
        (
            lambda: reply_buttons_message(TO, "Pick", _buttons(4)),
            "buttons: at most 3 reply buttons (got 4)",
        ),
        (
            lambda: reply_buttons_message(TO, "Pick", []),
            "buttons: at least 1 reply buttons (got 0)",
        ),
        (
            lambda: reply_buttons_message(
                TO, "Pick", [ReplyButton("a", "ok"), ReplyButton("b", "x" * 21)]
            ),
            "buttons[1].title: at most 20 characters (got 21)",
        ),
        (
            lambda: reply_buttons_message(TO, "Pick", [ReplyButton("i" * 257, "ok")]),
            "buttons[0].id: at most 256 characters (got 257)",
        ),
        (
            lambda: reply_buttons_message(
                TO, "Pick", [ReplyButton("a", "ok"), ReplyButton("a", "no")]
            ),
            "buttons[].id: must be unique",
        ),
        (
            lambda: reply_buttons_message(TO, "b" * 1025, _buttons(1)),
            "body.text: at most 1024 characters (got 1025)",
        ),
        (
            lambda: reply_buttons_message(TO, "Pick", _buttons(1), footer="f" * 61),
            "footer.text: at most 60 characters (got 61)",
        ),
        (
            lambda: reply_buttons_message(TO, "Pick", _buttons(1), header=TextHeader("h" * 61)),
            "header.text: at most 60 characters (got 61)",
        ),
        (
            lambda: list_message(
                TO,
                "Pick",
                "Menu",
                [ListSection(_rows(6, "a"), "A"), ListSection(_rows(5, "b"), "B")],
            ),
            "sections[].rows: at most 10 rows in total (got 11)",
        ),
        (
            lambda: list_message(
                TO,
                "Pick",
                "Menu",
                [ListSection([ListRow(f"r{i}", "t")], f"S{i}") for i in range(11)],
            ),
            "sections: at most 10 sections (got 11)",
        ),
        (
            lambda: list_message(TO, "Pick", "Menu", [ListSection([ListRow("r", "t" * 25)])]),
            "sections[0].rows[0].title: at most 24 characters (got 25)",
        ),
        (
            lambda: list_message(TO, "Pick", "Menu", [ListSection([ListRow("r", "t", "d" * 73)])]),
            "sections[0].rows[0].description: at most 72 characters (got 73)",
        ),
        (
            lambda: list_message(TO, "Pick", "Menu", [ListSection([ListRow("i" * 201, "t")])]),
            "sections[0].rows[0].id: at most 200 characters (got 201)",
        ),
        (
            lambda: list_message(TO, "Pick", "m" * 21, [ListSection(_rows(1))]),
            "action.button: at most 20 characters (got 21)",
        ),
        (
            lambda: list_message(TO, "Pick", "Menu", [ListSection(_rows(1), "s" * 25)]),
            "sections[0].title: at most 24 characters (got 25)",
        ),
        (
            lambda: list_message(
                TO, "Pick", "Menu", [ListSection(_rows(1, "a")), ListSection(_rows(1, "b"), "B")]
            ),
            "sections[0].title: is required when there are 2+ sections",
        ),
        (
            lambda: list_message(TO, "b" * 4097, "Menu", [ListSection(_rows(1))]),
            "body.text: at most 4096 characters (got 4097)",
        ),
        (
            lambda: cta_url_message(TO, "Go", "d" * 21, "https://example.com"),
            "action.parameters.display_text: at most 20 characters (got 21)",
        ),
        (
            lambda: cta_url_message(TO, "Go", "Open", "ftp://example.com"),
            "action.parameters.url: must be an http(s) URL",
        ),
        (
            lambda: audio_message(TO, MediaRef(id="1", link="https://example.com/a.ogg")),
            "audio: give exactly one of id or link",
        ),
        (
            lambda: media_message(TO, "audio", MediaRef.by_id("1"), caption="no"),
            "audio.caption: not allowed for audio",
        ),
        (
            lambda: media_message(TO, "image", MediaRef.by_id("1"), filename="a.jpg"),
            "image.filename: only documents have a filename",
        ),
        (
            lambda: image_message(TO, MediaRef.by_id("1"), caption="c" * 1025),
            "image.caption: at most 1024 characters (got 1025)",
        ),
        (
            lambda: location_message(TO, 91.0, 0.0),
            "location.latitude: must be within -90..90",
        ),
        (
            lambda: contacts_message(TO, [{"name": {"first_name": "John"}}]),
            "contacts[0].name.formatted_name: is required",
        ),
        (
            lambda: contacts_message(TO, [{"name": {"formatted_name": "J"}}] * 6),
            "contacts: at most 5 contacts (got 6)",
        ),
        (
            lambda: body_component(text_param("a", name="x"), text_param("b")),
            "body.parameters: use either all named or all positional parameters",
        ),
        (lambda: quick_reply_button(10, "p"), "buttons.index: must be within 0..9 (got 10)"),
        (lambda: template_message(TO, "", "en_US"), "template.name: is required"),
        (
            lambda: template_message(
                TO, "t", "en", [quick_reply_button(0, "a"), quick_reply_button(0, "b")]
            ),
            "template.components: button indexes must be unique",
        ),
        (lambda: text_message(TO, "hi", reply_to=" "), "context.message_id: is required"),
    ],
)
def test_limits_are_refused_with_a_precise_message(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(MessageValidationError) as caught:
        build()
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_exact_limits_are_accepted() -> None:
    reply_buttons_message(
        TO, "b" * 1024, [ReplyButton("i" * 256, "t" * 20), *_buttons(2)], footer="f" * 60
    )
    list_message(
        TO,
        "b" * 4096,
        "m" * 20,
        [ListSection([ListRow("i" * 200, "t" * 24, "d" * 72), *_rows(9)], "s" * 24)],
    )
    text_message(TO, "x" * 4096)
