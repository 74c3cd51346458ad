"""Boilerplate lines and blocks: legal notices, link lists, widget residue, cookie prompts,
calls to action and picture credits.

Each rule recognises a *kind* of page furniture by its wording and shape, never by a
site's exact strings. The wording is page-furniture vocabulary in the languages most
common in web crawls (English, German, Spanish, Portuguese, French, Italian, Dutch,
Polish), as a page's menus and prompts are in its own language:

- ``repair_legal_boilerplate``: disclaimers and copyright lines (a header such as
  "Legal Disclaimer:" with the paragraph after it, or any paragraph dense in legal
  vocabulary, or a short "© 2024 … All rights reserved" line);
- ``repair_link_list``: a "most popular / related / read also" header and the run of
  headline-like lines (no sentence ending, or bulleted) that follows it, up to the next
  line of prose; and a teaser line, a "Read more: <headline>" pointing at another page;
- ``repair_widget``: share / comment / subscribe / login residue, i.e. short lines
  made only of widget words and counts ("CommentsNo comment", "Share this article",
  "0 Comments"), and blog-template footers ("Bookmark the permalink");
- ``repair_cookie_notice``: cookie consent prompts;
- ``repair_call_to_action``: short prompts to subscribe, sign up for a newsletter or
  follow the site elsewhere ("Join our newsletter", "Follow us on Twitter and Facebook");
- ``repair_credit_line``: a short line that credits a picture or a source ("Foto: dpa",
  "Quelle: Reuters"), or a caption ending in such a credit.
"""

from __future__ import annotations

import re._constants as _sre_c
import re._parser as _sre
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any

import polars as pl

from crawlsift.repair.lines import Rule, matches_where, only_where
from crawlsift.repair.registry import RepairRule

LEGAL = "repair_legal_boilerplate"
LINK_LIST = "repair_link_list"
WIDGET = "repair_widget"
COOKIE = "repair_cookie_notice"
CALL_TO_ACTION = "repair_call_to_action"
CREDIT = "repair_credit_line"

LEGAL_HEADER = (
    r"^(?:legal )?(?:disclaimer|disclosure|notice)s?\s*:?$"
    r"|^(?:terms (?:of (?:use|service)|and conditions)|copyright notice)\s*:?$"
)
#: legal vocabulary; a paragraph hitting several distinct terms is a legal notice
LEGAL_TERMS: tuple[str, ...] = (
    r"\bas is\b",
    r"without (?:any )?warrant",
    r"\bliabilit",
    r"\bresponsibility\b",
    r"\baccuracy\b",
    r"\bcompleteness\b",
    r"\breliability\b",
    r"\bcopyright",
    r"all rights reserved",
    r"\bnot be (?:reproduced|republished|redistributed)",
    r"\bdisclaim",
    r"\bendorse",
    r"\bno representations?\b",
    r"\binfring",
    r"\bterms of (?:use|service)\b",
    r"\bprivacy policy\b",
    r"\bprior written (?:consent|permission)\b",
    r"\bfor informational purposes only\b",
    r"\bdoes not constitute\b",
)
COPYRIGHT_LINE = r"©\s*\w|(?:copyright|\(c\))\s*(?:©\s*)?\d{4}|all rights reserved"

