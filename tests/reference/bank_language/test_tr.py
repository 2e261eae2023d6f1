"""Turkish phrases of the bank_details_change check (data/bank_language/tr.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Hesap bilgilerimiz aşağıdaki şekilde güncellenmiştir.",
    "Banka hesap bilgilerimiz değişmiştir.",
    "IBAN numaramız 1 Nisan itibarıyla değişecektir.",
    "Yeni hesap bilgilerimiz aşağıdadır.",
    "Banka Hesap Bilgisi Değişikliği",
    "Çalıştığımız bankayı değiştirdik, ödemelerinizi yeni hesabımıza yapmanızı rica ederiz.",
    "Bundan sonra ödemelerinizi aşağıdaki hesabımıza yapınız.",
    "Tüm ödemelerinizi aşağıda belirtilen yeni IBAN numaramıza yapmanızı rica ederiz.",
    "Sadece bu fatura için ödemeyi aşağıdaki hesaba yapınız.",
    "Eski hesabımıza ödeme yapmayınız.",
    "Hesabımız vergi denetimi nedeniyle geçici olarak bloke edilmiştir.",
    "Banka hesabımız şu anda denetimde.",
    "Mevcut IBAN artık geçersizdir.",
    "Yeni IBAN'ımız ektedir.",
    "Firmamızın banka hesap bilgileri değişmiştir.",
    # capitals and a keyboard without Turkish letters
    "HESAP NUMARAMIZ DEĞİŞMİŞTİR",
    "Banka hesap bilgilerimiz degismistir, yeni hesabimiza odeme yapiniz.",
]

NEGATIVE = [
    # banks writing to their own customers
    "IBAN bilgilerinizi mobil uygulamadan güncelleyebilirsiniz.",
    "Yeni IBAN bilgilerinizi uygulamadan girebilirsiniz.",
    "Hemen yeni hesap açın, ilk ay masrafsız.",
    "İnternet bankacılığı pazar günü 02:00-06:00 arasında bakım nedeniyle kullanılamayacaktır.",
    # confirmations and ordinary invoices
    "Ödemeniz alınmıştır, teşekkür ederiz.",
    "Ödeme vadesi fatura tarihinden itibaren 30 gündür. Ödemenizi aşağıdaki hesabımıza "
    "yapabilirsiniz.",
    "Banka hesap bilgilerimiz değişmemiştir, ödemelerinizi her zamanki gibi yapabilirsiniz.",
    "Banka bilgilerimizde herhangi bir değişiklik yoktur.",
    "Mart ayı hizmet faturamız ektedir.",
    # passwords, addresses, phones
    "Şifrenizin süresi 5 gün içinde dolacak, lütfen portaldan değiştirin.",
    "Müşteri portalındaki hesabınız üç hatalı girişten sonra kilitlendi.",
    "Yeni telefon numaramız 0212 555 01 01.",
    "Adresimiz değişmiştir: 1 Nisan itibarıyla Atatürk Cad. No: 12. Banka bilgilerimiz aynıdır.",
    "Fatura bedeli hesabımızdan gönderilmiştir.",
]

URGENCY = [
    "Ödeme acil, bugün yapılması gerekiyor.",
    "Vadesi geçmiş faturanız için son hatırlatma.",
    "En kısa sürede dönüş yapınız.",
]
SECRECY = [
    "Bu konu çok gizli, kimseye söylemeyin.",
    "Toplantıdayım, sadece e-posta ile yazın.",
    "Aramızda kalsın lütfen.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Kayıtlarınızı güncellemenizi rica ederiz. Teşekkürler.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Teşekkürler, sevkiyat perşembe günü planlandı.\n\n"
        "2 Mar 2026 Pzt, saat 10:00 tarihinde Ayşe Yılmaz <ayse.yilmaz@tedarikci.example> "
        "şunu yazdı:\n"
        "Banka hesap bilgilerimiz değişmiştir.\n"
    )
    out = strip_quoted(text)
    assert "perşembe" in out
    assert "hesap" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Merhaba, sipariş onaylandı.\n\n"
        "Kimden: Ayşe Yılmaz <ayse.yilmaz@tedarikci.example>\n"
        "Gönderildi: 2 Mart 2026 Pazartesi 10:00\n"
        "Kime: ap@buyer.example\n"
        "Konu: Banka bilgisi değişikliği\n\n"
        "Yeni hesap bilgilerimiz aşağıdadır.\n"
    )
    out = strip_quoted(text)
    assert "onaylandı" in out
    assert "hesap" not in out


def test_dotless_i_and_capitals_fold_alike() -> None:
    # "HESABIMIZ" lower-cases to a dotted i, "hesabımız" has a dotless one: one word
    for text in (
        "Hesabımız bloke edilmiştir.",
        "HESABIMIZ BLOKE EDİLMİŞTİR.",
        "hesabimiz bloke edilmistir",
    ):
        assert language_cues(text).asks_change(), text


# The people and callback categories (caveat.checks.impersonation_people, caveat.checks.callback).
PEOPLE_AND_CALLBACK = [
    ("Maaş hesabımı değiştirmek istiyorum, maaşımı yeni hesabıma yatırın.", "payroll"),
    ("Bu aydan itibaren maaşımı farklı bir hesaba yatırabilir misiniz?", "payroll"),
    ("Birkaç Google Play hediye kartı alabilir misin? Kodları bana gönder.", "gift_cards"),
    ("Masanda mısın? Senden küçük bir ricam var.", "availability"),
    ("Bugün acil bir havale yapmanı istiyorum, konu çok gizli.", "confidential_wire"),
    (
        "Yeni banka bilgilerimizi teyit etmek için 0212 555 09 09 numaralı telefonu arayınız.",
        "callback",
    ),
    ("Yeni muhasebe hattımız 0212 555 09 09, lütfen bu numarayı arayınız.", "callback"),
]
# ... and the look-alikes: an invitation to call with questions, a bank's or shop's offer.
NOT_PEOPLE_AND_CALLBACK = [
    ("Sorularınız için bize 0212 555 01 01 numarasından ulaşabilirsiniz.", "callback"),
    ("Teslimat için yarın sizi arayacağız.", "callback"),
    ("Maaşınızı bankamıza taşıyın, promosyon kazanın.", "payroll"),
    ("Hediye kartlarımız tüm mağazalarımızda satılmaktadır.", "gift_cards"),
]


@pytest.mark.parametrize(("text", "category"), PEOPLE_AND_CALLBACK)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text


@pytest.mark.parametrize(("text", "category"), NOT_PEOPLE_AND_CALLBACK)
def test_not_people_or_callback_wording(text: str, category: str) -> None:
    assert not language_cues(text).found(category), text
