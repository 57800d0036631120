"""Tests for monitor.diff: sentence splitting, alignment, classification, rendering."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor import diff as diff_module
from monitor.diff import (
    classify_edit,
    diff_to_json,
    render_html,
    render_text,
    split_sentences,
    updated_moved,
    word_diff,
)
from monitor.models import (
    FLAG_BYLINE,
    FLAG_CORRECTION,
    FLAG_HEADLINE,
    FLAG_NUMBERS,
    FLAG_QUOTE,
    Extracted,
    Kind,
    SentenceOp,
    TextDiff,
    WordOp,
)

TITLE = "Storm leaves 400 dead across coastal towns"
BYLINE = "By Jane Doe and Min-jun Kim"
STORY = (
    "A powerful storm swept through the coastal towns on Tuesday, killing at least 400 "
    "people, officials said.",
    "Gov. Maria Lopez declared a state of emergency at 6 a.m. Wednesday. "
    "The National Guard was deployed to the hardest-hit areas.",
    '"We have never seen anything like this," said Mr. Tom Baker, the mayor of Port Ellen. '
    "He said 1,200 homes were destroyed.",
    "The U.S. Weather Service had warned of the storm three days earlier. "
    "Forecasters expected winds of 3.5 times the seasonal average.",
)
KOREAN = (
    "행정안전부는 3일 태풍으로 3명이 숨지고 12명이 다쳤다고 밝혔다. 피해 규모는 아직 파악되지 않았다.",
    '이 장관은 "피해 복구에 최선을 다하겠다"고 말했다. 정부는 특별재난지역 선포를 검토하고 있다.',
)


def article(
    paragraphs: tuple[str, ...] = STORY, title: str = TITLE, byline: str = BYLINE
) -> Extracted:
    return Extracted(title=title, byline=byline, paragraphs=paragraphs)


def diff_versions(old: Extracted, new: Extracted) -> TextDiff:
    """``monitor.diff.diff_versions`` on two articles, spelled short for the tests."""
    return diff_module.diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )


def edited(paragraphs: tuple[str, ...], index: int, old: str, new: str) -> tuple[str, ...]:
    """``paragraphs`` with ``old`` replaced by ``new`` in paragraph ``index``."""
    assert old in paragraphs[index], "the test edits text that is not there"
    changed = list(paragraphs)
    changed[index] = changed[index].replace(old, new)
    return tuple(changed)


def changes(diff: TextDiff) -> list[SentenceOp]:
    return [op for op in diff.body if op.op != "equal"]


def flags_for(old: Extracted, new: Extracted) -> tuple[str, ...]:
    return classify_edit(diff_versions(old, new), None, None).flags


# --- split_sentences ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones and Mrs. Lee on Jan. 5 in St. Louis. They talked.",
            ["Mr. Smith met Dr. Jones and Mrs. Lee on Jan. 5 in St. Louis.", "They talked."],
        ),
        (
            "Sen. Warren and Rep. Ocasio-Cortez met Gov. Newsom. The talks failed.",
            ["Sen. Warren and Rep. Ocasio-Cortez met Gov. Newsom.", "The talks failed."],
        ),
        (
            "J. K. Rowling spoke. Harry S. Truman did not.",
            ["J. K. Rowling spoke.", "Harry S. Truman did not."],
        ),
        (
            "The U.S. and the U.N. agreed on Feb. 3. The vote was close.",
            ["The U.S. and the U.N. agreed on Feb. 3.", "The vote was close."],
        ),
        (
            "Acme Inc. and Globex Corp. merged at 9 a.m. Monday. Shares rose.",
            ["Acme Inc. and Globex Corp. merged at 9 a.m. Monday.", "Shares rose."],
        ),
        (
            "Some fruits, e.g. apples, and i.e. pears were sold. He moved to the U.S. The end.",
            [
                "Some fruits, e.g. apples, and i.e. pears were sold.",
                "He moved to the U.S.",
                "The end.",
            ],
        ),
        (
            "Inflation rose to 3.5 percent. It was 2.25 a year ago.",
            ["Inflation rose to 3.5 percent.", "It was 2.25 a year ago."],
        ),
        (
            "He paused... and then spoke again. No. 10 said nothing.",
            ["He paused... and then spoke again.", "No. 10 said nothing."],
        ),
        (
            'He said "Go." Then he left. "Why?" she asked. “Stop.” Nobody did.',
            ['He said "Go."', "Then he left.", '"Why?" she asked.', "“Stop.”", "Nobody did."],
        ),
        (
            "Is it over? Yes! It is.",
            ["Is it over?", "Yes!", "It is."],
        ),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split_sentences([text]) == expected


def test_split_korean() -> None:
    text = (
        '정부는 3일 대책을 발표했다. 피해 규모는 3.5배 커졌다. "최선을 다하겠다." 그는 말했다. '
        '"가겠다."라고 말했다. 괜찮아요? 네, 괜찮아요. 정말요!'
    )
    assert split_sentences([text]) == [
        "정부는 3일 대책을 발표했다.",
        "피해 규모는 3.5배 커졌다.",
        '"최선을 다하겠다."',
        "그는 말했다.",
        '"가겠다."라고 말했다.',
        "괜찮아요?",
        "네, 괜찮아요.",
        "정말요!",
    ]


def test_split_ellipsis_inside_a_sentence() -> None:
    assert split_sentences(['그는 "글쎄…" 하고 말끝을 흐렸다. 회의는… 30분 뒤 끝났다.']) == [
        '그는 "글쎄…" 하고 말끝을 흐렸다.',
        "회의는… 30분 뒤 끝났다.",
    ]
    assert split_sentences(["I wonder... The rest is silence."]) == [
        "I wonder...",
        "The rest is silence.",
    ]


def test_split_paragraph_boundary_is_sentence_boundary_and_text_is_cleaned() -> None:
    paragraphs = ["First  paragraph\u200b without a stop", "", "  Second one.  Third  one. "]
    assert split_sentences(paragraphs) == [
        "First paragraph without a stop",
        "Second one.",
        "Third one.",
    ]


def test_split_keeps_every_character() -> None:
    """Joining a paragraph's sentences gives the paragraph back: nothing is lost or added."""
    for paragraph in STORY + KOREAN:
        assert " ".join(split_sentences([paragraph])) == paragraph


