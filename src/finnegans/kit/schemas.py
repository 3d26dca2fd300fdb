"""The base of every request model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class InputModel(BaseModel):
    """Accepts camelCase or snake_case names, ignores unknown fields, refuses NUL characters.

    PostgreSQL cannot store NUL in text while SQLite can; refusing it here keeps both databases
    behaving the same and turns it into a clear 400 instead of a driver error.
    """

    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data
