"""Where Hearth's logs go and how each line looks: readable text for people (the default), or
one JSON object per line (HEARTH_LOG_FORMAT=json) for journald, Docker and log collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """time (UTC, ISO 8601), level, logger, message; error_id and exception when there are.

    The message is the same one the text format shows, so both formats keep the same promise:
    ids and counts, never tokens or what people wrote. An `error_id` given as `extra` (the id a
    person was told) gets a field of its own, so a collector can find the one line they quote.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        error_id = getattr(record, "error_id", None)
        if error_id is not None:
            line["error_id"] = str(error_id)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(log_format: Literal["text", "json"]) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """The root logger writes to stderr in the chosen format; Alembic only when something is
    wrong (it narrates every migration step at INFO). In JSON, Python's warnings (a library's
    deprecation notice) become log lines too, so every line stays one object."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler])
    if log_format == "json":
        logging.captureWarnings(True)
    quiet = max(logging.getLevelName(level), logging.WARNING)
    logging.getLogger("alembic").setLevel(quiet)
