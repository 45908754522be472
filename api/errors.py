"""Error responses, mapped in this one place: every input problem is a 4xx naming the field; nothing the
client sends is a 500.

The domain errors of `matcher.domain.errors` map to one status each — InvalidInput 422, NotFound 404,
Conflict 409, NotReady 503, Forbidden 403 — so routes raise what went wrong, not an HTTP status
(only the 401s of api.context stay HTTPException: they carry `WWW-Authenticate`).

Shape of input errors (422, also for bad JSON, wrong types, unknown district/occupation, bad level):

    {"detail": [{"field": "body.certificates[0].level", "message": "无法识别的技能等级：'很厉害'…", "type": "value_error"}]}

Other errors are `{"detail": "<message>"}` (401, 403, 404, 409, 413, 503); unexpected exceptions become a
500 carrying only the request id (the stack trace goes to the log). `document_errors` writes the same
shapes into the OpenAPI document.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.observability import REQUEST_ID
from api.responses import ErrorOut, ValidationErrorOut
from matcher.domain.errors import Conflict, Forbidden, InvalidInput, MatcherError, NotFound, NotReady

log = logging.getLogger("api.errors")

# pydantic puts union-member and validator tags into `loc`; they are not fields.
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict", "list[str]", "union"}
_TAG_PREFIXES = ("constrained-", "function-", "lax-or-strict", "json-or-python", "tagged-union", "nullable")

_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（数据约定中没有这个字段）",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "请求体必须是 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值 true/false",
    "string_too_long": "文本过长",
    "string_too_short": "不能为空或过短",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_pattern_mismatch": "格式不正确",
    "finite_number": "应为有限数值",
}


STATUS: dict[type[MatcherError], int] = {InvalidInput: 422, NotFound: 404, Conflict: 409, NotReady: 503, Forbidden: 403}


def status_of(exc: MatcherError) -> int:
    """The HTTP status of a domain error (its nearest kind in STATUS; 500 for a bare MatcherError)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def field_name(loc: tuple | list) -> str:
    """('body', 'certificates', 0, 'level') → 'body.certificates[0].level'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part in _TYPE_TAGS or "[" in part or part.startswith(_TAG_PREFIXES)):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def format_errors(errors: list[dict]) -> list[dict]:
    merged: dict[str, dict] = {}
    for err in errors:
        kind = err.get("type", "")
        loc = tuple(err.get("loc", ()))
        if kind == "json_invalid":
            loc = loc[:1]  # ('body', <char position>)
        field = field_name(loc)
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        zh = _ZH.get(kind)
        if zh and kind != "value_error":
            ctx = err.get("ctx") or {}
            detail = f"：{ctx['error']}" if kind == "json_invalid" and "error" in ctx else ""
            msg = f"{zh}{detail}（{msg}）"
        entry = merged.setdefault(field, {"field": field, "message": msg, "type": kind})
        if msg not in entry["message"]:
            entry["message"] += "；" + msg  # e.g. a value that is neither a string nor an integer
    return list(merged.values())


def _rid() -> str | None:
    return REQUEST_ID.get()


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": format_errors(list(exc.errors()))}, status_code=422)

    @app.exception_handler(MatcherError)
    async def on_domain(_request: Request, exc: MatcherError) -> JSONResponse:
        if isinstance(exc, InvalidInput):
            return JSONResponse({"detail": exc.items}, status_code=422)
        return JSONResponse({"detail": exc.message}, status_code=status_of(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI answers a body it cannot decode (not UTF-8, nested too deeply) with a bare 400; the
        # contract says bad input is a 422 naming the field
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            return JSONResponse(
                {
                    "detail": [
                        {
                            "field": "body",
                            "message": "请求体不是合法的 UTF-8 JSON（或嵌套过深）",
                            "type": "json_invalid",
                        }
                    ]
                },
                status_code=422,
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        rid = _rid() or request.scope.get("state", {}).get("request_id")
        return JSONResponse({"detail": "服务器内部错误 / internal server error", "request_id": rid}, status_code=500)


# --- the same shapes in the OpenAPI document -------------------------------------------------------------

_ERROR_TEXT = {
    "401": "缺少或错误的 API 密钥 / missing or invalid API key",
    "403": "角色或主体无权执行 / role or subject not allowed",
    "404": "不存在 / not found",
    "409": "与当前状态冲突 / conflict",
    "413": "请求体过大 / body too large",
    "422": "输入错误，逐项指明字段 / invalid input, each problem naming its field",
    "503": "服务未就绪 / not ready",
}


def document_errors(schema: dict) -> dict:
    """Give every documented error response its real body: FastAPI documents 422 with its own
    `HTTPValidationError` (loc/msg), which this API never sends, and knows nothing of 401/403 for keys."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in found.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = found
    for path in schema.get("paths", {}).values():
        for op in path.values():
            responses = op.setdefault("responses", {})
            if op.get("security"):
                for code in ("401", "403"):
                    responses.setdefault(code, {"description": _ERROR_TEXT[code]})
            for code, response in responses.items():
                if not code.startswith(("4", "503")):
                    continue
                model = ValidationErrorOut if code == "422" else ErrorOut
                if code == "422" or "content" not in response:
                    response["content"] = {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
                    }
                if response.get("description") in (None, "", "Validation Error"):
                    response["description"] = _ERROR_TEXT.get(code, response.get("description", ""))
    text = json.dumps(schema["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's, replaced above
        if f'"#/components/schemas/{unused}"' not in text:
            components.pop(unused, None)
    return schema


__all__ = [
    "STATUS",
    "status_of",
    "install",
    "format_errors",
    "field_name",
    "document_errors",
    "HTTPException",
]
