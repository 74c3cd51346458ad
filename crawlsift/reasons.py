"""Every reason code crawlsift writes, with the stage that gives it and what it means.

A rejected row's ``reason`` and an edit's reason are codes from this list (the quality
filters' codes are declared by the signal modules, see :data:`crawlsift.signals.filters.REASONS`,
and :func:`every_reason` adds them). The modules that give a code import its constant from
here; the report and ``docs/reasons.md`` (``python -m crawlsift.report.reason_docs``, checked
current by a test) read the list.

This module imports nothing of crawlsift's, so that any layer can import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """A reason code: its stage, its effect (``reject``: the document is rejected; ``edit``:
    a span of its text is removed or rewritten; ``note``: the row says how it was read)
    and what it means."""

    code: str
    stage: str
    effect: str
    meaning: str
    column: str | None = None  # the signal column a filter rule reads


# -- reading (stage "read") ---------------------------------------------------------------
MISSING_TEXT = "missing_text"
BAD_JSON = "bad_json"
TRUNCATED_FILE = "truncated_file"
CORRUPT_FILE = "corrupt_file"
CORRUPT_ROW_GROUP = "corrupt_row_group"
BAD_WARC_RECORD = "bad_warc_record"
NON_TEXT_PAYLOAD = "non_text_payload"
NO_DOCUMENTS = "no_documents"
TOO_LARGE = "too_large"
# -- guard --------------------------------------------------------------------------------
BINARY = "binary"
# -- extract ------------------------------------------------------------------------------
EXTRACT_UNPARSABLE_HTML = "extract_unparsable_html"
PARSE_TIMEOUT = "parse_timeout"
DOM_TOO_DEEP = "dom_too_deep"
MAIN_CONTENT_EMPTY = "main_content_empty"
# -- repair -------------------------------------------------------------------------------
ERROR_PAGE = "error_page"
EMPTY_TEXT = "empty_text"
BOILERPLATE_ONLY = "boilerplate_only"
TOO_SHORT = "too_short"
TOO_MANY_LINES = "too_many_lines"
REPAIR_UNICODE = "repair_unicode"
REPAIR_ERROR_BANNER = "repair_error_banner"
REPAIR_REPEATED_BLOCK = "repair_repeated_block"
REPAIR_LEGAL_BOILERPLATE = "repair_legal_boilerplate"
REPAIR_LINK_LIST = "repair_link_list"
REPAIR_WIDGET = "repair_widget"
REPAIR_COOKIE_NOTICE = "repair_cookie_notice"
REPAIR_CALL_TO_ACTION = "repair_call_to_action"
REPAIR_CREDIT_LINE = "repair_credit_line"
REPAIR_LOW_CONTENT = "repair_low_content"
REPAIR_TITLE = "repair_title"
# -- engine -------------------------------------------------------------------------------
OUT_OF_MEMORY = "out_of_memory"
WORKER_DIED = "worker_died"
RECORD_TIMEOUT = "record_timeout"
# -- dedup --------------------------------------------------------------------------------
DEDUP_EXACT = "dedup_exact"
DEDUP_NEAR = "dedup_near"
DEDUP_EMPTY_TEXT = "dedup_empty_text"
DEDUP_BOILERPLATE_ONLY = "dedup_boilerplate_only"
SITE_BOILERPLATE = "site_boilerplate"

#: every code but the quality filters', by stage in pipeline order (dedup's in the order
#: its passes reach them)
REASONS: tuple[Reason, ...] = (
    Reason(MISSING_TEXT, "read", "reject", "a record without text or HTML"),
    Reason(BAD_JSON, "read", "reject", "a JSONL line that is not a JSON object"),
    Reason(TRUNCATED_FILE, "read", "reject", "a file cut short; the records before are read"),
    Reason(CORRUPT_FILE, "read", "reject", "damaged compressed data; the records before are read"),
    Reason(CORRUPT_ROW_GROUP, "read", "reject", "one row per record of an undecodable row group"),
    Reason(BAD_WARC_RECORD, "read", "reject", "a WARC or ARC record that cannot be read"),
    Reason(NON_TEXT_PAYLOAD, "read", "reject", "a payload that is neither HTML nor text"),
    Reason(NO_DOCUMENTS, "read", "reject", "a WARC file whose records hold no document"),
    Reason(TOO_LARGE, "guard", "reject", "a record over the size limit, never parsed"),
    Reason(BINARY, "guard", "reject", "NUL bytes or control characters: not text"),
    Reason(EXTRACT_UNPARSABLE_HTML, "extract", "reject", "HTML the parser cannot read"),
    Reason(PARSE_TIMEOUT, "extract", "reject", "HTML parsing past the record time limit"),
    Reason(DOM_TOO_DEEP, "extract", "note", "nesting too deep to score: all visible text kept"),
    Reason(MAIN_CONTENT_EMPTY, "extract", "note", "no main content found: visible text kept"),
    Reason(TOO_MANY_LINES, "repair", "reject", "more lines than a document has, unrepaired"),
    Reason(
        ERROR_PAGE, "repair", "reject", "an error page (HTTP status or banner) and nothing else"
    ),
    Reason(BOILERPLATE_ONLY, "repair", "reject", "nothing left but boilerplate"),
    Reason(EMPTY_TEXT, "repair", "reject", "no text"),
    Reason(TOO_SHORT, "repair", "reject", "fewer words left than the minimum"),
    Reason(REPAIR_UNICODE, "repair", "edit", "mojibake and broken characters fixed (ftfy)"),
    Reason(REPAIR_ERROR_BANNER, "repair", "edit", "an error banner above real content"),
    Reason(REPAIR_REPEATED_BLOCK, "repair", "edit", "a second copy of a block of lines"),
    Reason(REPAIR_LEGAL_BOILERPLATE, "repair", "edit", "a legal disclaimer or copyright line"),
    Reason(REPAIR_LINK_LIST, "repair", "edit", "a list of links (most popular, related)"),
    Reason(REPAIR_WIDGET, "repair", "edit", "share, comment or login widget residue"),
    Reason(REPAIR_COOKIE_NOTICE, "repair", "edit", "a cookie or consent notice"),
    Reason(REPAIR_CALL_TO_ACTION, "repair", "edit", "subscribe, sign up, download prompts"),
    Reason(REPAIR_CREDIT_LINE, "repair", "edit", "a photo or image credit line"),
    Reason(REPAIR_LOW_CONTENT, "repair", "edit", "menus, footers, teasers around the main text"),
    Reason(REPAIR_TITLE, "repair", "edit", "the headline, moved from the text to `title`"),
    Reason(OUT_OF_MEMORY, "engine", "reject", "a record that exhausts memory processed alone"),
    Reason(WORKER_DIED, "engine", "reject", "a record that kills its worker processed alone"),
    Reason(RECORD_TIMEOUT, "engine", "reject", "a record past the time limit in any stage"),
    Reason(DEDUP_EMPTY_TEXT, "dedup", "reject", "no words in the text as read"),
    Reason(DEDUP_BOILERPLATE_ONLY, "dedup", "reject", "no words left once site boilerplate went"),
    Reason(DEDUP_EXACT, "dedup", "reject", "an exact copy of a kept document"),
    Reason(DEDUP_NEAR, "dedup", "reject", "a near-duplicate (MinHash) of a kept document"),
    Reason(SITE_BOILERPLATE, "dedup", "edit", "a line repeated across many pages of its site"),
)


def every_reason() -> tuple[Reason, ...]:
    """:data:`REASONS` and the quality filters' codes (declared by the signal modules)."""
    from crawlsift.signals.filters import REASONS as FILTER_REASONS

    return (*REASONS, *FILTER_REASONS)


def by_stage(stage: str) -> tuple[str, ...]:
    """The reject codes of one stage, in list order."""
    return tuple(r.code for r in every_reason() if r.stage == stage and r.effect == "reject")
