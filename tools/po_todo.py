"""List the untranslated or fuzzy entries of a gettext catalogue as JSON, ready to be filled.

``python tools/po_todo.py locale/it/LC_MESSAGES/django.po [PATH_PREFIX ...]`` prints a JSON
object ``{key: ""}`` (``[ "", "" ]`` for plural entries) of the entries whose source references
start with one of the prefixes (all entries when none is given). Keys with a context are
``"context\\u0004msgid"``, as ``tools/po_fill.py`` expects.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _field(lines: list[str], name: str) -> str | None:
    for n, line in enumerate(lines):
        if line.startswith(name + " "):
            end = n + 1
            while end < len(lines) and lines[end].startswith('"'):
                end += 1
            return _unquote([line[len(name) + 1 :]] + lines[n + 1 : end])
    return None


def todo(po_path: Path, prefixes: list[str]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip("\n").split("\n")
        msgid = _field(lines, "msgid")
        if not msgid:
            continue
        refs = " ".join(line[3:] for line in lines if line.startswith("#: "))
        if prefixes and not any(
            ref.startswith(prefixes_) for ref in refs.split() for prefixes_ in prefixes
        ):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        plural = _field(lines, "msgid_plural")
        values = (
            [_field(lines, f"msgstr[{k}]") for k in (0, 1)] if plural else [_field(lines, "msgstr")]
        )
        if not fuzzy and all(values):
            continue
        ctxt = _field(lines, "msgctxt")
        key = f"{ctxt}\x04{msgid}" if ctxt else msgid
        out[key] = [msgid, plural or ""] if plural else ""
    return out


if __name__ == "__main__":
    entries = todo(Path(sys.argv[1]), sys.argv[2:])
    print(json.dumps(entries, ensure_ascii=False, indent=1))
