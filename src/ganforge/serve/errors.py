"""The 422 answers of the API: where and what, never the client's value echoed back.

FastAPI's own answer to a validation error repeats each refused value (`input`); a value
that Python's JSON parser accepts but JSON cannot encode (Infinity, NaN, 1e400, a lone
surrogate like "\\ud800") then fails to encode and the client gets 500. These answers keep
only `type`, `loc` and `msg`, with text made encodable and cut to a bounded length.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_SHOWN = 200  # characters of a field name or message shown back, at most
MAX_ERRORS = 20  # errors listed in one answer, at most


def safe_text(value: object, limit: int = MAX_SHOWN) -> str:
    """`value` as text that JSON can encode: lone surrogates spelled as \\udXXX escapes."""
    text = value if isinstance(value, str) else str(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_entry(kind: str, loc: Iterable[object], msg: str) -> dict[str, Any]:
    """One item of `detail`: its type, its place (body or query, then the field) and why."""
    place = [item if isinstance(item, int) else safe_text(item) for item in loc]
    return {"type": safe_text(kind), "loc": place, "msg": safe_text(msg, 2 * MAX_SHOWN)}


def error_answer(errors: Iterable[Mapping[str, Any]]) -> JSONResponse:
    """422 with `{"detail": [{"type", "loc", "msg"}, ...]}`."""
    detail = [error_entry(str(e.get("type", "value_error")), e.get("loc", ()),
                          str(e.get("msg", "")))
              for e in list(errors)[:MAX_ERRORS]]
    return JSONResponse({"detail": detail}, status_code=422)


def validation_answer(exc: RequestValidationError) -> JSONResponse:
    """The answer to a request FastAPI refused (wrong type, out of range, bad JSON...)."""
    return error_answer(exc.errors())