# --- diff_versions --------------------------------------------------------------------------


def test_unchanged_text_gives_only_equal_ops() -> None:
    diff = diff_versions(article(), article())
    assert not diff.changed
    assert diff.title is None and diff.byline is None
    assert {op.op for op in diff.body} == {"equal"}
    assert len(diff.body) == len(split_sentences(STORY))
    assert all(op.old == op.new and op.new for op in diff.body)
    assert diff.stats.sentences_changed == diff.stats.chars_added == 0


def test_typographic_only_change_is_not_a_change() -> None:
    curly = edited(
        STORY,
        2,
        '"We have never seen anything like this,"',
        "“We have never seen anything like this,”",
    )
    curly = edited(curly, 1, "hardest-hit", "hardest\u2011hit")
    new = article(
        curly, title=TITLE.replace("400", "400\u00a0"), byline="By Jane Doe  and Min‐jun Kim"
    )
    diff = diff_versions(article(), new)
    assert not diff.changed
    # The ops keep each version's own glyphs, so both texts can still be shown.
    quote_op = next(op for op in diff.body if "never seen" in op.old)
    assert quote_op.old.startswith('"') and quote_op.new.startswith("“")


def test_one_word_changed_gives_one_replace_with_whole_word_marks() -> None:
    new = article(edited(STORY, 0, "at least 400", "at least 450"))
    diff = diff_versions(article(), new)
    [op] = changes(diff)
    assert op.op == "replace"
    pieces = [(w.op, w.text) for w in op.words]
    assert ("delete", "400") in pieces and ("insert", "450") in pieces
    assert [p for p in pieces if p[0] != "equal"] == [("delete", "400"), ("insert", "450")]
    assert "[-400-]{+450+}" in render_text(diff)
    assert diff.stats.sentences_changed == 1
    assert diff.stats.chars_added == 3 and diff.stats.chars_removed == 3


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Officials counted 1,200 homes.",
            "Officials counted 1,300 homes.",
            "Officials counted [-1,200-]{+1,300+} homes.",
        ),
        (
            "Inflation rose 3.5% in May.",
            "Inflation rose 4% in May.",
            "Inflation rose [-3.5%-]{+4%+} in May.",
        ),
        (
            "The mayor said it was a tragedy.",
            "The mayor called it a catastrophe.",
            "The mayor [-said-]{+called+} it [-was -]a [-tragedy-]{+catastrophe+}.",
        ),
        (
            "The suspect, a 34-year-old man, was arrested on Tuesday.",
            "The suspect, a 43-year-old woman, was detained on Tuesday night.",
            "The suspect, a [-34-]{+43+}-year-old [-man-]{+woman+}, was [-arrested-]{+detained+}"
            " on Tuesday{+ night+}.",
        ),
        (
            # Small equal pieces between changes fold into one change, which reads better.
            "Police counted 400 people at the scene.",
            "Police counted 450 persons at the scene.",
            "Police counted [-400 people-]{+450 persons+} at the scene.",
        ),
        (
            "태풍으로 3명이 숨지고 12명이 다쳤다.",
            "태풍으로 5명이 숨지고 12명이 다쳤다.",
            "태풍으로 [-3명이-]{+5명이+} 숨지고 12명이 다쳤다.",
        ),
    ],
)
def test_word_marks_snap_to_words(old: str, new: str, expected: str) -> None:
    words = word_diff(old, new)
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    assert "".join(marks[w.op].format(w.text) for w in words) == expected
    assert_snapped(words)