#: "related / most read / read also" headers, by language; matched on a short line. A
#: phrase ends where a non-word character follows (not ``\b``: a Unicode word boundary
#: keeps polars' regex engine off its fast automaton, 0.23 ms a page on all-visible text)
_LIST_HEADERS: tuple[str, ...] = (
    # English
    r"^(?:the )?(?:most (?:popular|read|viewed|shared|commented|recent)|popular|trending|related"
    r"|recommended|top|latest|recent|more|other|similar|featured|editor'?s? picks?)"
    r"(?: now| today| this week)?"
    r"(?: (?:stories|articles|posts|news|headlines|reads|content|videos|links|topics|on \w+"
    r"|from \w+(?: \w+)?|in \w+(?: \w+)?|for you))?\s*:?$",
    r"^(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|read (?:more|next|also)"
    r"|also read|don'?t miss|what to read next|more like this|recommended for you"
    r"|in case you missed it|explore further)(?:\W.{0,29})?$",
    # German
    r"^(?:weitere|ähnliche|verwandte|neueste|aktuelle|beliebte|meistgelesene|empfohlene|mehr"
    r"|andere|top)[- ]?(?:artikel|beiträge|nachrichten|news|themen|meldungen|stories|videos"
    r"|links)(?: zum thema| aus \w+(?: \w+)?| zu \w+)?\s*:?$",
    r"^(?:mehr zum thema|passend zum thema|zum thema|meist ?gelesen|empfehlungen"
    r"(?: der redaktion)?|lesenswert|auch interessant|(?:das|dieses thema) könnte (?:sie|dich|euch)"
    r" (?:auch )?interessieren|(?:sie|du) könnte(?:n|st) auch interessieren|lesen sie"
    r" (?:auch|mehr|weiter)|auch lesen|weiterlesen|mehr lesen|schon gelesen|zum weiterlesen"
    r"|weiterführende links?|weiterführender link|weitere (?:aktuelle )?themen|mehr zu)"
    r"(?:\W.{0,39})?$",
    # Spanish, Portuguese
    r"^(?:(?:lea|lee|leia|veja|mira|vea) (?:también|tambem|também|además|más|mais)"
    r"|(?:también )?(?:le|te) (?:puede|podría|pueden|podrían) interesar|puedes ver"
    r"|(?:noticias|artículos|notas|notícias|artigos|matérias) relacionad[oa]s"
    r"|lo más (?:leído|visto)|más (?:leídas|vistas|populares|noticias)|más sobre|más de"
    r"|mais (?:lidas|vistas)|relacionad[oa]s|(?:você|voce) (?:também )?(?:pode|poderá) gostar)"
    r"(?:\W.{0,39})?$",
    # French, Italian
    r"^(?:(?:à|a) lire (?:aussi|également)|lire (?:aussi|la suite|également)|sur le même"
    r" (?:sujet|thème)|articles? (?:similaires|liés|connexes|recommandés)|vous (?:aimerez"
    r"|pourriez aimer) (?:aussi|également)|les plus (?:lus|populaires)|voir aussi|dans la même"
    r" rubrique|plus d'articles|leggi anche|potrebbe interessarti|ti potrebbe(?:ro)?"
    r" (?:interessare|piacere)|articoli correlati|(?:i )?più letti|altri articoli)"
    r"(?:\W.{0,29})?$",
    # Dutch, Polish
    r"^(?:lees (?:ook|meer|verder)|gerelateerde artikelen|meer (?:nieuws|artikelen)|meest gelezen"
    r"|czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również)|podobne artykuły"
    r"|najczęściej czytane|polecane(?: artykuły)?|powiązane(?: artykuły)?)(?:\W.{0,29})?$",
)
LIST_HEADER = "|".join(_LIST_HEADERS)
#: a teaser line: a "read also" lead-in, then the headline of another page on the same line
TEASER = (
    r"^(?:read (?:more|also|next)|also read|see also|lea(?: (?:también|además|más))?|mire"
    r"|lee (?:también|más)|vea(?: también)?|mira(?: también)?|puedes ver"
    r"|(?:también )?(?:le|te) puede interesar|lesen sie (?:auch|mehr|hier)|auch lesen"
    r"|schon gelesen\??|zum weiterlesen|mehr zum thema|mehr dazu|(?:à|a) lire (?:aussi|également)"
    r"|lire aussi|voir aussi|leggi anche|leia (?:também|mais)|veja (?:também|mais)|lees ook"
    r"|czytaj (?:też|także|również)|zobacz (?:też|także)|dowiedz się więcej)\s*(?::|»|›|>>)"
)
BULLET = r"^(?:[-–—•·*▪►»›]|\d{1,2}[.)])\s"

