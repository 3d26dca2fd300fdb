"""Schema objects that exist only in migrations, not in the models, and why.

PostgreSQL's trigram (pg_trgm GIN) indexes for the global search cannot be declared on the
models without SQLite creating useless B-tree copies, so migration 0008_search_trigrams makes
them on PostgreSQL alone. Autogenerate (and tests/integration/test_migrations.py) must neither
report them as extra nor propose dropping them.
"""

from __future__ import annotations

from typing import Any

# (index name, table, column): what the global search filters with ILIKE '%q%'.
SEARCH_TRIGRAM_INDEXES = (
    ("ix_contacts_name_trgm", "contacts", "name"),
    ("ix_contacts_phone_trgm", "contacts", "phone"),
    ("ix_contacts_wa_id_trgm", "contacts", "wa_id"),
    ("ix_conversations_last_message_preview_trgm", "conversations", "last_message_preview"),
    ("ix_flows_name_trgm", "flows", "name"),
    ("ix_broadcasts_title_trgm", "broadcasts", "title"),
)
_NAMES = frozenset(name for name, _, _ in SEARCH_TRIGRAM_INDEXES)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's `include_object`: leave the migration-only indexes out of comparisons."""
    return not (type_ == "index" and reflected and compare_to is None and name in _NAMES)