def _on_boundary(text: str, i: int) -> bool:
    return i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())


def assert_snapped(words: tuple[WordOp, ...]) -> None:
    """Every changed piece starts and ends on a word boundary of its own version."""
    old = "".join(w.text for w in words if w.op != "insert")
    new = "".join(w.text for w in words if w.op != "delete")
    at_old = at_new = 0
    for w in words:
        if w.op == "delete":
            assert _on_boundary(old, at_old) and _on_boundary(old, at_old + len(w.text)), words
        if w.op == "insert":
            assert _on_boundary(new, at_new) and _on_boundary(new, at_new + len(w.text)), words
        at_old += len(w.text) if w.op != "insert" else 0
        at_new += len(w.text) if w.op != "delete" else 0


def test_sentence_added_in_the_middle() -> None:
    added = "Rescue teams from three neighbouring states arrived overnight."
    new = article(edited(STORY, 1, "Wednesday. ", f"Wednesday. {added} "))
    diff = diff_versions(article(), new)
    ops = changes(diff)
    assert [(op.op, op.new) for op in ops] == [("insert", added)]
    index = diff.body.index(ops[0])
    assert diff.body[index - 1].new.startswith("Gov. Maria Lopez")
    assert diff.body[index + 1].new.startswith("The National Guard")
    assert diff.stats.sentences_added == 1 and diff.stats.chars_added == len(added)
    assert f"+ {added}" in render_text(diff)


def test_sentence_removed() -> None:
    removed = "He said 1,200 homes were destroyed."
    new = article(edited(STORY, 2, f" {removed}", ""))
    diff = diff_versions(article(), new)
    assert [(op.op, op.old) for op in changes(diff)] == [("delete", removed)]
    assert diff.stats.sentences_removed == 1 and diff.stats.chars_removed == len(removed)
    assert f"- {removed}" in render_text(diff)


