"""Phrases in scripts written without spaces (Japanese, Chinese), and Arabic text: how they
are matched and pre-filtered, and that Latin-script matching is as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.mail.textfold import canonical, fold
from caveat.reference.bank_identifiers import extract
from caveat.reference.bank_language import (
    PhraseBook,
    PhraseError,
    load_phrase_book,
    phrase_book,
    words_of,
)

BOOK = """
language = "ja"
[terms]
bank = ["振込先", "振込先口座", "銀行口座", "口座"]
negation = ["不会", "从不"]
[patterns]
change = [
    "{bank} .. (変更になりました|変更いたしました)",
    "(新しい|新たな) (iban|{bank})",
    "new 口座",
    "变更 ... 账户",
]
unchanged = ["{bank} .. 変更はございません"]
[quotes]
attribution = ["... 写道"]
from_labels = ["差出人"]
sent_labels = ["送信日時"]
"""

LATIN = """
language = "en"
[terms]
bank = ["bank details", "iban"]
[patterns]
change = ["(our|the) new {bank}", "bank* (changed|updated)"]
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> PhraseBook:
    folder: Path = tmp_path_factory.mktemp("book")
    (folder / "ja.toml").write_text(BOOK, "utf-8")
    (folder / "en.toml").write_text(LATIN, "utf-8")
    return load_phrase_book(folder)


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        # inside a run of characters, with particles between the items
        ("弊社の振込先口座が下記の通り変更になりました。", True),
        ("振込先口座を変更いたしました", True),
        # a line break or a space between items
        ("弊社の銀行口座を\n変更いたしました", True),
        ("新しい 振込先", True),
        # a plain-text mail wrapped at a width cuts a word as readily as a sentence
        ("弊社の振込\n先口座が変更にな\nりました。", True),
        ("弊社の振込\r\n先口座が変更\r\nになりました。", True),
        ("新し\nい振込先", True),
        # two line breaks end the paragraph: the word is not wrapped, it is two
        ("新し\n\nい振込先", False),
        # the gap counts characters and stops at the end of a sentence
        ("振込先口座について。来月から担当者が変更になりました。", False),
        ("振込先口座のご案内とご請求書の送付先住所が当社移転により変更になりました", False),
        # a Latin word inside a run of kana needs no space on either side
        ("新しいIBANは下記のとおりです", True),
        ("お客様の新たなibanの登録", True),
        ("new口座", True),
        ("renew口座", False),
        # Latin words keep whole words
        ("Our new bank details are below.", True),
        ("Our renew bank details", False),
        ("our new ibanx", False),
        ("新しいbank details", False),
        ("Bank changed.", True),
        ("Banking updated.", True),
    ],
)
def test_sequences_inside_runs(book: PhraseBook, text: str, hit: bool) -> None:
    assert bool(book.scan(text).found("change")) is hit, text


def test_unchanged_passage_covers_the_change_inside(book: PhraseBook) -> None:
    cues = book.scan("振込先口座の変更はございません。")
    assert cues.found("unchanged")
    assert not cues.found("change")


def test_evidence_quotes_the_original_characters(book: PhraseBook) -> None:
    # half-width katakana and full-width letters fold; the evidence shows what was written
    cues = book.scan("弊社の振込先口座が変更になりました（ＩＢＡＮ）")
    assert cues.found("change") == ("振込先口座が変更になりました",)


def test_negation_in_the_same_clause_only(book: PhraseBook) -> None:
    # "从不" (never) in the clause before the passage turns it round; one clause before
    # (after a comma) it does not
    assert not book.scan("我们从不通过邮件变更收款账户").found("change")
    assert book.scan("我们从不拖欠货款，本次变更了收款账户").found("change")


