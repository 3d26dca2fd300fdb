"""API errors and their JSON shape: {"error": "...", "fields": {...}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from finnegans.kit.logging import get_logger

log = get_logger(__name__)


class ApiError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.message, **self.extra}
        if self.fields:
            body["fields"] = self.fields
        return body


class BadRequest(ApiError):
    status_code = 400


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class Unprocessable(ApiError):
    """Well-formed input that breaks a rule of the data (a phone number, an attribute's type)."""

    status_code = 422


class PayloadTooLarge(ApiError):
    status_code = 413


class TooManyRequests(ApiError):
    status_code = 429


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_fields(errors: list[Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        name = _field_name(tuple(err.get("loc", ())))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        fields.setdefault(name, message)
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse({"error": "Invalid JSON body"}, status_code=400)
        fields = validation_fields(errors)
        summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return JSONResponse(
            {"error": f"Validation failed: {summary}", "fields": fields}, status_code=400
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Not found"
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        # Last line of defence: a value the database refuses is the client's fault, not a 500.
        log.warning("database_refused_value", error=str(exc.orig)[:200])
        return JSONResponse({"error": "A value in the request cannot be stored"}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return JSONResponse({"error": "Internal server error"}, status_code=500)