def test_paragraphs_reordered() -> None:
    reordered = (STORY[0], STORY[2], STORY[1], STORY[3])
    diff = diff_versions(article(), article(reordered))
    assert diff.changed
    ops = changes(diff)
    assert {op.op for op in ops} == {"delete", "insert"}
    moved_out = sorted(op.old for op in ops if op.op == "delete")
    moved_in = sorted(op.new for op in ops if op.op == "insert")
    assert moved_out == moved_in  # the same sentences, only moved
    assert diff.stats.sentences_changed == 0


def test_reworded_and_unrelated_sentences_in_one_block() -> None:
    """A changed block pairs only the similar sentences; the rest are cut and added."""
    old = ("The fire started in a kitchen on the third floor. Nobody was hurt.",)
    new = ("The fire started in a kitchen on the fourth floor. Two firefighters were treated.",)
    diff = diff_versions(article(old), article(new))
    assert [op.op for op in diff.body] == ["replace", "delete", "insert"]
    assert diff.body[0].old.endswith("third floor.") and diff.body[0].new.endswith("fourth floor.")


def test_headline_and_byline_changes() -> None:
    new = article(title=TITLE.replace("400", "450"), byline="By Jane Doe")
    diff = diff_versions(article(), new)
    assert diff.title is not None and diff.title.new == "Storm leaves 450 dead across coastal towns"
    assert diff.byline is not None and diff.byline.old == BYLINE
    assert not changes(diff)
    assert render_text(diff).splitlines() == [
        "Headline: Storm leaves [-400-]{+450+} dead across coastal towns",
        "Byline: By Jane Doe[- and Min-jun Kim-]",
    ]
    html_lines = render_html(diff, context=1).splitlines()
    assert html_lines[1].startswith('<p class="field field-title">')
    assert "Storm leaves <del>400</del><ins>450</ins> dead" in html_lines[1]
    assert html_lines[2].startswith('<p class="field field-byline">')
    assert len(html_lines) == 4  # no body ops when only the fields changed
    assert classify_edit(diff, None, None).flags == (FLAG_BYLINE, FLAG_HEADLINE, FLAG_NUMBERS)


# --- the reapply property -------------------------------------------------------------------

_VOCABULARY = (
    "the mayor said police officials storm 400 450 1,200 three homes were destroyed "
    "on Tuesday Wednesday rescue teams arrived U.S. Dr. Lopez 3.5% “we will rebuild” "
    "정부는 3명이 밝혔다 피해 규모는"
)
_WORDS = _VOCABULARY.split(" ")
_ENDINGS = (".", ".", "?", "!", '."', "다.")


def _random_sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(2, 12))
    return " ".join(words).capitalize() + rng.choice(_ENDINGS)


def _random_paragraphs(rng: random.Random) -> list[list[str]]:
    return [
        [_random_sentence(rng) for _ in range(rng.randint(1, 4))] for _ in range(rng.randint(0, 5))
    ]


def _mutate(rng: random.Random, paragraphs: list[list[str]]) -> list[list[str]]:
    result = [list(p) for p in paragraphs]
    for _ in range(rng.randint(0, 4)):
        action = rng.choice(["reword", "insert", "delete", "move", "paragraph", "typography"])
        if not result or action == "paragraph":
            result.insert(rng.randint(0, len(result)), [_random_sentence(rng)])
            continue
        p = rng.randrange(len(result))
        if not result[p]:
            continue
        s = rng.randrange(len(result[p]))
        if action == "reword":
            words = result[p][s].split(" ")
            words[rng.randrange(len(words))] = rng.choice(_WORDS)
            result[p][s] = " ".join(words)
        elif action == "insert":
            result[p].insert(s, _random_sentence(rng))
        elif action == "delete":
            del result[p][s]
        elif action == "move":
            result.insert(rng.randint(0, len(result)), result.pop(p))
        else:
            result[p][s] = result[p][s].replace('"', "”").replace("-", "—")
    return result


