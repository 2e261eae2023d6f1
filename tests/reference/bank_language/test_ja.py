"""Japanese phrases for a request to pay a new or changed bank account (ja.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "弊社の振込先口座が下記の通り変更になりました。",
    "このたび、弊社の取引銀行の変更に伴い、振込先口座を変更いたしました。",
    "件名：振込先口座変更のお知らせ",
    "お振込先変更のご案内",
    "今後のお支払いは、下記口座へお振込みくださいますようお願い申し上げます。",
    "変更後の振込先は以下のとおりです。",
    "新しい口座へのお振込みをお願いいたします。",
    "今回に限り、下記の口座へお振込みいただけますでしょうか。",
    "旧口座へのお振込みはご遠慮くださいますようお願いいたします。",
    "現在、弊社の口座は監査のため一時的に凍結されております。",
    "税務調査に伴い、既存の口座がご利用いただけない状況です。",
    "弊社の新しい銀行口座情報を添付いたしますので、ご確認ください。",
    "メインバンクを変更しましたので、振込先も変わりました。",
    "お振込先の口座番号が変わりましたので、ご登録情報の変更をお願いいたします。",
    "次回以降は下記口座にお振り込みください。",
    "システム移行のため、現在の口座では入金を受け付けることができません。",
    "弊社の振込先口座が変更されました。",
    "貴社にてご登録の振込先口座が変更となりました。",
    "変更後の振込先：さくら台銀行 本店営業部 普通 1234567",
    "4月分より変更後の振込先へお振込みいただきますようお願い申し上げます。",
]

NEGATIVE = [
    # an invoice's ordinary payment line, a payment confirmation
    "お支払いは下記口座へお振込みくださいますようお願いいたします。",
    "ご入金を確認いたしました。ありがとうございました。",
    "請求書を添付いたします。お支払期限は3月末日です。",
    # a bank's newsletter, a bank's own advice to its customers
    "新しい口座を開設いただくと、振込手数料が月3回まで無料になります。",
    "振込先の登録はインターネットバンキングのメニューから行えます。",
    # the warning every bank prints, and a supplier saying nothing changed
    "弊社がメールで振込先口座の変更をお願いすることは一切ございません。",
    "なお、弊社の振込先口座に変更はございません。",
    "振込先は従来通りですので、引き続きよろしくお願いいたします。",
    # other changes
    "本社移転に伴い、住所と電話番号が変更になりました。",
    "担当者が変更になりましたのでお知らせいたします。",
    "今後ともよろしくお願い申し上げます。",
    "新しいカタログをお送りします。",
    # a bank's or an HR portal's confirmation of the customer's own change
    "お客様の振込先が変更されました。お心当たりのない場合はご連絡ください。",
    "お客様の登録振込先が変更になりました。",
    "変更後の口座は、次回の給与支払日から適用されます。",
]

URGENCY = ["至急ご対応をお願いいたします。", "本日中にお振込みください。", "大至急ご確認ください。"]
SECRECY = [
    "本件はご内密にお願いいたします。",
    "現在会議中のため、お電話には出られません。",
    "極秘の案件です。",
]


def test_payer_account_is_not_where_to_pay() -> None:
    cues = language_cues("弊社の口座からお振込みいたしました。")
    assert cues.found("payer")
    assert not cues.asks_change()


def test_records_with_bank_details_asks() -> None:
    cues = language_cues("貴社システムの登録口座の変更をお願いいたします。")
    assert cues.found("records")


@pytest.mark.parametrize(
    "reply",
    [
        "承知しました。\n\n差出人: 山田 太郎\n送信日時: 2026年3月10日 9:12\n宛先: 経理部\n"
        "件名: 振込先口座変更のお知らせ\n\n弊社の振込先口座が変更になりました。",
        "承知しました。\n\n-----元のメッセージ-----\n弊社の振込先口座が変更になりました。",
    ],
)
def test_quoted_request_is_cut(reply: str) -> None:
    assert strip_quoted(reply) == "承知しました。"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("給与の振込先口座を新しい口座に変更していただけますか。", "payroll"),
        ("お給料の振込先を変えたいのですが。", "payroll"),
        ("今月分の給与は新しい口座に振り込んでいただけますか。", "payroll"),
        ("新しい番号 090-5550-4421 までお電話くださいますようお願いいたします。", "callback"),
        ("ギフトカードを5枚購入してもらえますか。", "gift_cards"),
        ("今、少しお時間ありますか。", "availability"),
        ("極秘の案件のため、内密に送金をお願いします。", "confidential_wire"),
        ("お支払い口座の確認は下記の電話番号までご連絡ください。", "callback"),
    ],
)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text