#: widget words, plain words (no regular-expression syntax, so that the longest-first order
#: below holds); a short line made only of these (and numbers) is widget residue
WIDGET_WORDS = "|".join(
    (
        # English
        r"comments|comment|no|leave|add|post|write|a|an|your|reply|replies|share|shares|shared|this"
        r"|article|story|post|page|on|via|to|with|us|facebook|twitter|x|linkedin|whatsapp"
        r"|telegram|reddit|pinterest|tumblr|email|e-mail|mail|print|tweet|pin|it|subscribe"
        r"|subscribed|newsletter|sign|up|in|log|login|logout|register|follow|like|likes|save"
        r"|saved|bookmark|copy|link|view|views|read|min|minutes|minute|be|the|first|to|comment|report"
        r"|flag|vote|votes|upvote|downvote|permalink|embed|more|options|back|top|close|menu"
        r"|toggle|navigation|search|skip|content|advertisement|sponsored|ad|you|would|want"
        r"|discuss",
        # German
        r"kommentar|kommentare|kommentaren|kommentieren|antwort|antworten|teilen|teile|drucken"
        r"|merken|folgen|abonnieren|anmelden|registrieren|artikel|beitrag|jetzt|einen|eine"
        r"|schreiben|hinterlasse|hinterlassen|mit|auf|per|zum|den|dem|der|die|das|diesen|dieser"
        r"|diese|seite|nach|oben|schließen|suche|werbung|anzeige|lesen|vorlesen|speichern"
        r"|kopieren|keine|kein|sie|du|uns|ihre|ihren|deine|deinen|freunden|möchten|möchtest"
        r"|willst|diskutieren|anderen",
        # Spanish, Portuguese
        r"comentarios|comentario|comentar|compartir|comparte|compartilhar|imprimir|suscríbete"
        r"|suscribirse|seguir|síguenos|siga|en|el|la|los|las|este|esta|artículo|nota|publicidad"
        r"|guardar|enviar|correo|responder|deja|dejar|un|una|tu|su|nos|nosotros",
        # French, Italian, Dutch, Polish
        r"commentaires|commentaire|commenter|partager|partagez|imprimer|abonnez|abonner|suivez"
        r"|nous|sur|cet|cette|le|les|publicité|réagir|réactions|réaction|envoyer|laisser|laissez"
        r"|votre|vos|une|ce|de|du|commenti|commento|condividi|stampa|iscriviti|seguici|reageer"
        r"|reacties|reactie|delen|komentarze|komentarz|udostępnij|skomentuj|drukuj",
    )
)
#: the same words, longest first, so that "advertisement" is not eaten as "a" + rest; a total
#: order, as a set's order changes with the process's hash seed
_WIDGET_WORDS_LONGEST_FIRST = "|".join(
    sorted(set(WIDGET_WORDS.split("|")), key=lambda w: (-len(w), w))
)
WIDGET_CORE = (
    r"comment|share|subscribe|newsletter|tweet|print|e-?mail|facebook|twitter|linkedin|whatsapp"
    r"|reply|sign ?(?:up|in)|log ?in|follow|bookmark|permalink|advertisement|sponsored|skip to"
    r"|kommentar|teilen|drucken|abonnier|antwort|comentar|compartir|imprimir|suscr|partag"
    r"|imprimer|abonn|réaction|réagir|commenti|condividi|iscriviti|reacties|delen|komentarz"
    r"|udostępnij"
)
#: a blog template's footer and comment-form lines, which are widget residue too
TEMPLATE_FOOTER = (
    r"^this entry was posted\b|bookmark the permalink|\bverwendet akismet\b"
    r"|uses akismet to reduce spam|^(?:der|dieser) (?:beitrag|eintrag|artikel) wurde am\b.{0,120}"
    r"(?:veröffentlicht|abgelegt)|\babgelegt unter\b"
    r"|^your email address will not be published|^deine e-mail-adresse wird nicht veröffentlicht"
    r"|^ihre e-mail-adresse wird nicht veröffentlicht|^tu dirección de correo electrónico no será"
    r"|^votre adresse (?:e-mail|de messagerie) ne sera pas publiée|required fields are marked"
    r"|please reload captcha"
)
COOKIE_LINE = (
    r"\bcookies?\b.*\b(?:use|accept|consent|agree|privacy|experience|browsing|settings|policy"
    r"|verwende[nt]?|nutze[nt]?|nutzung|einverstanden|akzeptier\w*|zustimm\w*|einwillig\w*"
    r"|datenschutz\w*|utiliza(?:mos)?|usamos|acepta\w*|consentimiento|política|privacidad"
    r"|utilise|utilisons|acceptez|consentement|confidentialité|utilizza\w*|accett\w*|consenso"
    r"|gebruik\w*|akkoord|korzysta\w*|akceptuj\w*|zgod\w*|prywatności)\b"
    r"|^(?:what are cookies|was sind cookies|qu'est-ce qu'un cookie)\??$"
)
#: prompts to subscribe, sign up or follow; matched on a short line
CALL_TO_ACTION_LINE = (
    # a sign-up verb near "newsletter", either way round ("Abonniere unseren Newsletter",
    # "Melde dich für unseren Newsletter an"); a line that merely mentions one is kept
    r"\b(?:sign(?:ing)? up|subscribe|join|get|receive|register|abonnier\w*|anmeld\w*|melde\w*"
    r"|erhalten|bestell\w*|zamów\w*|suscr[ií]b\w*|inscri\w*|iscriv\w*)\b[^.!?]{0,40}"
    r"\bnewsletters?\b"
    r"|\bnewsletters?\b[^.!?]{0,30}\b(?:abonnier\w*|anmeld\w*|an|erhalten|bestell\w*|sign ?up"
    r"|suscr[ií]b\w*|inscri\w*)\b"
    r"|enter your e-?mail|e-mail-adresse ein|(?:straight|right) to your inbox|abonnieren sie"
    r"|jetzt (?:abonnieren|registrieren)\b|suscr[ií]bete|abonnez-vous|iscriviti|zapisz się"
    r"|\bplease subscribe\b|\bsubscribe (?:now|today)\b|already a subscriber"
    r"|(?:hazte|hágase) (?:miembro|socio|suscriptor)"
    r"|^(?:follow|síguenos|siguenos|sígannos|folge|folgt|folgen sie|suivez|seguici|volg)\b"
    r"[^.]{0,100}\b(?:twitter|facebook|instagram|telegram|youtube|linkedin|tiktok|whatsapp)"
)
_PICTURE = r"(?:foto|fotos|photo|photos|bild|bilder|crédito|créditos|fot\.)"
_SOURCE = r"(?:source|quelle|fuente|fonte|źródło|abbildung)"
#: a credit line ("Foto: dpa", "Quelle: Reuters"), or a caption ending in one ("(Foto: Getty)")
CREDIT_LINE = (
    rf"^[(\[]?(?:{_PICTURE}|{_SOURCE}|fotografía|foto di|zdjęcie)\s*:"
    rf"|[(\[/|]\s*(?:{_PICTURE}|{_SOURCE}|credits?)\s*:\s*[^.!?]{{1,60}}[)\]]?$"
)


