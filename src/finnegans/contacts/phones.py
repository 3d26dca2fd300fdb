"""Phone numbers as WhatsApp knows them: E.164, and the wa_id (its digits)."""

from __future__ import annotations

import phonenumbers

from finnegans.kit.errors import Unprocessable


def normalize_phone(raw: str, default_country: str | None, field: str = "phone") -> str:
    """E.164 for a number as a person typed it ("+54 9 11 2233-4455", "011 2233 4455").

    Without a "+", the number is read as a national number of the workspace's default country;
    with no default country set, it must carry its country code. Only the length is checked
    (`is_possible_number`): numbering plans change faster than the library, and a contact with
    an unusual but real number must not be refused.
    """
    text = raw.strip()
    if not text:
        raise Unprocessable(f"{field}: is required", fields={field: "required"})
    international = text.startswith("+")
    if not international and not default_country:
        raise Unprocessable(
            f"{field}: {text!r} has no country code: write it as +<country code><number> "
            "(for example +5491122334455), or set a default country in /api/contacts/settings",
            fields={field: "missing country code"},
        )
    try:
        number = phonenumbers.parse(text, None if international else default_country)
    except phonenumbers.NumberParseException as exc:
        raise Unprocessable(
            f"{field}: {text!r} is not a phone number ({exc})",
            fields={field: "not a phone number"},
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise Unprocessable(
            f"{field}: {text!r} has the wrong number of digits for its country",
            fields={field: "not a possible phone number"},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def wa_id_of(e164: str) -> str:
    """WhatsApp's id for a number: the E.164 digits without the "+"."""
    return "".join(ch for ch in e164 if ch.isdigit())


def valid_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS
