"""Where the console puts the files replies carry: a terminal cannot show them, so each is
saved in a folder and the reply says where."""

from __future__ import annotations

import re
from pathlib import Path

from bot.replies import Attachment

_UNSAFE = re.compile(r"[^\w.\-]+")


def folder_for(database: str | Path) -> Path:
    """`<db stem>-files` beside a SQLite database; `hearth-files` here for a server database."""
    text = str(database)
    if "://" in text:
        return Path("hearth-files")
    path = Path(text)
    return path.with_name(f"{path.stem}-files")


def save(folder: Path, attachment: Attachment) -> Path:
    """Write the file under its own name, made safe for a path; a name already taken gets a
    number (`mydata-2.json`) rather than overwriting what an earlier reply saved."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = _UNSAFE.sub("_", Path(attachment.name).name).lstrip(".") or "file"
    stem, suffix = Path(safe).stem, Path(safe).suffix
    number = 1
    while True:
        path = folder / (safe if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with path.open("xb") as out:  # exclusive: never replaces an existing file
                out.write(attachment.data)
        except FileExistsError:
            number += 1
            continue
        return path.resolve()
