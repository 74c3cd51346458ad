"""Main content that resiliparse's class rules drop is put back; hidden boxes stay out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.extract.html_text import ExtractOptions, extract_page
from crawlsift.extract.rescue import densest_block

PARAGRAPHS = [
    "The harbour authority approved the dredging plan on Monday after months of public "
    "hearings about noise, silt and the nesting birds on the northern sandbank.",
    "Fishermen said the deeper channel would let larger trawlers reach the quay at low tide, "
    "while the bird society asked for work to pause between April and July every year.",
    "The council will publish the final schedule next month, together with the results of "
    "the water-quality survey that the environment agency carried out in the winter.",
    "Local shops expect more visitors once the new ferry service starts, and the harbour "
    "master said the first sailings could begin before the end of the summer season.",
]


def _article(attrs: str, wrapper: str = "{}") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    inner = f"<article {attrs}><h1>Harbour dredging approved</h1>{body}</article>"
    return (
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a>"
        f"</li></ul></nav><main><div><div>{wrapper.format(inner)}</div></div></main>"
        "<footer><p>Copyright 2025 The Harbour Gazette. All rights reserved.</p></footer>"
        "</body></html>"
    )


def _text(html: str, **opts: object) -> str:
    return extract_page(html, opts=ExtractOptions(**opts)).text  # type: ignore[arg-type]


def test_article_whose_class_names_a_newsletter_is_kept():
    page = _article('class="typography newsletter-post post"')
    assert PARAGRAPHS[0] not in _text(page, rescue=False)  # resiliparse's class rule drops it
    text = _text(page)
    assert all(p in text for p in PARAGRAPHS)
    assert "Copyright 2025" not in text


def test_streamed_react_segment_is_kept():
    page = _article("", wrapper='<div hidden id="S:0">{}</div>')
    assert PARAGRAPHS[0] not in _text(page, rescue=False)
    assert all(p in _text(page) for p in PARAGRAPHS)


def test_content_hidden_on_purpose_stays_out():
    for wrapper in (
        '<div style="display:none">{}</div>',
        '<div hidden id="terms">{}</div>',
        '<div class="modal cookie">{}</div>',
    ):
        page = _article('class="newsletter-post"', wrapper=wrapper)
        assert PARAGRAPHS[0] not in _text(page), wrapper


def test_comment_sections_are_left_out_of_articles_but_kept_on_forums():
    comment = (
        "I have lived by this harbour for forty years and I have never seen the council move "
        "this fast on anything, so I will believe the ferry when I see it sail."
    )
    article = _article("").replace(
        "</main>",
        f'<section class="comments"><div class="comment"><p>{comment}</p></div></section></main>',
    )
    assert PARAGRAPHS[0] in _text(article)
    assert comment not in _text(article)
    assert comment in _text(article, comments=True)
    # a forum thread: every post sits in a comment element; they are the content
    posts = "".join(f'<div class="comment"><p>{p}</p></div>' for p in PARAGRAPHS)
    forum = (
        "<html><body><main><h1>Dredging thread</h1>"
        f'<div class="comments">{posts}</div></main></body></html>'
    )
    assert all(p in _text(forum) for p in PARAGRAPHS)


def test_a_page_wrapper_named_after_a_dialog_is_not_hidden():
    # Drupal wraps every page in "dialog-off-canvas-main-canvas"; a class that only starts
    # with a hiding word does not hide, while "modal-dialog" (word + short suffix) still does
    page = _article(
        'class="newsletter-post"', '<div class="dialog-off-canvas-main-canvas">{}</div>'
    )
    assert all(p in _text(page) for p in PARAGRAPHS)
    hidden = _article('class="newsletter-post"', '<div class="modal-dialog">{}</div>')
    assert PARAGRAPHS[0] not in _text(hidden)


def test_a_landmark_left_open_around_the_main_content_does_not_hide_it():
    # an unclosed <header role="banner"> that swallows <main>: broken markup, not a banner
    page = (
        _article('class="newsletter-post"')
        .replace("<main>", '<header role="banner"><p>Site header</p><main>')
        .replace("</body>", "</header></body>")
    )
    assert PARAGRAPHS[0] not in _text(page, rescue=False)
    assert all(p in _text(page) for p in PARAGRAPHS)


def test_the_next_block_is_tried_when_the_densest_one_is_hidden():
    # a cookie dialog's terms outweigh the article: the article is the next densest block
    terms = "".join(
        f"<p>We and our {k} partners store and access information on your device, such as "
        "cookies, and process personal data for measurement and personalised content.</p>"
        for k in range(8)
    )
    menu = "<div>" + "<span>menu</span>" * 40 + "</div>"  # the blocks lie apart
    page = _article('class="newsletter-post"').replace(
        "</body>", f'{menu}<div class="modal cookie-consent">{terms}</div></body>'
    )
    text = _text(page)
    assert all(p in text for p in PARAGRAPHS)
    assert "personalised content" not in text


def test_skipped_elements_stay_skipped():
    page = _article('class="newsletter-post"', wrapper="<noscript>{}</noscript>")
    assert PARAGRAPHS[0] in _text(page)
    assert PARAGRAPHS[0] not in _text(page, noscript=False)


def test_densest_block_groups_paragraphs_whose_markup_is_close():
    far = "<div>" + "<span>menu</span>" * 100 + "</div>"
    html = f"<p>{PARAGRAPHS[0]}</p>{far}<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p>"
    block = densest_block(html)
    assert block.paragraphs == (PARAGRAPHS[1], PARAGRAPHS[2])
    assert html[block.first :].startswith(f"<p>{PARAGRAPHS[1]}")
    assert html[block.last :].startswith(f"<p>{PARAGRAPHS[2]}")
    assert densest_block("<p>short</p>").paragraphs == ()


def test_an_unclosed_paragraph_ends_where_the_next_begins():
    html = f"<div><p>{PARAGRAPHS[0]}<p>{PARAGRAPHS[1]}</div>"
    assert densest_block(html).paragraphs == (PARAGRAPHS[0], PARAGRAPHS[1])


def test_densest_block_is_the_first_of_equal_blocks_and_skips_raw_text_elements():
    far = "<div>" + "<span>menu</span>" * 100 + "</div>"
    first, second = f"<p>{PARAGRAPHS[0]}</p>", f"<p>{PARAGRAPHS[0]}</p>"
    # two blocks of the same text: the first one; a longer later block wins
    assert densest_block(f"{first}{far}<b>{second}</b>").first == 0
    bigger = f"{first}{far}{second}<p>{PARAGRAPHS[1]}</p>"
    assert densest_block(bigger).paragraphs == (PARAGRAPHS[0], PARAGRAPHS[1])
    # a block whose markup is long but whose text is short loses to the shorter markup
    links = "".join(f'<a href="/a-very-long-path-{i}/{"x" * 80}">x</a>' for i in range(12))
    assert densest_block(f"<p>{links} {'y' * 40}</p>{far}{first}").paragraphs == (PARAGRAPHS[0],)
    # paragraphs inside <script> (exact lower case) are not the page's; an unclosed
    # <script> hides the rest of the markup
    script = f"<script>var p = '<p>{PARAGRAPHS[1]}</p>';</script>"
    assert densest_block(f"{script}{first}").paragraphs == (PARAGRAPHS[0],)
    assert densest_block(f"<script>{first}</SCRIPT>").paragraphs == ()
    assert densest_block(f"<SCRIPT>x</SCRIPT>{first}").paragraphs == (PARAGRAPHS[0],)
    assert densest_block(f"{first}<style>p {{}}{second}").paragraphs == (PARAGRAPHS[0],)


CLASSES = ["", "newsletter-post", "post-footer", "related", "entry-content", "modal", "hidden"]
WRAPPERS = [
    "{}",
    '<div style="display:none">{}</div>',
    '<div hidden id="S:1">{}</div>',
    "<aside>{}</aside>",
]


@settings(max_examples=60, deadline=None)
@given(
    article_class=st.sampled_from(CLASSES),
    wrapper=st.sampled_from(WRAPPERS),
    n=st.integers(1, len(PARAGRAPHS)),
)
def test_rescue_only_adds_the_block_and_never_reveals_what_is_hidden(article_class, wrapper, n):
    page = _article(f'class="{article_class}"', wrapper=wrapper)
    page = page.replace("".join(f"<p>{p}</p>" for p in PARAGRAPHS[n:]), "")
    plain, rescued = _text(page, rescue=False), _text(page)
    on_purpose = "display:none" in wrapper or article_class in ("modal", "hidden")
    skipped = "aside" in wrapper
    if on_purpose or skipped:
        assert rescued == plain
    # whatever resiliparse kept stays; the rescue adds the block or nothing
    assert all(line in rescued for line in plain.splitlines() if line.strip())
    block = PARAGRAPHS[:n]
    if sum(map(len, block)) >= 400 and not (on_purpose or skipped):
        assert all(p in rescued for p in block)