def _previous_content(expr: pl.Expr) -> pl.Expr:
    """``expr`` evaluated on the nearest earlier non-blank line of the same doc."""
    marked = pl.when(~pl.col("blank")).then(expr)
    return marked.shift(1).forward_fill().over("doc")


def spellings(pattern: str) -> frozenset[str]:
    """Every string ``pattern`` can match, for a pattern made of literal characters,
    alternatives, optional parts and word boundaries (a finite language); ``ValueError`` for
    any other construct. Read from Python's own parse of the pattern (``re._parser``)."""
    return frozenset(_spell(_sre.parse(pattern)))


def _spell(items: Iterable[tuple[Any, Any]]) -> list[str]:
    out = [""]
    for op, arg in items:
        if op is _sre_c.AT:  # a boundary matches no characters
            continue
        if op is _sre_c.LITERAL:
            parts = [chr(arg)]
        elif op is _sre_c.SUBPATTERN:
            parts = _spell(arg[-1])
        elif op is _sre_c.BRANCH:
            parts = [s for branch in arg[1] for s in _spell(branch)]
        elif op is _sre_c.IN and all(kind is _sre_c.LITERAL for kind, _ in arg):
            parts = [chr(code) for _, code in arg]
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and arg[1] <= 4:
            low, high, item = arg
            once = _spell(item)
            parts = ["".join(p) for k in range(low, high + 1) for p in product(once, repeat=k)]
        else:
            raise ValueError(f"not a finite pattern of literals: {op} in {items}")
        out = [a + b for a in out for b in parts]
    return out


