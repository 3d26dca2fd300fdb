"""Attachments agents send: checked against Meta's media rules, uploaded, and kept locally.

The file goes to WhatsApp's media endpoint (its id is what a message refers to) and a copy is
kept under DATA_DIR/media/<workspace>/uploads/, so the thread shows what the agent sent. A small
JSON sidecar records what the upload is; the send endpoint only accepts ids found there, so one
workspace can never send another's upload.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from finnegans.context import AppContext
from finnegans.kit.errors import ApiError, BadRequest
from finnegans.whatsapp.media import media_root

MB = 1024 * 1024


class UploadTooLarge(ApiError):
    status_code = 413


# Meta's supported media (reference: Cloud API "Supported media types"): type → (mimes, size).
MEDIA_RULES: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/jpeg", "image/png"}), 5 * MB),
    "video": (frozenset({"video/mp4", "video/3gpp"}), 16 * MB),
    "audio": (
        frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
        16 * MB,
    ),
    "sticker": (frozenset({"image/webp"}), 500 * 1024),
    "document": (
        frozenset(
            {
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
        100 * MB,
    ),
}
MAX_UPLOAD_BYTES = max(size for _, size in MEDIA_RULES.values())
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def media_kind(mime_type: str, wanted: str | None) -> str:
    """Which message type carries this file; a clear 400 when WhatsApp cannot carry it."""
    mime_type = mime_type.split(";")[0].strip().lower()
    kinds = [kind for kind, (mimes, _) in MEDIA_RULES.items() if mime_type in mimes]
    if wanted:
        if wanted not in MEDIA_RULES:
            raise BadRequest(f"type: one of {', '.join(MEDIA_RULES)}", fields={"type": "unknown"})
        if wanted not in kinds:
            allowed = ", ".join(sorted(MEDIA_RULES[wanted][0]))
            raise BadRequest(f"file: WhatsApp sends a {wanted} as {allowed} (got {mime_type})",
                             fields={"file": "unsupported type"})  # fmt: skip
        return wanted
    if not kinds:
        raise BadRequest(f"file: WhatsApp cannot send {mime_type or 'this file type'}",
                         fields={"file": "unsupported type"})  # fmt: skip
    return kinds[0]


def check_size(kind: str, size: int) -> None:
    limit = MEDIA_RULES[kind][1]
    if size == 0:
        raise BadRequest("file: is empty", fields={"file": "empty"})
    if size > limit:
        raise UploadTooLarge(f"file: a WhatsApp {kind} is at most {limit // 1024} KB "
                             f"(got {size // 1024} KB)")  # fmt: skip


def _uploads_dir(ctx: AppContext, workspace_id: str) -> Path:
    return media_root(ctx) / workspace_id / "uploads"


def _stem(media_id: str) -> str:
    return media_id if _SAFE_ID.match(media_id) else hashlib.sha256(media_id.encode()).hexdigest()


async def keep_upload(
    ctx: AppContext, workspace_id: str, media_id: str, record: dict[str, Any], data: bytes
) -> None:
    folder = _uploads_dir(ctx, workspace_id)
    stem = _stem(media_id)
    relative = Path(workspace_id) / "uploads" / f"{stem}.bin"
    sidecar = {**record, "media_id": media_id,
               "media_file": {"path": str(relative), "size": len(data),
                              "mime_type": record["mime_type"]}}  # fmt: skip

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.bin").write_bytes(data)
        (folder / f"{stem}.json").write_text(json.dumps(sidecar))

    await asyncio.to_thread(write)


def stored_upload(ctx: AppContext, workspace_id: str, media_id: str) -> dict[str, Any] | None:
    """What was uploaded under this id in this workspace, or None."""
    sidecar = _uploads_dir(ctx, workspace_id) / f"{_stem(media_id)}.json"
    try:
        record: dict[str, Any] = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None
    return record if record.get("media_id") == media_id else None