def test_ops_rebuild_both_versions_exactly() -> None:
    rng = random.Random(20240601)
    for _ in range(400):
        before = _random_paragraphs(rng)
        after = _mutate(rng, before)
        old = article(tuple(" ".join(p) for p in before))
        new = article(tuple(" ".join(p) for p in after))
        diff = diff_versions(old, new)
        rebuilt_old = [op.old for op in diff.body if op.op in ("equal", "delete", "replace")]
        rebuilt_new = [op.new for op in diff.body if op.op in ("equal", "insert", "replace")]
        assert rebuilt_old == split_sentences(old.paragraphs)
        assert rebuilt_new == split_sentences(new.paragraphs)
        for op in diff.body:
            if op.op == "replace":
                assert "".join(w.text for w in op.words if w.op != "insert") == op.old
                assert "".join(w.text for w in op.words if w.op != "delete") == op.new
                assert all(w.text for w in op.words)
                assert_snapped(op.words)
            else:
                assert op.words == ()
        assert diff.stats.sentences_added == sum(op.op == "insert" for op in diff.body)
        assert diff.stats.sentences_removed == sum(op.op == "delete" for op in diff.body)
        if before == after:
            assert not diff.changed


def test_long_story_edited_throughout_is_paired_and_fast() -> None:
    """Every sentence of a 300-sentence story reworded: still shown as rewordings, quickly."""
    rng = random.Random(7)
    sentences = [f"Item {i} says {_random_sentence(rng)}" for i in range(300)]
    reworded = [s.replace("says", "states", 1) for s in sentences]
    started = time.perf_counter()
    diff = diff_versions(article(tuple(sentences)), article(tuple(reworded)))
    assert time.perf_counter() - started < 5
    assert diff.stats.sentences_changed == 300
    assert diff.stats.sentences_added == diff.stats.sentences_removed == 0


# --- classify_edit --------------------------------------------------------------------------

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def test_declared_versus_stealth() -> None:
    diff = diff_versions(article(), article(edited(STORY, 0, "Tuesday", "Monday")))
    assert classify_edit(diff, T0, T0 + timedelta(hours=1)).kind is Kind.DECLARED
    assert classify_edit(diff, None, T0).kind is Kind.DECLARED  # an Updated line appeared
    assert classify_edit(diff, T0, T0).kind is Kind.STEALTH
    assert classify_edit(diff, None, None).kind is Kind.STEALTH
    assert classify_edit(diff, T0, None).kind is Kind.STEALTH  # Updated line vanished
    edit = classify_edit(diff, T0, T0)
    assert edit.diff is diff and edit.flags == ()


def test_updated_moved() -> None:
    assert updated_moved(T0, T0 + timedelta(minutes=5))
    assert updated_moved(None, T0)
    assert not updated_moved(T0, T0)
    assert not updated_moved(T0, None)
    assert not updated_moved(None, None)


@pytest.mark.parametrize(
    ("index", "old", "new"),
    [
        (0, "at least 400", "at least 450"),  # digits
        (2, "1,200 homes", "1,300 homes"),  # comma numbers
        (3, "3.5 times", "4 times"),  # decimals
        (3, "three days", "four days"),  # number words
        (3, "three days earlier", "3 days and 2 hours earlier"),  # words to digits, plus more
    ],
)
def test_numbers_flag_english(index: int, old: str, new: str) -> None:
    assert FLAG_NUMBERS in flags_for(article(), article(edited(STORY, index, old, new)))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("3명이 숨지고", "5명이 숨지고"),
        ("12명이 다쳤다고", "열세 명이 다쳤다고"),
        ("3일", "4일"),
        ("태풍으로", "5천만 원의 피해를 낸 태풍으로"),
    ],
)
def test_numbers_flag_korean(old: str, new: str) -> None:
    new_article = article(edited(KOREAN, 0, old, new))
    assert FLAG_NUMBERS in flags_for(article(KOREAN), new_article)