#: any legal term; the term a match of it is, by its spelling
_ANY_LEGAL_TERM = "|".join(f"(?:{t})" for t in LEGAL_TERMS)
_LEGAL_TERM_OF = {s: str(i) for i, t in enumerate(LEGAL_TERMS) for s in spellings(t)}


def legal_terms(norm: pl.Expr) -> pl.Expr:
    """How many distinct ``LEGAL_TERMS`` occur in ``norm``.

    One scan finds the non-overlapping matches of all terms at once, and each match is named
    by its term, looked up by its spelling; counting the distinct names counts the terms that
    occur, because no term's match can start where another term's match starts or inside it
    (``tests/repair/test_rules.py`` checks this of the vocabulary). One pattern, not one per
    term: polars keeps the 32 regular expressions last compiled per thread, and the stage's
    other patterns with 19 more would recompile all of them on every batch.
    """
    named = pl.element().replace(_LEGAL_TERM_OF)
    return norm.str.extract_all(_ANY_LEGAL_TERM).list.eval(named).list.n_unique()


@dataclass(frozen=True, kw_only=True)
class LegalOptions:
    """Thresholds of the legal-boilerplate rule."""

    #: legal terms that make a line a disclaimer
    min_terms: int = 3
    #: longer lines are never disclaimers
    max_words: int = 200


@cache
def legal_rule(opts: LegalOptions) -> Rule:
    """Legal disclaimers, terms notices and copyright lines."""
    min_terms, max_words = opts.min_terms, opts.max_words
    head = pl.col("norm").str.contains(LEGAL_HEADER) & (pl.col("nwords") <= 5)
    # whether a line has a legal term is a mask; how many distinct terms, a layer, counted
    # only on the lines that have one: counting costs several times the scan, most pages
    # have no legal term at all, and on a batch the lines that have one are few
    after_header = _previous_content(pl.col("_lhead")).fill_null(False) & pl.col("_lterm")
    dense = (pl.col("_lterms") >= min_terms) & (pl.col("nwords") <= max_words)
    copyright_line = matches_where(COPYRIGHT_LINE, pl.col("nwords") <= 30)
    return Rule(
        LEGAL,
        masks=(
            head.alias("_lhead"),
            pl.col("norm").str.contains(_ANY_LEGAL_TERM).alias("_lterm"),
            copyright_line.alias("_copyright"),
        ),
        layers=((legal_terms(only_where(pl.col("_lterm"))).alias("_lterms"),),),
        hit=pl.col("_lhead") | after_header | dense | pl.col("_copyright"),
        # a line after a header needs a header; a dense one, legal terms
        needs=("_lhead", "_lterm", "_copyright"),
    )


@dataclass(frozen=True, kw_only=True)
class CookieOptions:
    """Thresholds of the cookie-notice rule."""

    #: longer lines are never cookie notices
    max_words: int = 80


@cache
def cookie_rule(opts: CookieOptions) -> Rule:
    """Cookie consent prompts."""
    max_words = opts.max_words
    cookie = matches_where(COOKIE_LINE, pl.col("nwords") <= max_words)
    return Rule(COOKIE, masks=(cookie.alias("_cookie"),), hit=pl.col("_cookie"), needs=("_cookie",))


@dataclass(frozen=True, kw_only=True)
class WidgetOptions:
    """Thresholds of the widget-residue rule."""

    #: longer lines are never widget residue
    max_words: int = 10
    #: longer lines are never template footers
    footer_words: int = 40


@cache
def widget_rule(opts: WidgetOptions) -> Rule:
    """Share / comment / subscribe residue, and blog template footers."""
    max_words, footer_words = opts.max_words, opts.footer_words
    candidate = matches_where(WIDGET_CORE, pl.col("nwords") <= max_words)
    # the residue is computed on candidate lines only, the others blanked first
    residue = (
        only_where(pl.col("_widget"))
        .str.replace_all(_WIDGET_WORDS_LONGEST_FIRST, "")
        .str.replace_all(r"[\d\W_]+", "")
    )
    widget = pl.col("_widget") & (residue.str.len_chars() == 0)
    footer = matches_where(TEMPLATE_FOOTER, pl.col("nwords") <= footer_words)
    return Rule(
        WIDGET,
        masks=(candidate.alias("_widget"), footer.alias("_footer")),
        hit=widget | pl.col("_footer"),
        needs=("_widget", "_footer"),
    )


