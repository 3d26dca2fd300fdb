"""Secrets at rest: MultiFernet so keys can be rotated (new key first, old keys still decrypt)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MASK = "••••••"


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: ENCRYPTION_KEYS does not hold the key used") from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the first (newest) key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


def mask(plaintext: str | None) -> str:
    """What the API shows of a stored secret: enough to recognise it, never enough to use it."""
    if not plaintext:
        return ""
    tail = plaintext[-4:] if len(plaintext) >= 12 else ""
    return MASK + tail


def is_masked(value: str) -> bool:
    return value.startswith(MASK)
