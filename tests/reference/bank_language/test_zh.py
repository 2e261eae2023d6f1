"""Chinese phrases for a request to pay a new or changed bank account (zh.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "我司的收款账户已变更，请将货款汇入以下新账户。",
    "收款账户变更通知",
    "關於變更收款帳戶的通知",
    "因公司财务调整，我们的银行账户已更改为以下账户。",
    "今后所有货款请汇入以下账户：",
    "即日起，所有款项请转入我司新的对公账户。",
    "本次尾款请汇至下列账户，谢谢配合。",
    "请不要再汇入原账户，新的收款账号见附件。",
    "由于年度审计，我司银行账户暂时无法收款。",
    "我们已更换合作银行，请更新贵司的供应商资料。",
    "變更後的帳戶資料如下，請查收。",
    "请将余款支付至我们新的银行账户。",
    "原账户已停用，请勿再向该账户付款。",
    "我司目前的账户被冻结，请将款项转至以下账户。",
    "请汇入以下新账户。",
    "请勿将款项汇入旧账户，请汇入以下新账户。",
]

NEGATIVE = [
    # an invoice's ordinary payment line, a payment confirmation
    "请将款项汇入以下账户。发票号：2026-0311。",
    "我们已收到贵司的付款，谢谢。",
    "付款期限为发票日起30天。",
    # a bank's newsletter; the warning banks and suppliers print
    "新用户开立账户即可享受手续费优惠。",
    "我们从不通过邮件变更银行账户信息，如有疑问请致电。",
    "本公司绝不会通过电子邮件要求更改收款账户。",
    "我司收款账户保持不变，请照常付款。",
    # other changes
    "我司办公地址已变更，新地址为上海市浦东新区。",
    "联系人已更改为李经理。",
    "附件为新的价格表，请查收。",
    "您的账户密码已更改。",
    "我們的銀行帳戶沒有變更，請繼續付款至原帳戶。",
    "我行不会通过邮件要求您变更收款账户，谨防诈骗。",
    "我司从未要求变更收款账户，如收到此类邮件请与我们核实。",
    "我們從未透過郵件要求客戶變更收款帳戶。",
]

URGENCY = ["请尽快处理这笔付款。", "此事紧急，今天之内完成。", "請盡快回覆。"]
SECRECY = ["此事请保密。", "我在开会，不方便接电话。", "這是機密項目。"]


def test_payer_account_is_not_where_to_pay() -> None:
    cues = language_cues("货款已从我司银行账户汇出，请查收。")
    assert cues.found("payer")


def test_a_comma_ends_the_clause_of_a_negation() -> None:
    cues = language_cues("请勿再向旧账户付款，请将货款汇入我们新的银行账户。")
    assert cues.asks_change()


@pytest.mark.parametrize(
    "reply",
    [
        "好的，收到。\n\n发件人: 张伟\n发送时间: 2026年3月10日 9:12\n收件人: 财务部\n"
        "主题: 收款账户变更通知\n\n我司的收款账户已变更。",
        "好的，收到。\n\n------------------ 原始邮件 ------------------\n我司的收款账户已变更。",
        "好的，收到。\n\n张伟 <zhang@example.cn> 于2026年3月10日周二 09:12写道：\n"
        "> 我司的收款账户已变更。",
    ],
)
def test_quoted_request_is_cut(reply: str) -> None:
    assert strip_quoted(reply) == "好的，收到。"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我的工资卡账户换成新的了，请帮我更改。", "payroll"),
        ("下个月的工资请打到我新的银行卡上。", "payroll"),
        ("我最近换了银行，想换一张工资卡。", "payroll"),
        ("你帮我去买几张京东卡，把卡密拍照发给我。", "gift_cards"),
        ("在吗？有急事需要你帮忙处理。", "availability"),
        ("这是一个机密项目，需要马上转账，不要告诉其他人。", "confidential_wire"),
        ("如需确认付款信息，请拨打以下新的电话号码。", "callback"),
    ],
)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text