@dataclass(frozen=True, kw_only=True)
class CallToActionOptions:
    """Thresholds of the call-to-action rule."""

    #: longer lines are never prompts
    max_words: int = 40


@cache
def call_to_action_rule(opts: CallToActionOptions) -> Rule:
    """Short prompts to subscribe, sign up for a newsletter or follow the site elsewhere."""
    max_words = opts.max_words
    prompt = matches_where(CALL_TO_ACTION_LINE, pl.col("nwords") <= max_words)
    return Rule(
        CALL_TO_ACTION, masks=(prompt.alias("_prompt"),), hit=pl.col("_prompt"), needs=("_prompt",)
    )


@dataclass(frozen=True, kw_only=True)
class CreditOptions:
    """Thresholds of the credit-line rule."""

    #: longer lines are never credits
    max_words: int = 12


@cache
def credit_rule(opts: CreditOptions) -> Rule:
    """Short picture and source credits, alone or ending a caption."""
    max_words = opts.max_words
    credit = matches_where(CREDIT_LINE, pl.col("nwords") <= max_words)
    return Rule(CREDIT, masks=(credit.alias("_credit"),), hit=pl.col("_credit"), needs=("_credit",))


@dataclass(frozen=True, kw_only=True)
class LinkListOptions:
    """Thresholds of the link-list rule."""

    #: a headline or teaser in a list has at most this many words
    max_words: int = 30


@cache
def link_list_rule(opts: LinkListOptions) -> Rule:
    """A list header and the headline-like lines that follow it, up to the next prose; a
    teaser line ("Read more: <headline>")."""
    max_words = opts.max_words
    header = matches_where(LIST_HEADER, pl.col("nwords") <= 8)
    headline = (pl.col("nwords") <= max_words) & (
        ~pl.col("norm").str.ends_with(".") | pl.col("norm").str.contains(BULLET)
    )
    teaser = matches_where(TEASER, pl.col("nwords") <= max_words)
    removed = pl.col("reason").is_not_null()
    # 1 after a list header, 0 after a line of prose; lines in between inherit
    state = (
        pl.when(pl.col("_header"))
        .then(pl.lit(1))
        .when(~pl.col("blank") & ~removed & ~pl.col("_headline"))
        .then(pl.lit(0))
        .otherwise(None)
    )
    in_list = state.forward_fill().over("doc") == 1
    hit = pl.col("_header") | (in_list & ~pl.col("blank") & pl.col("_headline")) | pl.col("_teaser")
    return Rule(
        LINK_LIST,
        masks=(header.alias("_header"), headline.alias("_headline"), teaser.alias("_teaser")),
        hit=hit,
        reads_reason=True,
        # a list starts at a header: without one, only teasers are hit
        needs=("_header", "_teaser"),
    )


#: in the order they claim lines: a legal notice, cookie prompt or widget line inside a
#: link list is removed as what it is
RULES = (
    RepairRule(
        code=LEGAL,
        meaning="a legal disclaimer or copyright line",
        options=LegalOptions,
        switch="boilerplate",
        line_rule=legal_rule,
    ),
    RepairRule(
        code=COOKIE,
        meaning="a cookie or consent notice",
        options=CookieOptions,
        switch="boilerplate",
        line_rule=cookie_rule,
    ),
    RepairRule(
        code=WIDGET,
        meaning="share, comment or login widget residue",
        options=WidgetOptions,
        switch="boilerplate",
        line_rule=widget_rule,
    ),
    RepairRule(
        code=LINK_LIST,
        meaning="a list of links (most popular, related)",
        options=LinkListOptions,
        switch="boilerplate",
        line_rule=link_list_rule,
    ),
    RepairRule(
        code=CALL_TO_ACTION,
        meaning="subscribe, sign up, download prompts",
        options=CallToActionOptions,
        switch="boilerplate",
        line_rule=call_to_action_rule,
    ),
    RepairRule(
        code=CREDIT,
        meaning="a photo or image credit line",
        options=CreditOptions,
        switch="boilerplate",
        line_rule=credit_rule,
    ),
)