def test_korean_native_counter_words() -> None:
    old = ("사고로 세 명이 다쳤다.",)
    assert FLAG_NUMBERS in flags_for(article(old), article(("사고로 네 명이 다쳤다.",)))
    # The same figure written as digits is not a changed figure.
    assert FLAG_NUMBERS not in flags_for(article(old), article(("사고로 3명이 다쳤다.",)))
    twelve = ("사고로 12명이 다쳤다.",)
    assert FLAG_NUMBERS not in flags_for(article(twelve), article(("사고로 열두 명이 다쳤다.",)))
    assert FLAG_NUMBERS in flags_for(article(twelve), article(("사고로 스무 명이 다쳤다.",)))
    # 세 alone is not a number ("세대" is a generation).
    generation = ("젊은 세대가 다쳤다.",)
    assert FLAG_NUMBERS not in flags_for(article(generation), article(("젊은 세대는 다쳤다.",)))


def test_no_numbers_flag_for_same_figure_or_new_sentence() -> None:
    restyled = article(edited(STORY, 3, "three days", "3 days"))
    assert FLAG_NUMBERS not in flags_for(article(), restyled)
    separators = article(edited(STORY, 2, "He said 1,200 homes", "He said that 1200 homes"))
    assert FLAG_NUMBERS not in flags_for(article(), separators)
    reworded = article(edited(STORY, 0, "swept through", "tore through"))
    assert FLAG_NUMBERS not in flags_for(article(), reworded)
    added = article(edited(STORY, 3, "earlier.", "earlier. At least 20 shelters are open."))
    assert FLAG_NUMBERS not in flags_for(article(), added)


def test_numbers_flag_when_a_figure_is_restated_in_a_rewritten_sentence() -> None:
    old = ("Forty people were killed. Roads are closed.",)
    new = (
        "Officials now say the death toll has risen to 45 after overnight searches. Roads are closed.",
    )
    assert FLAG_NUMBERS in flags_for(article(old), article(new))


def test_quote_flag() -> None:
    changed = edited(STORY, 2, "never seen anything like this", "never seen a storm like this")
    assert FLAG_QUOTE in flags_for(article(), article(changed))
    # A change outside the quotation marks is not a quote change.
    outside = edited(STORY, 2, "the mayor of Port Ellen", "mayor of the town")
    assert FLAG_QUOTE not in flags_for(article(), article(outside))
    # A quote cut along with its sentence is.
    cut = (STORY[0], STORY[1], "He said 1,200 homes were destroyed.", STORY[3])
    assert FLAG_QUOTE in flags_for(article(), article(cut))
    # A new quote in a new sentence is new reporting, not an altered quote.
    added = edited(STORY, 3, "earlier.", 'earlier. "Leave now," the agency said.')
    assert FLAG_QUOTE not in flags_for(article(), article(added))
    # A quote added into an existing sentence is.
    into = edited(STORY, 0, "officials said.", 'officials said, calling it "a catastrophe".')
    assert FLAG_QUOTE in flags_for(article(), article(into))


def test_quote_flag_curly_and_korean_quotes() -> None:
    old = ("The minister said “we acted quickly” on Monday.",)
    new = ("The minister said “we acted promptly” on Monday.",)
    assert FLAG_QUOTE in flags_for(article(old), article(new))
    korean = edited(KOREAN, 1, "최선을 다하겠다", "최선을 다했다")
    assert FLAG_QUOTE in flags_for(article(KOREAN), article(korean))
    brackets = ("그는 「국민께 사과드린다」고 말했다.",)
    assert FLAG_QUOTE in flags_for(article(brackets), article(("그는 「유감이다」고 말했다.",)))
    single = ("이번 사태를 ‘인재’라고 규정했다.",)
    assert FLAG_QUOTE in flags_for(
        article(single), article(("이번 사태를 ‘천재지변’이라고 규정했다.",))
    )
    straight = ("이번 사태를 '인재'라고 규정했다.",)
    assert FLAG_QUOTE in flags_for(
        article(straight), article(("이번 사태를 '참사'라고 규정했다.",))
    )
    # Apostrophes are not quotation marks.
    apostrophe = ("The mayor's aide said the players' union agreed.",)
    reworded = ("The mayor's aide said the players' union refused.",)
    assert FLAG_QUOTE not in flags_for(article(apostrophe), article(reworded))


