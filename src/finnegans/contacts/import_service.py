"""Contact CSV imports: receive the upload, suggest a mapping, start it, read it chunk by chunk.

Upload and start write nothing to contacts. The background task (contacts/tasks.py) reads up to
`chunk_rows` rows from the stored file's checkpoint (`read_next_chunk`), then writes them and
moves the checkpoint in one transaction (`write_chunk`). A crash rolls
back at most the chunk in flight, and a restart resumes exactly after the last committed one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.contacts.csv_files import (
    Chunk,
    CsvProblem,
    Shape,
    StoredFile,
    read_chunk,
    sniff,
)
from finnegans.contacts.csv_files import store_upload as store_file
from finnegans.contacts.import_chunks import apply_rows
from finnegans.contacts.import_mapping import Plan, as_targets, check_mapping, suggest_mapping
from finnegans.contacts.import_repository import ImportRepository
from finnegans.contacts.import_rows import RowError, RowValues, parse_row
from finnegans.contacts.import_schemas import (
    ImportColumnOut,
    ImportOut,
    ImportStartIn,
    ImportUploadOut,
    LegacyDuplicatesOut,
    LegacyFailureOut,
    LegacyImportIn,
    LegacyImportOut,
)
from finnegans.contacts.phones import valid_region
from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.settings import load_settings
from finnegans.context import AppContext
from finnegans.db.after_commit import after_commit
from finnegans.db.base import new_id
from finnegans.db.models import ContactAttributeDefinition, ContactImport, Role
from finnegans.jobs.task_queue import DEFAULT_LEASE, TaskRef, enqueue, finish
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 500
MAX_HEADER = 200
CHUNK_ROWS = 1000
TASK_KIND = "contact_import"


def imports_dir(ctx: AppContext) -> Path:
    return (ctx.settings.data_dir / "imports").resolve()


def file_of(ctx: AppContext, import_id: str) -> Path:
    return imports_dir(ctx) / f"{import_id}.csv"


def _file_error(message: str) -> BadRequest:
    return BadRequest(f"file: {message}", fields={"file": message})


@dataclass
class Upload:
    id: str
    filename: str
    stored: StoredFile
    shape: Shape


async def store_upload(
    ctx: AppContext, upload: UploadFile | None, limit: int = MAX_IMPORT_BYTES,
    what: str = "a contacts CSV",
) -> Upload:  # fmt: skip
    """Copy the upload to DATA_DIR/imports as UTF-8 and read its shape (no transaction open)."""
    if upload is None:
        raise _file_error("attach the CSV file as multipart/form-data (field name: file)")
    import_id = new_id()
    path = file_of(ctx, import_id)
    try:
        stored = await asyncio.to_thread(store_file, upload.file, path, limit)
        shape = await asyncio.to_thread(sniff, path)
    except OverflowError:
        raise PayloadTooLarge(
            f"file: {what} is at most {limit // (1024 * 1024)} MB: "
            "split it into smaller files", fields={"file": "too large"},
        ) from None  # fmt: skip
    except CsvProblem as exc:
        path.unlink(missing_ok=True)
        raise _file_error(str(exc)) from None
    try:
        _check_shape(shape)
    except BadRequest:
        path.unlink(missing_ok=True)
        raise
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:255].strip()
    return Upload(import_id, name or "contacts.csv", stored, shape)


def _check_shape(shape: Shape) -> None:
    if not any(shape.headers):
        raise _file_error("the first row must name the columns (phone, name, ...): it is empty")
    long = next((i for i, h in enumerate(shape.headers) if len(h) > MAX_HEADER), None)
    if long is not None:
        raise _file_error(f"column {long + 1}'s header is longer than {MAX_HEADER} characters: "
                          "the first row must name the columns")  # fmt: skip
    if len(shape.headers) > MAX_COLUMNS:
        raise _file_error(f"the file has {len(shape.headers)} columns; at most {MAX_COLUMNS}")
    if not shape.samples:
        raise _file_error("the file has a header row but no contacts under it")


async def create_import(
    session: AsyncSession, principal: Principal, upload: Upload
) -> ImportUploadOut:
    """The import row and the suggested mapping; a 400 when no column can be the phone."""
    shape = upload.shape
    definitions = await ContactRepository(session).attribute_definitions(principal.workspace_id)
    suggested = suggest_mapping(shape.headers, shape.samples, {d.key: d.label for d in definitions})
    if "phone" not in suggested:
        raise _file_error(
            f"no column looks like a phone number (columns: {', '.join(shape.headers)}): "
            "name one of them phone, teléfono, celular or whatsapp, or check the delimiter "
            f"(read as {_delimiter_name(shape.delimiter)})"
        )
    imp = ContactImport(
        id=upload.id, workspace_id=principal.workspace_id, created_by_user_id=principal.user_id,
        filename=upload.filename, status="uploaded", encoding=upload.stored.encoding,
        delimiter=shape.delimiter, headers=shape.headers, mapping=None, options={},
        total_bytes=upload.stored.size, resume_offset=shape.data_offset,
        resume_row=shape.first_row, rows_read=0, created_count=0, updated_count=0,
        skipped_count=0, failed_count=0,
    )  # fmt: skip
    session.add(imp)
    await session.flush()
    width = len(shape.headers)
    samples = [(row + [""] * width)[:width] for row in shape.samples]
    columns = [
        ImportColumnOut(index=i, header=h, suggested=suggested[i], samples=[r[i] for r in samples])
        for i, h in enumerate(shape.headers)
    ]
    return ImportUploadOut(
        **import_out(imp).model_dump(), columns=columns, sample_rows=samples,
        suggested_mapping=suggested,
    )  # fmt: skip


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))


def import_out(imp: ContactImport) -> ImportOut:
    options = imp.options or {}
    total = imp.total_bytes or 0
    done = imp.status == "completed"
    progress = 100.0 if done else (round(100 * imp.resume_offset / total, 1) if total else 0.0)
    return ImportOut(
        id=imp.id, filename=imp.filename, status=imp.status,
        encoding=imp.encoding, delimiter=imp.delimiter, headers=list(imp.headers or []),
        mapping=imp.mapping, default_country=options.get("default_country"),
        add_tags=list(options.get("add_tags") or []),
        on_duplicate=str(options.get("on_duplicate") or "merge"),
        total_bytes=total, bytes_read=min(imp.resume_offset, total),
        # Before the first chunk the checkpoint sits after the header: not progress yet.
        progress=min(progress, 100.0) if imp.rows_read or done else 0.0,
        rows_read=imp.rows_read, created=imp.created_count, updated=imp.updated_count,
        skipped=imp.skipped_count, failed=imp.failed_count, error=imp.error,
        errors_url=f"/api/contacts/imports/{imp.id}/errors.csv", created_at=imp.created_at,
        started_at=imp.started_at, finished_at=imp.finished_at,
    )  # fmt: skip


async def import_or_404(session: AsyncSession, workspace_id: str, import_id: str) -> ContactImport:
    imp = await ImportRepository(session).get(workspace_id, import_id)
    if imp is None:
        raise NotFound("No such import in this workspace")
    return imp


async def discard(
    ctx: AppContext, session: AsyncSession, workspace_id: str, import_id: str
) -> None:
    """Remove an import that is not running, with its error rows; contacts stay as imported."""
    imp = await import_or_404(session, workspace_id, import_id)
    if imp.status in ("queued", "running"):
        raise Conflict("This import is still running: wait until it is over",
                       status=imp.status)  # fmt: skip
    await session.delete(imp)
    await session.flush()
    path = file_of(ctx, imp.id)
    after_commit(session, lambda: path.unlink(missing_ok=True))  # a small local file


async def recent(session: AsyncSession, workspace_id: str, limit: int) -> list[ImportOut]:
    return [import_out(i) for i in await ImportRepository(session).recent(workspace_id, limit)]


async def start(
    session: AsyncSession, principal: Principal, import_id: str, data: ImportStartIn
) -> ContactImport:
    """Check the mapping and queue the import (202); nothing is read before the task runs."""
    imp = await import_or_404(session, principal.workspace_id, import_id)
    if imp.status != "uploaded":
        raise Conflict(f"This import was already started (status: {imp.status})",
                       status=imp.status)  # fmt: skip
    targets = as_targets(data.mapping, imp.headers)
    repo = ContactRepository(session)
    types = await repo.attribute_types(principal.workspace_id)
    _, missing = check_mapping(targets, imp.headers, types)
    if missing:
        if not data.create_attributes:
            raise BadRequest(
                f"mapping: attribute {missing[0]!r} is not defined: create it first "
                "(POST /api/contact-attributes) or pass create_attributes: true (created as text)",
                fields={"mapping": f"unknown attribute {missing[0]}"},
            )
        if not principal.at_least(Role.admin):
            raise Forbidden("Creating contact attributes needs the admin role")
        for key in missing:
            session.add(ContactAttributeDefinition(
                workspace_id=principal.workspace_id, key=key, label=key, type="text"))  # fmt: skip
    country = data.default_country.upper() if data.default_country else None
    if country and not valid_region(country):
        raise BadRequest(f"default_country: {country!r} is not a country code (like AR or ES)",
                         fields={"default_country": "unknown country"})  # fmt: skip
    if country is None:
        country = (await load_settings(session, principal.workspace_id)).default_country
    imp.mapping = targets
    imp.options = {"default_country": country, "add_tags": list(data.add_tags),
                   "on_duplicate": data.on_duplicate}  # fmt: skip
    imp.status = "queued"
    enqueue(session, workspace_id=principal.workspace_id, kind=TASK_KIND,
            payload={"import_id": imp.id})  # fmt: skip
    await session.flush()
    return imp


@dataclass
class PreparedChunk:
    """Rows read and parsed from the checkpoint `offset`, outside any write transaction."""

    offset: int
    rows: list[RowValues | RowError] = field(default_factory=list)
    chunk: Chunk | None = None
    problem: str | None = None  # the file cannot be read on: the import fails with this


def _read_and_parse(path: Path, imp: ContactImport, plan: Plan, chunk_rows: int) -> PreparedChunk:
    prepared = PreparedChunk(offset=imp.resume_offset)
    try:
        prepared.chunk = read_chunk(path, offset=imp.resume_offset, row=imp.resume_row,
                                    delimiter=imp.delimiter, max_rows=chunk_rows)  # fmt: skip
    except OSError:
        prepared.problem = "the uploaded file is gone from DATA_DIR/imports"
        return prepared
    prepared.problem = prepared.chunk.problem
    country = imp.options.get("default_country")
    prepared.rows = [parse_row(n, cells, plan, imp.headers, country)
                     for n, cells in prepared.chunk.rows]  # fmt: skip
    return prepared


async def read_next_chunk(
    ctx: AppContext, session: AsyncSession, ref: TaskRef, *, chunk_rows: int = CHUNK_ROWS
) -> PreparedChunk | None:
    """Read and parse the rows after the checkpoint (a read transaction; None if not running).

    Reading and parsing happen before the write transaction, in a thread: on SQLite the write
    transaction holds the only writer, so it should hold it for the writes alone.
    """
    imp = await ImportRepository(session).get(ref.workspace_id, str(ref.payload.get("import_id")))
    if imp is None or imp.status not in ("queued", "running") or imp.mapping is None:
        return None
    types = await ContactRepository(session).attribute_types(imp.workspace_id)
    plan, _ = check_mapping(imp.mapping, imp.headers, types)
    return await asyncio.to_thread(_read_and_parse, file_of(ctx, imp.id), imp, plan, chunk_rows)


async def write_chunk(session: AsyncSession, ref: TaskRef, prepared: PreparedChunk | None) -> bool:
    """Write a prepared chunk and move the checkpoint past it; True when the import is over."""
    repo = ImportRepository(session)
    imp = await repo.get(ref.workspace_id, str(ref.payload.get("import_id")), for_update=True)
    if imp is None or imp.status not in ("queued", "running") or prepared is None:
        await finish(session, ref.id, "cancelled")
        return True
    if imp.resume_offset != prepared.offset:
        return False  # another runner wrote this chunk meanwhile: read again from its checkpoint
    now = utcnow()
    if imp.status == "queued":
        imp.status, imp.started_at = "running", now
    chunk = prepared.chunk
    if chunk is not None:
        add_tags = list(imp.options.get("add_tags") or [])
        counts = await apply_rows(session, imp, prepared.rows, add_tags)
        imp.rows_read += len(chunk.rows)
        imp.created_count += counts.created
        imp.updated_count += counts.updated
        imp.skipped_count += counts.skipped
        imp.failed_count += counts.failed
        imp.resume_offset, imp.resume_row = chunk.next_offset, chunk.next_row
    if prepared.problem is not None or chunk is None:
        # The rows before the problem are in; the file cannot be read past it.
        log.warning("contact_import_failed", import_id=imp.id, reason=prepared.problem)
        imp.status, imp.error, imp.finished_at = "failed", prepared.problem, now
        await finish(session, ref.id)
        return True
    if chunk.eof:
        imp.status, imp.finished_at = "completed", now
        await finish(session, ref.id)
        return True
    await repo.extend_lease(ref.id, now + DEFAULT_LEASE)
    return False


async def import_legacy(
    session: AsyncSession, principal: Principal, data: LegacyImportIn
) -> LegacyImportOut:
    """The original's JSON import, in this request's transaction (at most 10,000 contacts).

    Same rules as a CSV import (E.164, merge, per-row reasons) and recorded as one, so its
    errors.csv and the imports list work the same; the answer keeps the original's shape.
    """
    headers = ["phone", "name", "tags"]
    plan, _ = check_mapping(headers, headers, {})
    country = (await load_settings(session, principal.workspace_id)).default_country
    rows = [
        parse_row(i + 1, [c.phone or "", c.name or "",
                          c.tags if isinstance(c.tags, str) else "|".join(c.tags or [])],
                  plan, headers, country)
        for i, c in enumerate(data.contacts)
    ]  # fmt: skip
    good = [r for r in rows if isinstance(r, RowValues)]
    known = await ImportRepository(session).contacts_by_number(
        principal.workspace_id, [r.wa_id for r in good], [r.phone for r in good]
    )
    known_numbers = {c.wa_id for c in known} | {c.phone for c in known}
    seen: set[str] = set()
    in_file: list[str] = []
    existing: list[str] = []
    for row in good:
        if row.wa_id in seen:
            in_file.append(row.phone)
        elif row.wa_id in known_numbers or row.phone in known_numbers:
            existing.append(row.phone)
        seen.add(row.wa_id)
    now = utcnow()
    imp = ContactImport(
        workspace_id=principal.workspace_id, created_by_user_id=principal.user_id,
        filename="contacts.json", status="completed", encoding="json", delimiter=",",
        headers=headers, mapping=headers, total_bytes=0, resume_offset=0, resume_row=1,
        options={"default_country": country, "add_tags": [], "on_duplicate": "merge"},
        rows_read=len(rows), started_at=now, finished_at=now,
    )  # fmt: skip
    session.add(imp)
    await session.flush()
    counts = await apply_rows(session, imp, list(rows), [])
    imp.created_count, imp.updated_count = counts.created, counts.updated
    imp.skipped_count, imp.failed_count = counts.skipped, counts.failed
    failures = [LegacyFailureOut(phone=r.phone or "", reason=r.reason)
                for r in rows if isinstance(r, RowError)]  # fmt: skip
    return LegacyImportOut(
        id=imp.id, total=len(rows), imported=counts.created,
        duplicates=LegacyDuplicatesOut(in_file=in_file, existing=existing), failures=failures,
    )  # fmt: skip
