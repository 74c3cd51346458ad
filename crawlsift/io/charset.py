"""Decoding text payloads: which encoding their bytes are in, decided as a browser decides it.

A charset label (a ``Content-Type``'s ``charset``) is looked up in the WHATWG Encoding
Standard's label table, the one browsers use, through resiliparse's
``map_encoding_to_html5``: ``x-sjis`` is Shift_JIS, ``utf8`` UTF-8, ``latin1`` and ``ascii``
windows-1252. MySQL's names for UTF-8 (``utf8mb4``, ``utf8mb3``) are added. A label is read
up to its first comma (a comma joins the values of repeated headers, as in the Fetch
standard). A label that neither knows (``none``, ``ansi``, an empty one, or a Python codec
that is no text encoding, such as ``punycode`` or ``undefined``) is ignored, so it can never
fail a record. A byte-order mark outranks any label, as in the Encoding Standard's decode.

:func:`encoding_of` names the codec of an HTML page: the byte-order mark's, the label's,
else the one detected from the bytes, as a browser falls back to sniffing (the HTML parser
then decodes leniently). :func:`decode_text` decodes a text payload strictly with the first
encoding that fits the bytes: the byte-order mark's or the label's, else UTF-8 (bytes that
are valid UTF-8 are almost never meant as anything else, a check that is exact where
detection is statistical), else the encoding resiliparse's detector (uchardet) names, else
windows-1252, else ISO-8859-1, which decodes any bytes.
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

_BOM_LENGTH = {encoding: len(bom) for bom, encoding in BOMS}


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
    """The codec to decode an HTML page's ``data`` with: its byte-order mark's, else its
    label's when a browser knows the label, else the one detected from the bytes."""
    return bom_encoding(data) or resolve_charset(label) or _detected(data)


def _detected(data: bytes) -> str:
    """The encoding uchardet detects for ``data``. With the WHATWG remapping (on by default)
    resiliparse falls back to UTF-8 and never returns the None its stub allows."""
    return detect_encoding(data) or "utf-8"


def _strict(data: bytes, codec: str) -> str | None:
    """``data`` decoded with ``codec``, or None if the bytes do not fit it (or Python lacks it)."""
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):
        return None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits (see the module docstring).

    Returns the text (without a byte-order mark) and the name of the codec that decoded it.
    Never raises, whatever the label or the bytes.
    """
    bom = bom_encoding(data)
    if bom is not None and (text := _strict(data[_BOM_LENGTH[bom] :], bom)) is not None:
        return text, bom
    label = resolve_charset(declared)
    for codec in [label, "utf-8"] if label else ["utf-8"]:
        if (text := _strict(data, codec)) is not None:
            return text, codec
    detected = _detected(data)  # reached only by bytes that are not UTF-8
    if detected not in (label, "utf-8") and (text := _strict(data, detected)) is not None:
        return text, detected
    if (text := _strict(data, "cp1252")) is not None:
        return text, "cp1252"
    return data.decode("latin-1"), "latin-1"  # decodes any bytes