def test_quote_flag_for_a_quote_split_across_sentences() -> None:
    """Sentences split inside a multi-sentence quote still know which part is quoted."""
    old = ('"We are devastated. We will rebuild," she said on Tuesday.',)
    new = ('"We are devastated. We will rebuild," she said on Wednesday.',)
    assert FLAG_QUOTE not in flags_for(article(old), article(new))
    changed = ('"We are devastated. We may rebuild," she said on Tuesday.',)
    assert FLAG_QUOTE in flags_for(article(old), article(changed))


def test_quote_moved_is_not_a_quote_change() -> None:
    moved = (STORY[2], STORY[0], STORY[1], STORY[3])
    assert FLAG_QUOTE not in flags_for(article(), article(moved))


@pytest.mark.parametrize(
    "notice",
    [
        "Correction: An earlier version of this article misstated the number of homes destroyed.",
        "CLARIFICATION: The mayor spoke before the storm reached the town.",
        "Editor’s note: This story has been updated with new figures.",
        "An earlier version of this story gave the wrong date for the warning.",
        "This article has been corrected to show that 1,100 homes were destroyed.",
        "바로잡습니다: 기사 중 피해 인원을 바로잡습니다.",
        "[정정보도] 본지는 지난 3일 보도에서 사실과 다른 내용을 보도했습니다.",
        "독자 여러분의 지적에 따라 기사를 수정했습니다.",
    ],
)
def test_correction_flag_when_notice_appears(notice: str) -> None:
    new = article((*STORY, notice))
    assert FLAG_CORRECTION in flags_for(article(), new)


def test_correction_flag_when_notice_is_edited_or_added_to_a_sentence() -> None:
    note = "Correction: An earlier version of this article gave the toll as 300."
    before = article((*STORY, note))
    after = article((*STORY, note.replace("300", "350")))
    assert FLAG_CORRECTION in flags_for(before, after)
    appended = edited(
        STORY, 0, "officials said.", "officials said, a figure that was corrected later."
    )
    assert FLAG_CORRECTION in flags_for(article(), article(appended))


def test_no_correction_flag_for_unchanged_notice_or_ordinary_words() -> None:
    note = "Correction: An earlier version of this article gave the toll as 300."
    before = article((*STORY, note))
    after = article((*edited(STORY, 0, "Tuesday", "Monday"), note))
    assert FLAG_CORRECTION not in flags_for(before, after)
    record = ("The record was corrected in 2019 by the agency.",)
    assert FLAG_CORRECTION not in flags_for(
        article(record), article(("The record was corrected in 2020 by the agency.",))
    )
    fair = ("선수들은 정정당당하게 경기했다.",)
    assert FLAG_CORRECTION not in flags_for(article(("선수들은 경기했다.",)), article(fair))


def test_flags_are_sorted_and_combined() -> None:
    changed = edited(STORY, 2, "never seen anything like this", "never seen 2 storms like this")
    new = article(
        (*changed, "Correction: The mayor's name was misspelled."), title="Storm kills 450"
    )
    edit = classify_edit(diff_versions(article(), new), T0, T0 + timedelta(minutes=30))
    assert edit.kind is Kind.DECLARED
    assert edit.flags == tuple(sorted(edit.flags))
    assert edit.flags == (FLAG_CORRECTION, FLAG_HEADLINE, FLAG_NUMBERS, FLAG_QUOTE)


