"""Tables to bytes: CSV (RFC 4180), JSON and one ZIP, the same bytes for the same record.

Pure formatting: what goes into a table is decided where the table is built.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import datetime

from bot.services.export.table import Cell, Table

# A spreadsheet runs a cell that starts with one of these as a formula; people's words in a
# moderator's spreadsheet must stay words (OWASP "CSV injection"). JSON keeps them exactly.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(table: Table) -> bytes:
    """A header row, then one line per row; CRLF line ends and quotes as RFC 4180 has them."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def json_bytes(table: Table) -> bytes:
    """A list of objects with the table's columns as keys, in the header's order."""
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def slug(name: str) -> str:
    """A community's name as a file name part: 'Café Común' -> 'cafe-comun'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    found = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return found or "community"


def zip_bytes(folder: str, readme: str, tables: Sequence[Table], made: datetime) -> bytes:
    """README.txt, then each table as CSV and JSON, all in one folder, in this order; every
    entry carries the moment it was made, so the same record gives the same bytes."""
    entries: list[tuple[str, bytes]] = [("README.txt", readme.encode("utf-8"))]
    for table in tables:
        entries.append((f"{table.name}.csv", csv_bytes(table)))
        entries.append((f"{table.name}.json", json_bytes(table)))
    stamp = (max(made.year, 1980), made.month, made.day, made.hour, made.minute, made.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
