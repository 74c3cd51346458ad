"""Which text encoding to decode a page's bytes with, decided as a browser decides it.

A declared charset label (the HTTP ``Content-Type``'s ``charset``) is looked up in the
WHATWG Encoding Standard's label table, the one browsers use, through resiliparse's
``map_encoding_to_html5``: ``x-sjis`` is Shift_JIS, ``utf8`` UTF-8, ``latin1`` and
``ascii`` windows-1252. MySQL's names for UTF-8 (``utf8mb4``, ``utf8mb3``), which sites
built on it send, are added. A label that neither knows (``none``, ``ansi``, Python-only
codecs such as ``punycode`` or ``undefined``, an empty one) is ignored and the encoding is
detected from the bytes (resiliparse's ``detect_encoding``, uchardet), as a browser falls
back to sniffing. A label is read up to its first comma: a comma joins the values of
repeated headers (``charset=UTF-8,text/html``), as in the Fetch standard. A byte-order mark
outranks any label, as in the Encoding Standard's decode algorithm.
"""

from __future__ import annotations

import codecs

from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5

#: labels outside the WHATWG table that name an encoding without doubt
EXTRA_LABELS: dict[str, str] = {"utf8mb4": "utf-8", "utf8mb3": "utf-8"}
#: byte-order marks and the encoding each one sets, UTF-8's first
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)


def resolve_charset(label: str | None) -> str | None:
    """The Python codec name of a charset label a browser knows, else ``None``."""
    if not label:
        return None
    name = label.split(",", 1)[0].strip().strip("'\"").strip().lower()
    if not name:
        return None
    return map_encoding_to_html5(name, fallback_utf8=False) or EXTRA_LABELS.get(name)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` sets, if there is one."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    return None


def encoding_of(data: bytes, label: str | None = None) -> str:
    """The codec to decode ``data`` with: its byte-order mark's, else its label's when a
    browser knows the label, else the one detected from the bytes."""
    return bom_encoding(data) or resolve_charset(label) or detect_encoding(data)
