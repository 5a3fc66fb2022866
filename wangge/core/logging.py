"""Logs an operator can search: every record carries the id of the request it belongs to
(`X-Request-ID` from nginx, or a new one), and with WANGGE_LOG_FORMAT=json each record is
one JSON object per line (time, level, logger, message, request fields, exception)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

from django.conf import settings

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a request id from outside may look like (nginx's $request_id is 32 hex digits).
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("wangge.request")

# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id"}


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; keys: time (ISO 8601, UTC), level, logger, message,
    request_id, any `extra=` fields, and exc_info (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in data:
                data[key] = value
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Gives each request an id (kept from a well-formed `X-Request-ID`, else new), sends
    it back in `X-Request-ID`, and logs one line per request on `wangge.request` at INFO
    (shown when WANGGE_LOG_REQUESTS is on): method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _ID.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django logs a 404 or a 500 ("django.request") after the
        # middleware has returned, and that line should carry the id too. The thread's next
        # request sets its own.
        _request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if settings.WANGGE_LOG_REQUESTS:
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path,
                            "status": response.status_code,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
