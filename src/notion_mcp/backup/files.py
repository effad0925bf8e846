"""Files in an export: written atomically, named after titles.

Rule: a file in the export folder is replaced only by renaming a complete temporary file over it
(`write_atomic`), so an export killed at any moment leaves every file either old or new, never
half-written; temporaries (`.*.tmp`) are in the same folder (a rename across folders is not
atomic) and are swept by the next run.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

MAX_NAME = 80
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))})  # fmt: skip
TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes | str, *, durable: bool = False) -> None:
    """Replace `path` by `data` in one rename; `durable` also flushes it to the disk first (the
    manifest: a power cut must not leave it pointing at pages that were never on disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sweep_temporaries(root: Path) -> int:
    """Remove temporaries an interrupted run left behind; how many."""
    found = [p for p in root.rglob(f".*{TEMP_SUFFIX}") if p.is_file()]
    for p in found:
        p.unlink(missing_ok=True)
    return len(found)


def safe_name(title: str) -> str:
    """A file name (no extension) for a title: the title, minus what file systems refuse."""
    name = unicodedata.normalize("NFC", title)
    name = _UNSAFE.sub(" ", name).strip().strip(".").strip()
    name = re.sub(r"\s+", " ", name)[:MAX_NAME].strip() or "Untitled"
    if name.upper() in _RESERVED or name.startswith(("_", ".")):
        name = f"{name} page"
    return name


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… — the first not in `taken` (compared case-insensitively)."""
    lowered = {t.lower() for t in taken}
    candidate, n = name, 1
    while candidate.lower() in lowered:
        n += 1
        candidate = f"{name} ({n})"
    return candidate