def test_bigrams_decide_which_patterns_are_tried(book: PhraseBook) -> None:
    index = book.words
    assert index is not None
    words = words_of("弊社の振込先口座")
    assert {"振込", "口座", "弊社"} <= words
    # a text with none of a pattern's bigrams does not try it
    tried = {book.patterns[i].source for i in index.candidates(index.present(words_of("口座")))}
    assert "{bank} .. (変更になりました|変更いたしました)" not in tried
    tried = {
        book.patterns[i].source
        for i in index.candidates(index.present(words_of("口座が変更になりました")))
    }
    assert "{bank} .. (変更になりました|変更いたしました)" in tried


def test_bigrams_go_on_across_a_wrapped_line() -> None:
    # the bigrams of a wrapped text are those of the unwrapped one
    def bigrams(text: str) -> set[str]:
        return {w for w in words_of(text) if len(w) == 2}

    assert bigrams("弊社の振込\n先口座が変更にな\r\nりました") == bigrams(
        "弊社の振込先口座が変更になりました"
    )
    assert "込先" in words_of("振込\n先")
    # quoted as it was wrapped: the next line's markers stand in the word too
    assert "込先" in words_of("> 振込\n> > 先")
    assert "込先" not in words_of("振込\n\n先")


def test_packaged_book_reads_a_wrapped_mail() -> None:
    wrapped = "いつもお世話になっております。弊社の振込先\n口座が下記のとおり変更になり\nました。"
    assert phrase_book().scan(wrapped).found("change")
    assert phrase_book().may_ask(words_of(wrapped))


def test_latin_text_collects_no_bigrams() -> None:
    assert words_of("Our bank details have changed") == {
        "our", "bank", "details", "have", "changed",
    }  # fmt: skip
    assert words_of("Unsere Bankverbindung hat sich geändert") == {
        "unsere", "bankverbindung", "hat", "sich", "geandert",
    }  # fmt: skip
    # inside a run of kana, a Latin word is seen apart
    assert "iban" in words_of("新しいIBANは")


def test_quote_lines_in_those_scripts(book: PhraseBook) -> None:
    text = "请查收。\n\n张三 <zhang@example.cn> 于2026年3月10日 写道：\n> 旧的内容"
    assert book.strip_quoted(text) == "请查收。"
    outlook = "ご確認ください。\n\n差出人: 山田\n送信日時: 2026年3月10日\n件名: 請求書\n本文"
    assert book.strip_quoted(outlook) == "ご確認ください。"


def test_a_single_character_never_decides_alone(tmp_path: Path) -> None:
    (tmp_path / "ja.toml").write_text('language = "ja"\n[patterns]\nchange = ["新"]\n', "utf-8")
    with pytest.raises(PhraseError, match="no word to match"):
        load_phrase_book(tmp_path)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("SA٠٣ ٨٠٠٠", "sa03 8000"),  # Arabic-Indic digits
        ("۱۲۳۴", "1234"),  # Persian (extended Arabic-Indic) digits
        ("الحـــساب", "الحساب"),  # tatweel
        ("\u200fالحساب\u200f", "الحساب"),  # right-to-left marks
        ("أرسل إلى", "ارسل الى"),  # hamza on alef
    ],
)
def test_arabic_folds(raw: str, folded: str) -> None:
    assert fold(raw)[0] == folded


def test_identifiers_in_arabic_indic_digits() -> None:
    assert canonical("SA٠٣") == "SA03"
    arabic = extract("يرجى التحويل إلى: SA٠٣ ٨٠٠٠ ٠٠٠٠ ٦٠٨٠ ١٠١٦ ٧٥١٩")
    assert [a.key for a in arabic.accounts] == ["SA0380000000608010167519"]


def test_packaged_book_reads_each_script() -> None:
    book = phrase_book()
    assert {"ja", "zh", "ar"} <= set(book.languages)
    assert book.scan("弊社の振込先口座が変更になりました。").languages == {"ja"}
    assert "zh" in book.scan("我司的收款账户已变更，请将货款汇入新账户。").languages
    assert "ar" in book.scan("نود إعلامكم بأنه تم تغيير حسابنا البنكي.").languages
