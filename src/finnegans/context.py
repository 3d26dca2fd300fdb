"""Process-wide objects built once at start-up and shared by requests and tasks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from finnegans.accounts.throttle import LoginThrottle
from finnegans.config import Settings
from finnegans.db.session import Database
from finnegans.kit.crypto import SecretBox


@dataclass
class AppContext:
    settings: Settings
    db: Database
    secrets: SecretBox
    login_throttle: LoginThrottle
    started_at: float = field(default_factory=time.monotonic)
