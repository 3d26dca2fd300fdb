"""An uploaded CSV of phone numbers as a broadcast audience (`audience.kind: "csv"`).

The upload goes through the contacts import's own parsing (encoding and delimiter detection,
the phone/name column suggestion, E.164 with the workspace's default country), and is applied
at once, in the request's transaction, like the original JSON import:

- a number that is already a contact is matched to it (its name is only filled in when the
  contact has none: a list must not rename customers);
- an unknown number becomes a new contact;
- every valid row's contact gets one tag naming the list (`list 2026-12-04 21:30 clientes #a1b2c`),
  and the audience is "the contacts with that tag", so the draft, the live count and the launch
  all select the same people and the list can be reused as a tags audience later;
- invalid rows are reported (row, number, reason) and kept as the import's error rows
  (`GET /api/contacts/imports/{id}/errors.csv`); they are not contacts.

Opted-out contacts are matched like any other and skipped at launch, as for every audience kind;
the list never opts anyone back in. A file that cannot be read, has no phone column, no rows or
no valid number at all, or is over the limits is a 4xx and writes nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.broadcasts.schemas import AudienceUploadOut, UploadErrorOut
from finnegans.contacts import import_service
from finnegans.contacts.csv_files import read_chunk
from finnegans.contacts.import_chunks import apply_rows
from finnegans.contacts.import_mapping import IGNORE, Plan, check_mapping, suggest_mapping
from finnegans.contacts.import_repository import ImportRepository
from finnegans.contacts.import_rows import RowError, RowValues, parse_row
from finnegans.contacts.settings import load_settings
from finnegans.context import AppContext
from finnegans.db.models import ContactImport
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, PayloadTooLarge

MAX_LIST_BYTES = 5 * 1024 * 1024
MAX_LIST_ROWS = 10_000  # the same bound as picked contacts; import bigger lists as contacts
SHOWN_ERRORS = 50
LIST_OPTION = "broadcast_list_tag"  # where the import row keeps the list's tag


def _file_error(message: str) -> BadRequest:
    return BadRequest(f"file: {message}", fields={"file": message})


def _read_rows(path: Path, delimiter: str, offset: int, row: int) -> list[tuple[int, list[str]]]:
    """Every data row (a chunk also ends at 4 MB of text, so read on until the end)."""
    rows: list[tuple[int, list[str]]] = []
    while True:
        chunk = read_chunk(path, offset=offset, row=row, delimiter=delimiter,
                           max_rows=MAX_LIST_ROWS + 1 - len(rows))  # fmt: skip
        if chunk.problem:
            raise _file_error(chunk.problem)
        rows += chunk.rows
        if chunk.eof or len(rows) > MAX_LIST_ROWS:
            break
        offset, row = chunk.next_offset, chunk.next_row
    if len(rows) > MAX_LIST_ROWS:
        raise PayloadTooLarge(
            f"file: a broadcast list has at most {MAX_LIST_ROWS:,} rows: import a bigger list "
            "as contacts with a tag (Contacts → Import) and choose that tag as the audience",
            fields={"file": "too many rows"},
        )
    return rows


def list_tag(import_id: str, filename: str) -> str:
    stem = filename.rsplit(".", 1)[0].strip()[:30] or "list"
    return f"list {utcnow():%Y-%m-%d %H:%M} {stem} #{import_id[-5:]}"


async def upload_list(
    ctx: AppContext, principal: Principal, file: UploadFile | None
) -> AudienceUploadOut:
    """Store, parse and apply the list; the file is removed afterwards (the rows are kept)."""
    # Stored and read outside any transaction (a big copy must not hold SQLite's writer).
    upload = await import_service.store_upload(ctx, file, MAX_LIST_BYTES, "a broadcast list")
    path = import_service.file_of(ctx, upload.id)
    try:
        shape = upload.shape  # store_upload refused a file without rows already
        suggested = suggest_mapping(shape.headers, shape.samples, {})
        if "phone" not in suggested:
            raise _file_error(
                f"no column looks like a phone number (columns: {', '.join(shape.headers)}): "
                "name it phone, teléfono, celular or whatsapp"
            )
        # Only the number and the name: a broadcast list is not a contacts import.
        targets = [t if t in ("phone", "name") else IGNORE for t in suggested]
        plan, _ = check_mapping(targets, shape.headers, {})
        rows = await asyncio.to_thread(
            _read_rows, path, shape.delimiter, shape.data_offset, shape.first_row
        )
        async with ctx.db.unit_of_work() as session:
            return await _apply(session, principal, upload, plan, rows)
    finally:
        path.unlink(missing_ok=True)


async def _apply(
    session: AsyncSession, principal: Principal, upload: import_service.Upload, plan: Plan,
    raw_rows: list[tuple[int, list[str]]],
) -> AudienceUploadOut:  # fmt: skip
    headers = upload.shape.headers
    country = (await load_settings(session, principal.workspace_id)).default_country
    parsed = [parse_row(number, cells, plan, headers, country) for number, cells in raw_rows]
    good = [r for r in parsed if isinstance(r, RowValues)]
    bad = [r for r in parsed if isinstance(r, RowError)]
    if not good:
        shown = "; ".join(f"row {e.row}: {e.reason}" for e in bad[:3])
        raise _file_error(f"no row has a valid phone number ({shown})")
    known = await ImportRepository(session).contacts_by_number(
        principal.workspace_id, [r.wa_id for r in good], [r.phone for r in good]
    )
    named = {c.wa_id for c in known if c.name} | {c.phone for c in known if c.name}
    for values in good:
        if values.wa_id in named or values.phone in named:
            values.name = None  # fill in names, never overwrite them
    tag = list_tag(upload.id, upload.filename)
    now = utcnow()
    imp = ContactImport(
        id=upload.id, workspace_id=principal.workspace_id, created_by_user_id=principal.user_id,
        filename=upload.filename, status="completed", encoding=upload.stored.encoding,
        delimiter=upload.shape.delimiter, headers=headers, mapping=None,
        options={"default_country": country, "add_tags": [tag], "on_duplicate": "merge",
                 LIST_OPTION: tag},
        total_bytes=upload.stored.size, resume_offset=0, resume_row=1, rows_read=len(parsed),
        started_at=now, finished_at=now,
    )  # fmt: skip
    session.add(imp)
    await session.flush()
    counts = await apply_rows(session, imp, list(parsed), [tag])
    imp.created_count, imp.updated_count = counts.created, counts.updated
    imp.skipped_count, imp.failed_count = counts.skipped, counts.failed
    unique = len({r.wa_id for r in good})
    return AudienceUploadOut(
        upload_id=imp.id, file_name=imp.filename, tag=tag, rows=len(parsed), numbers=unique,
        created=counts.created, matched=unique - counts.created, invalid=len(bad),
        errors=[UploadErrorOut(row=e.row, phone=e.phone, reason=e.reason)
                for e in bad[:SHOWN_ERRORS]],
        errors_csv=f"/api/contacts/imports/{imp.id}/errors.csv" if bad else None,
    )  # fmt: skip


async def list_tag_of(session: AsyncSession, workspace_id: str, upload_id: str) -> str:
    """The tag of an uploaded list of this workspace; a 400 for any other id."""
    imp = await ImportRepository(session).get(workspace_id, upload_id)
    tag = imp.options.get(LIST_OPTION) if imp is not None else None
    if not isinstance(tag, str):
        raise BadRequest("audience.upload_id: no such uploaded list in this workspace",
                         fields={"audience.upload_id": "unknown list"})  # fmt: skip
    return tag
