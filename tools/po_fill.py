"""Fill or fix entries of a gettext catalogue from a JSON map ``{msgid: msgstr}``.

Used when a handful of new strings need their Italian text: it clears the ``fuzzy`` flag
and the previous-msgid comments of the entries it fills, and leaves everything else as is.
A plural entry takes a list ``[singular, plural]``. An entry with a context is looked up as
``"context\u0004msgid"`` first, then as the bare msgid.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def fill(po_path: Path, translations: dict[str, str | list[str]]) -> list[str]:
    blocks = po_path.read_text(encoding="utf-8").split("\n\n")
    done = []
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        m = [n for n, line in enumerate(lines) if line.startswith("msgid ")]
        if not m:
            continue
        start = m[0]
        end = start + 1
        while end < len(lines) and lines[end].startswith('"'):
            end += 1
        msgid = _unquote([lines[start][6:]] + lines[start + 1 : end])
        ctxt = [line for line in lines[:start] if line.startswith("msgctxt ")]
        key = msgid
        if ctxt and f"{json.loads(ctxt[0][8:])}\x04{msgid}" in translations:
            key = f"{json.loads(ctxt[0][8:])}\x04{msgid}"
        if key not in translations:
            continue
        head = [line for line in lines[:start] if not line.startswith("#|")]
        head = [re.sub(r"^#, fuzzy, ", "#, ", h) for h in head if h != "#, fuzzy"]
        body = lines[start:end]
        rest = lines[end:]
        plural = [line for line in rest if line.startswith("msgid_plural ")]
        value = translations[key]
        if plural:
            pend = rest.index(plural[0]) + 1
            while pend < len(rest) and rest[pend].startswith('"'):
                pend += 1
            if not isinstance(value, list):
                raise SystemExit(f"{msgid!r} is a plural entry: give [singular, plural]")
            new = body + rest[:pend] + [f"msgstr[{k}] {_quote(v)}" for k, v in enumerate(value)]
        else:
            new = body + [f"msgstr {_quote(str(value))}"]
        blocks[i] = "\n".join(head + new)
        done.append(key)
    po_path.write_text("\n\n".join(blocks), encoding="utf-8")
    return done


if __name__ == "__main__":
    po, mapping = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    filled = fill(po, mapping)
    missing = sorted(set(mapping) - set(filled))
    print(f"filled {len(filled)}; not found: {missing}")
