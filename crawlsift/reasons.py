"""Every reason code crawlsift writes, with the stage that gives it and what it means.

A rejected row's ``reason`` and an edit's reason are codes from this list, or declared
where their rule lives: the repair rules' edits by the rule modules
(:mod:`crawlsift.repair.registry`), the quality filters' codes by the signal modules (see
:data:`crawlsift.signals.filters.REASONS`); :func:`every_reason` adds both. The other
modules that give a code import its constant from here; the report and ``docs/reasons.md``
(``python -m crawlsift.report.reason_docs``, checked current by a test) read the list.

This module imports nothing of crawlsift's at import time (only inside the functions that
collect the declared codes), so that any layer can import it.
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
# -- url_filter (crawlsift.urlfilter.stage) --------------------------------------------------
URL_USER_BLOCKED = "url_user_blocked"
URL_USER_REGEX = "url_user_regex"
URL_BLOCKED_DOMAIN = "url_blocked_domain"
URL_BLOCKED_URL = "url_blocked_url"
URL_BANNED_WORD = "url_banned_word"
URL_SOFT_BANNED_WORDS = "url_soft_banned_words"
URL_BANNED_SUBWORD = "url_banned_subword"
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
# -- engine -------------------------------------------------------------------------------
OUT_OF_MEMORY = "out_of_memory"
WORKER_DIED = "worker_died"
RECORD_TIMEOUT = "record_timeout"
# -- pii (after the filters: kept text only) ----------------------------------------------
PII_EMAIL = "pii_email"
PII_IP = "pii_ip"
PII_PHONE = "pii_phone"
PII_CARD = "pii_card"
PII_IBAN = "pii_iban"
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
    Reason(URL_USER_BLOCKED, "url_filter", "reject", "a domain or URL on the user's block list"),
    Reason(URL_USER_REGEX, "url_filter", "reject", "a URL matching one of the user's regexes"),
    Reason(URL_BLOCKED_DOMAIN, "url_filter", "reject", "a domain on the shipped (UT1) list"),
    Reason(URL_BLOCKED_URL, "url_filter", "reject", "a URL on the shipped (UT1) list"),
    Reason(URL_BANNED_WORD, "url_filter", "reject", "a banned word in the URL"),
    Reason(URL_SOFT_BANNED_WORDS, "url_filter", "reject", "too many soft-banned words in the URL"),
    Reason(URL_BANNED_SUBWORD, "url_filter", "reject", "a banned string anywhere in the URL"),
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
    Reason(OUT_OF_MEMORY, "engine", "reject", "a record that exhausts memory processed alone"),
    Reason(WORKER_DIED, "engine", "reject", "a record that kills its worker processed alone"),
    Reason(RECORD_TIMEOUT, "engine", "reject", "a record past the time limit in any stage"),
    Reason(PII_EMAIL, "pii", "edit", "an e-mail address, replaced by a token"),
    Reason(PII_IP, "pii", "edit", "a public IPv4 or IPv6 address, replaced by a token"),
    Reason(PII_PHONE, "pii", "edit", "a phone number (phonenumbers), replaced by a token"),
    Reason(PII_CARD, "pii", "edit", "a payment-card number (Luhn-checked), replaced by a token"),
    Reason(PII_IBAN, "pii", "edit", "an IBAN (mod-97-checked), replaced by a token"),
    Reason(DEDUP_EMPTY_TEXT, "dedup", "reject", "no words in the text as read"),
    Reason(DEDUP_BOILERPLATE_ONLY, "dedup", "reject", "no words left once site boilerplate went"),
    Reason(DEDUP_EXACT, "dedup", "reject", "an exact copy of a kept document"),
    Reason(DEDUP_NEAR, "dedup", "reject", "a near-duplicate (MinHash) of a kept document"),
    Reason(SITE_BOILERPLATE, "dedup", "edit", "a line repeated across many pages of its site"),
)


def every_reason() -> tuple[Reason, ...]:
    """:data:`REASONS`, with the repair rules' codes after the repair stage's own and the
    quality filters' codes at the end (both declared where their rules live)."""
    from crawlsift.repair.registry import repair_rules
    from crawlsift.signals.filters import REASONS as FILTER_REASONS

    after_repair = max(i for i, r in enumerate(REASONS) if r.stage == "repair") + 1
    rules = tuple(r.reason for r in repair_rules())
    return (*REASONS[:after_repair], *rules, *REASONS[after_repair:], *FILTER_REASONS)


def by_stage(stage: str) -> tuple[str, ...]:
    """The reject codes of one stage, in list order. (The repair rules' codes are edits, so
    their modules are not imported: a module may import this one while the repair rules'
    modules are still being imported.)"""
    from crawlsift.signals.filters import REASONS as FILTER_REASONS

    return tuple(
        r.code for r in (*REASONS, *FILTER_REASONS) if r.stage == stage and r.effect == "reject"
    )