# --- renderers ------------------------------------------------------------------------------


def test_render_text_context_and_skips() -> None:
    long_story = tuple(f"Paragraph {w} has its own sentence." for w in "ABCDEFGH")
    new = edited(long_story, 4, "Paragraph E has", "Paragraph E now has")
    lines = render_text(diff_versions(article(long_story), article(new))).splitlines()
    assert lines == [
        "  …",
        "  Paragraph D has its own sentence.",
        "~ Paragraph E {+now +}has its own sentence.",
        "  Paragraph F has its own sentence.",
        "  …",
    ]
    everything = render_text(diff_versions(article(long_story), article(new)), context=None)
    assert len(everything.splitlines()) == 8


def test_render_text_unchanged() -> None:
    assert render_text(diff_versions(article(), article())) == "(no text changes)\n"


def test_render_html_escapes_page_text() -> None:
    evil = '<script>alert(1)</script> & "quotes" <b onclick="x()">bold</b>'
    old = article(("Safe sentence here.", f"Before {evil}."), title="<i>Title</i>")
    new = article(
        ("Safe sentence here.", f"After {evil}.", "<img src=x onerror=alert(2)>"),
        title="<i>Title</i> & <script>alert(3)</script>",
    )
    out = render_html(diff_versions(old, new))
    assert "<script" not in out and "<img" not in out and "<b " not in out and "<i>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(2)&gt;" in out
    assert "&amp; &lt;script&gt;alert(3)&lt;/script&gt;" in out
    assert out.startswith('<div class="diff">')
    assert out.count('<p class="op-') == 3  # every op shown by default
    assert '<p class="op-equal">Safe sentence here.</p>' in out
    assert '<p class="op-insert"><ins>&lt;img src=x onerror=alert(2)&gt;</ins></p>' in out
    assert "<del>Before</del><ins>After</ins>" in out


def test_render_html_ops() -> None:
    new = article(edited(STORY, 2, " He said 1,200 homes were destroyed.", ""))
    out = render_html(diff_versions(article(), new), context=0)
    assert out.splitlines()[1:-1] == [
        '<p class="op-skip">…</p>',
        '<p class="op-delete"><del>He said 1,200 homes were destroyed.</del></p>',
        '<p class="op-skip">…</p>',
    ]


def test_diff_to_json_shape() -> None:
    new = article(
        (*edited(STORY, 0, "at least 400", "at least 450"), "A new closing line."),
        title="Storm kills 450",
    )
    diff = diff_versions(article(), new)
    edit = classify_edit(diff, T0, T0)
    data = diff_to_json(diff, from_n=3, to_n=4, kind=edit.kind, flags=edit.flags)
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert set(data) == {"from", "to", "title", "byline", "body", "stats", "kind", "flags"}
    assert (data["from"], data["to"], data["kind"]) == (3, 4, "stealth")
    assert data["title"] == {"old": TITLE, "new": "Storm kills 450"}
    assert data["byline"] is None
    assert data["flags"] == ["headline", "numbers"]
    assert set(data["stats"]) == {
        "sentences_added",
        "sentences_removed",
        "sentences_changed",
        "chars_added",
        "chars_removed",
    }
    assert data["stats"]["sentences_added"] == 1 and data["stats"]["sentences_changed"] == 1
    body = data["body"]
    assert all(set(op) == {"op", "old", "new", "words"} for op in body)
    assert len(body) == len(diff.body)  # equal ops included
    replace = next(op for op in body if op["op"] == "replace")
    assert ["delete", "400"] in replace["words"] and ["insert", "450"] in replace["words"]
    insert = next(op for op in body if op["op"] == "insert")
    assert insert == {"op": "insert", "old": None, "new": "A new closing line.", "words": []}
    equal = next(op for op in body if op["op"] == "equal")
    assert equal["old"] == equal["new"] and equal["words"] == []
