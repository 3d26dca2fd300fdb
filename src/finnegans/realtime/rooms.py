"""Room names (docs/inbox.md §3). Every name carries the workspace id, so a room can never be
shared by two tenants even if ids were guessed."""

from __future__ import annotations


def workspace_room(workspace_id: str) -> str:
    """Every socket of the workspace joins this room on connect."""
    return f"workspace:{workspace_id}"


def conversation_room(workspace_id: str, contact_id: str) -> str:
    """Sockets that opened this contact's thread (join:conversation, checked against the DB)."""
    return f"conversation:{workspace_id}:{contact_id}"
