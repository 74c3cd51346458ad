"""The page's tail after the article's container is cut; more content after it is kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.extract.html_text import ExtractOptions, extract_page
from crawlsift.extract.rescue import densest_block
from crawlsift.extract.tail import MARK, container_end, cut_tail, mark_end
from tests.extract.test_rescue import PARAGRAPHS

RELATED = [
    "Five things to know about the new ferry timetable",
    "Council approves budget for the northern bypass",
    "Photos: the harbour festival in pictures",
]


def _page(after: str, container: str = "div") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<html><body><main><h1>Harbour dredging approved</h1>"
        f"<{container} class='story'><!-- </div> in a comment --><p>{PARAGRAPHS[0]}</p>"
        f"<script>document.write('</div>')</script>{body[len(PARAGRAPHS[0]) + 7 :]}"
        f"</{container}>{after}</main></body></html>"
    )


def _related() -> str:
    items = "".join(f"<div><h4><a href='/{i}'>{t}</a></h4></div>" for i, t in enumerate(RELATED))
    return f"<div class='grid'><h3>Read more</h3>{items}</div>"


def _text(html: str, **opts: object) -> str:
    return extract_page(html, opts=ExtractOptions(**opts)).text  # type: ignore[arg-type]


def test_container_end_is_after_the_block_container_not_a_commented_or_scripted_tag():
    for container in ("div", "section", "article"):
        page = _page(_related(), container)
        end = container_end(page, densest_block(page))
        assert end is not None
        assert page[:end].endswith(f"</{container}>")
        assert page[end:].startswith("<div class='grid'>")


def test_end_tags_in_comments_scripts_cdata_or_closing_nothing_open_are_passed_over():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    noise = (
        "<!-- </div> --><script>x = '</div>'</script><![CDATA[ </div> ]]>"
        "<div class='inner'>caption</section></div>"
        "<table><tr><td>a table layout's stray </div></td></tr></table>"
    )
    page = f"<main><div class='story'>{body}{noise}</div>{_related()}</main>"
    end = container_end(page, densest_block(page))
    assert end is not None
    assert page[end:].startswith("<div class='grid'>")


def test_tags_that_only_fold_to_script_are_text_as_for_the_parser():
    # "\u017f" (long s) and "\u0131" (dotless i) fold to "s" and "i" under Unicode case
    # folding; the parser sees no <script> there, and neither may the scan (it raised before)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    for odd in ("<\u017fcript>", "<scr\u0131pt>"):
        page = f"<main><div class='story'>{body}<p>{odd} is text</p></div>{_related()}</main>"
        end = container_end(page, densest_block(page))
        assert end is not None and page[end:].startswith("<div class='grid'>"), odd
        assert PARAGRAPHS[0] in _text(page)


def test_no_end_for_a_single_paragraph_or_an_unclosed_container():
    one = f"<div><p>{PARAGRAPHS[0]}</p></div><div>{RELATED[0]}</div>"
    assert container_end(one, densest_block(one)) is None
    unclosed = "<div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    assert container_end(unclosed, densest_block(unclosed)) is None
    assert mark_end(unclosed, densest_block(unclosed)) == unclosed


def test_the_scan_gives_up_after_its_tag_cap(monkeypatch):
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = f"<div class='story'>{body}{'<div></div>' * 50}</div>{_related()}"
    block = densest_block(page)
    assert container_end(page, block) is not None
    monkeypatch.setattr("crawlsift.extract.tail.MAX_SCANNED_TAGS", 5)
    assert container_end(page, block) is None


def test_related_stories_after_the_article_are_cut():
    page = _page(_related())
    assert RELATED[0] in _text(page, cut_tail=False)
    text = _text(page)
    assert all(p in text for p in PARAGRAPHS)
    assert not any(t in text for t in RELATED)
    assert MARK not in text


def test_a_long_further_section_is_kept():
    more = "".join(f"<p>{p} (continued)</p>" for p in PARAGRAPHS)
    page = _page(f"<div class='part-two'><h2>What comes next</h2>{more}</div>")
    text = _text(page)
    assert all(f"{p} (continued)" in text for p in PARAGRAPHS)
    assert MARK not in text


def test_cut_tail_keeps_text_without_a_marker_and_a_large_tail():
    assert cut_tail("no marker here") == "no marker here"
    head = "an article of some length " * 4
    assert cut_tail(f"{head}\n\n{MARK}\n\nsmall") == head.rstrip()
    assert cut_tail(f"head\n\n{MARK}\n\n{'a long tail ' * 5}") == f"head\n\n{'a long tail ' * 5}"


def test_no_marker_in_metadata_or_in_the_too_deep_fallback():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    bio = f"<html><body><div itemprop='author'><div>{body}</div>Jane Doe</div></body></html>"
    page = extract_page(bio)
    assert page.metadata.author is not None
    assert MARK not in page.metadata.author
    assert page.metadata.author.endswith("Jane Doe")
    deep = _page(_related()).replace("<main>", "<main>" + "<div>" * 40, 1)
    page = extract_page(deep, opts=ExtractOptions(max_depth=20))
    assert page.note == "dom_too_deep"
    assert RELATED[0] in page.text  # all visible text: nothing cut
    assert MARK not in page.text


def test_a_page_quoting_the_marker_keeps_it_when_nothing_was_marked():
    quoted = f"<p>The marker reads {MARK} in the source.</p>"
    assert MARK in _text(quoted)  # one paragraph: no container end, no marker inserted
    assert MARK in _text(quoted, cut_tail=False)


def test_all_visible_text_keeps_the_tail():
    page = _page(_related())
    text = _text(page, main_content=False)
    assert RELATED[0] in text
    assert MARK not in text


_BLOCKS = st.lists(
    st.one_of(
        st.sampled_from([f"<p>{p}</p>" for p in PARAGRAPHS + RELATED]),
        st.sampled_from(["<div>", "</div>", "<section>", "</section>", "<!-- x -->", "<br>"]),
        st.sampled_from([f"<ul><li><a href='#'>{t}</a></li></ul>" for t in RELATED]),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(_BLOCKS)
def test_cutting_the_tail_only_removes_an_end_of_the_text(parts):
    page = "<html><body>" + "".join(parts) + "</body></html>"
    full = " ".join(_text(page, cut_tail=False).split())
    cut = " ".join(_text(page).split())
    assert MARK not in cut
    assert full.startswith(cut)


def _tree(depth: int) -> st.SearchStrategy[str]:
    """Well-formed nests of div/section/article holding long paragraphs and short lines."""
    leaf = st.sampled_from([f"<p>{p}</p>" for p in PARAGRAPHS] + ["<p>short</p>", "<br>"])
    if depth == 0:
        return leaf
    inner = st.lists(st.one_of(leaf, _tree(depth - 1)), min_size=1, max_size=4).map("".join)
    tag = st.sampled_from(["div", "section", "article"])
    return st.one_of(leaf, st.tuples(tag, inner).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"))


@settings(max_examples=200, deadline=None)
@given(_tree(4))
def test_the_marker_follows_the_nearest_common_container_in_the_dom(body):
    from resiliparse.parse.html import HTMLTree

    from crawlsift.extract.rescue import _MARK, _common_ancestor, _marked

    page = f"<html><body><div id='root'>{body}</div></body></html>"
    block = densest_block(page)
    end = container_end(page, block)
    if len(block.paragraphs) < 2:
        assert end is None
        return
    # the DOM's answer: the nearest common ancestor of the block's first and last paragraph
    tree = HTMLTree.parse(_marked(page, block))
    first, last = (tree.document.query_selector(f"[{_MARK}~={n}]") for n in ("first", "last"))
    ancestor = _common_ancestor(first, last)
    assert ancestor is not None and end is not None
    marked = HTMLTree.parse(mark_end(page, block))
    marker = next(p for p in marked.document.query_selector_all("p") if p.text == MARK)
    before = marker.prev
    assert before is not None and before.tag == ancestor.tag
    assert before.text == ancestor.text
