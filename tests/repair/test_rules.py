"""Each repair rule on small, general cases: what it removes and what it must keep."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift import RepairOptions
from crawlsift.repair.boilerplate import LEGAL_TERMS, WIDGET_WORDS, legal_terms, spellings

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)
PROSE2 = (
    "Critics said the plan leaves too little for maintenance, while supporters argued that the "
    "library will draw visitors and help local shops through the winter months."
)


def reasons(text: str, **opts: bool) -> dict[str, list[str]]:
    pipeline = crawlsift.make_pipeline(repair=RepairOptions(**opts)) if opts else None
    result = crawlsift.clean_text(text, pipeline=pipeline)
    out: dict[str, list[str]] = {}
    for e in result.edits:
        out.setdefault(e.reason, []).append(text[e.start : e.end])
    return out


def test_banner_mentioned_in_prose_is_kept():
    mention = "The report said the page not found errors rose after the redesign of the site."
    text = f"{PROSE}\n{mention}\n{PROSE2}"
    assert "repair_error_banner" not in reasons(text)


def test_access_denied_banner_removed_with_content_around():
    text = f"Access denied\nYou do not have permission to view this page.\n{PROSE}\n{PROSE2}"
    result = crawlsift.clean_text(text)
    assert not result.rejected
    assert result.text.startswith("The council approved")
    assert reasons(text)["repair_error_banner"] == [
        "Access denied\nYou do not have permission to view this page."
    ]


def test_interjection_belongs_to_a_banner_up_to_two_lines_away_blank_lines_counted():
    near = f"Page not found\n\nOops!\n{PROSE}\n{PROSE2}"
    assert reasons(near)["repair_error_banner"] == ["Page not found\n\nOops!"]
    far = f"Page not found\n\n\nOops!\n{PROSE}\n{PROSE2}"
    assert reasons(far)["repair_error_banner"] == ["Page not found"]


def test_repeated_paragraphs_keep_first_copy():
    text = f"{PROSE}\n{PROSE2}\n{PROSE}\n{PROSE2}"
    result = crawlsift.clean_text(
        text, pipeline=crawlsift.make_pipeline(repair=RepairOptions(title=False))
    )
    assert result.text == f"{PROSE}\n{PROSE2}"
    assert [e.reason for e in result.edits] == ["repair_repeated_block"]


def test_short_repeated_line_alone_is_kept():
    text = f"Yes\n{PROSE}\nYes\n{PROSE2}"
    assert "repair_repeated_block" not in reasons(text, low_content=False, title=False)


def test_one_paragraph_said_again_is_kept():
    # a pull quote or a refrain is one paragraph repeated, not a duplicated section
    text = f"{PROSE}\n{PROSE2}\n{PROSE}"
    result = crawlsift.clean_text(
        text, pipeline=crawlsift.make_pipeline(repair=RepairOptions(title=False))
    )
    assert result.text == text
    assert "repair_repeated_block" not in reasons(text, title=False)


def test_disclaimer_header_and_paragraph_removed():
    text = (
        f"{PROSE}\n{PROSE2}\nDisclaimer:\nThe publisher accepts no liability for the accuracy of "
        "third-party content and makes no representation about it."
    )
    assert reasons(text)["repair_legal_boilerplate"][0].startswith("Disclaimer:")


def test_copyright_line_removed():
    text = f"{PROSE}\n{PROSE2}\n© 2024 Example Media Group. All rights reserved."
    assert "repair_legal_boilerplate" in reasons(text)


def test_related_list_removed_up_to_next_prose():
    text = f"{PROSE}\nRelated articles\n• Mayor opens new bridge\n• Storm closes schools\n{PROSE2}"
    got = reasons(text)
    assert got["repair_link_list"] == [
        "Related articles\n• Mayor opens new bridge\n• Storm closes schools"
    ]
    assert crawlsift.clean_text(text).text.endswith(PROSE2)


def test_widget_residue_removed_but_words_in_prose_kept():
    invitation = "Leave a comment below and tell us what you think of the plan."
    text = f"{PROSE}\nShare this article\n0 Comments\n{PROSE2}\n{invitation}"
    got = reasons(text)
    assert got["repair_widget"] == ["Share this article\n0 Comments"]
    assert "tell us what you think" in crawlsift.clean_text(text).text


def test_cookie_notice_removed():
    notice = "We use cookies to improve your experience. By browsing you accept our cookie policy."
    text = f"{notice}\n{PROSE}"
    assert "repair_cookie_notice" in reasons(text)


def test_navigation_around_prose_removed_headings_inside_kept():
    nav = "Home\nNews\nSport\nWeather\nContact us"
    text = f"{nav}\n{PROSE}\nWhat happens next\n{PROSE2}\nAbout\nCareers\nPress"
    result = crawlsift.clean_text(
        text, pipeline=crawlsift.make_pipeline(repair=RepairOptions(title=False))
    )
    assert result.text == f"{PROSE}\nWhat happens next\n{PROSE2}"
    assert {e.reason for e in result.edits} == {"repair_low_content"}


def test_document_without_prose_is_left_alone():
    text = "Apples\nPears\nPlums\nCherries"
    result = crawlsift.clean_text(text)
    assert not result.rejected
    assert result.text == text


def test_mojibake_is_repaired_and_logged():
    damaged = (
        "The cafÃ© reopened after the storm, and the ownerâ€™s family served soup to everyone."
    )
    text = f"{damaged}\n{PROSE}"
    result = crawlsift.clean_text(
        text, pipeline=crawlsift.make_pipeline(repair=RepairOptions(title=False))
    )
    assert result.text.startswith("The café reopened")
    assert "owner’s family" in result.text
    (fix,) = [e for e in result.edits if e.reason == "repair_unicode"]
    assert fix.replacement.startswith("The café")


def test_whitespace_is_normalised_and_paragraph_breaks_kept():
    text = f"  {PROSE}  \n\n\n{PROSE2}\t"
    result = crawlsift.clean_text(text)
    assert result.text == f"{PROSE}\n\n{PROSE2}"


def test_a_line_of_one_c1_control_is_repaired_not_dropped_as_white_space():
    # U+0085 is white space to the regular expressions, and ftfy reads it as cp1252's "…"
    result = crawlsift.clean_text(f"{PROSE}\n\x85\n{PROSE2}")
    assert result.text == f"{PROSE}\n…\n{PROSE2}"
    assert [(e.reason, e.replacement) for e in result.edits] == [("repair_unicode", "…")]


def test_empty_text_is_rejected():
    assert crawlsift.clean_text("  \n ").reason == "empty_text"


def test_title_taken_from_headline_line():
    result = crawlsift.clean_text(f"Council Approves Budget\n{PROSE}")
    assert result.title == "Council Approves Budget"
    assert result.text == PROSE


# page furniture in the languages of the crawl: the page's prompts are in its own language
ARTIKEL = (
    "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt beschlossen, der mehr "
    "Geld für Schulen, Straßen und die Erweiterung der Stadtbibliothek vorsieht."
)
ARTIKEL2 = (
    "Kritiker sagen, der Plan lasse zu wenig Geld für die Instandhaltung, während Befürworter "
    "erwarten, dass die Bibliothek Besucher anzieht und den Geschäften hilft."
)


def test_related_list_removed_in_other_languages():
    for header in ("Mehr zum Thema", "Lea también", "À lire aussi", "Czytaj także:"):
        related = f"{header}\n• Bürgermeister eröffnet Brücke\n• Sturm schließt Schulen"
        got = reasons(f"{ARTIKEL}\n{related}\n{ARTIKEL2}")
        assert got["repair_link_list"] == [related], header


def test_teaser_line_removed_but_prose_that_starts_alike_kept():
    teaser = "Lesen Sie auch: Bürgermeister eröffnet die neue Brücke am Hafen"
    prose = "Read more about the budget in the council's report, which runs to forty pages."
    got = reasons(f"{ARTIKEL}\n{teaser}\n{ARTIKEL2}\n{prose}")
    assert got["repair_link_list"] == [teaser]
    assert prose in crawlsift.clean_text(f"{PROSE}\n{prose}\n{PROSE2}").text


def test_widget_residue_removed_in_other_languages():
    text = f"{ARTIKEL}\nKommentar schreiben\nArtikel teilen\n{ARTIKEL2}\nCompartir en Facebook"
    assert reasons(text)["repair_widget"] == [
        "Kommentar schreiben\nArtikel teilen",
        "Compartir en Facebook",
    ]


def test_widget_words_are_plain_words_tried_longest_first():
    # a pattern among them ("comments?") was ordered by its own length, tied with the longer
    # word it eats the start of ("commenter"), so a set's hash order decided which came first
    words = WIDGET_WORDS.split("|")
    assert all(re.fullmatch(r"[\w-]+", w) for w in words), [w for w in words if "?" in w]


def test_a_line_of_widget_words_that_start_alike_is_removed():
    text = f"{PROSE}\n{PROSE2}\nCommenter Commenter\nComments 3 minutes"
    assert reasons(text)["repair_widget"] == ["Commenter Commenter\nComments 3 minutes"]


def test_comment_form_lines_of_blog_templates_removed():
    form = "Your email address will not be published. Required fields are marked *"
    assert reasons(f"{PROSE}\n{PROSE2}\n{form}")["repair_widget"] == [form]


def test_cookie_notice_removed_in_other_languages():
    notice = "Diese Website verwendet Cookies. Mit der Nutzung erklären Sie sich einverstanden."
    assert "repair_cookie_notice" in reasons(f"{notice}\n{ARTIKEL}\n{ARTIKEL2}")
    # "utilize" is not the Spanish "utiliza": a line about cookies in a guide stays
    guide = "• Behavioral tracking: Utilize cookies and session data to follow user actions"
    assert "repair_cookie_notice" not in reasons(f"{PROSE}\n{guide}\n{PROSE2}")


def test_calls_to_action_removed_but_a_newsletter_mentioned_in_prose_kept():
    prompts = [
        "Melde dich jetzt für unseren Newsletter an",
        "Follow The Gazette on Twitter and Instagram for updates.",
        "Subscribe now to our print edition for the full story.",
    ]
    mention = (
        "The State of Cities is my monthly newsletter on urban policy, sent to 20,000 readers."
    )
    text = f"{PROSE}\n{prompts[0]}\n{PROSE2}\n{prompts[1]}\n{mention}\n{prompts[2]}"
    got = reasons(text)
    assert got["repair_call_to_action"] == prompts
    assert mention in crawlsift.clean_text(f"{PROSE}\n{mention}\n{PROSE2}").text


def test_picture_and_source_credits_removed_but_code_kept():
    credits = ["Foto: dpa/Michael Kappeler", "Das Rathaus am Abend. (Foto: Stadt Kiel)"]
    text = f"{ARTIKEL}\n{credits[0]}\n{ARTIKEL2}\n{credits[1]}"
    assert reasons(text)["repair_credit_line"] == credits
    config = "image: postgres:18"
    assert "repair_credit_line" not in reasons(f"{PROSE}\n{config}\n{PROSE2}")


# -- the legal rule's term count -------------------------------------------------------------


def test_spellings_of_a_pattern_of_literals_and_alternatives():
    assert spellings(r"\bterms of (?:use|service)\b") == {"terms of use", "terms of service"}
    assert spellings(r"\bno representations?\b") == {"no representation", "no representations"}
    assert spellings(r"[ab]c") == {"ac", "bc"}
    for pattern in (r"\w+", r"a.c", r"\d{2,}"):
        with pytest.raises(ValueError):
            spellings(pattern)


def test_no_legal_term_can_match_where_or_inside_where_another_matches():
    """What lets one scan count the distinct terms (``boilerplate.legal_terms``): a match of
    one term never hides a match of another, at its start or inside it. A term that starts
    with a word boundary cannot start right after a letter; other boundaries are ignored,
    which can only find more overlaps than there are."""
    terms = [spellings(t) for t in LEGAL_TERMS]
    for a, spelled_a in enumerate(terms):
        for b, spelled_b in enumerate(terms):
            bounded = LEGAL_TERMS[b].startswith(r"\b")
            for u in spelled_a if a != b else ():
                for t in spelled_b:
                    for i in range(len(u)):
                        if i and bounded and u[i - 1].isalnum():
                            continue
                        rest = u[i:]
                        assert not (rest.startswith(t) or t.startswith(rest)), (u, t, i)


SPELLED = sorted({s for t in LEGAL_TERMS for s in spellings(t)})
GLUE = ["", " ", "x", "é", "² ", ", ", "-", "\u0301", "s "]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(GLUE), st.sampled_from(SPELLED)), max_size=6))
@example([("", "terms of use"), (" ", "terms of service"), (" ", "copyright"), ("x", "as is")])
def test_legal_term_count_is_the_count_of_terms_each_matched_alone(parts):
    line = "".join(glue + spelled for glue, spelled in parts) + " end"
    frame = pl.DataFrame({"norm": [line]})
    counted = frame.select(legal_terms(pl.col("norm"))).item()
    each = sum(frame.select(pl.col("norm").str.contains(t)).item() for t in LEGAL_TERMS)
    assert counted == each
