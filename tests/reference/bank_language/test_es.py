"""Spanish phrases for a request to pay a new or changed bank account (es.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Le informamos de que nuestros datos bancarios han cambiado.",
    "Adjuntamos nuestros nuevos datos bancarios para los próximos pagos.",
    "Asunto: Cambio de nuestra cuenta bancaria",
    "Hemos cambiado de banco; por favor, realicen los pagos en la nueva cuenta.",
    "A partir de ahora, las transferencias deberán realizarse a la siguiente cuenta: "
    "ES79 2100 0813 6101 2345 6789",
    "Por favor, utilice la nueva cuenta bancaria que figura en el documento adjunto.",
    "Nuestra cuenta está temporalmente bloqueada por una auditoría interna.",
    "Debido a una inspección de Hacienda, nuestra cuenta habitual no puede recibir pagos.",
    "La cuenta anterior ya no está operativa.",
    "No realice más pagos a la cuenta anterior, serán devueltos.",
    "Hola Marta, te paso mi nueva cuenta para que me hagas la transferencia.",
    "Hemos abierto una nueva cuenta en otra entidad.",
    "Les facilitamos nuestra cuenta bancaria actualizada.",
    "Los pagos deben efectuarse a partir de ahora en nuestra nueva cuenta del Banco Norte.",
    "Tome nota de nuestros nuevos datos bancarios, por favor.",
    "Ya no podemos recibir transferencias en esta cuenta.",
    "Debido a un cambio de entidad bancaria, les indicamos el nuevo IBAN a continuación.",
    "Les informamos que, por motivos internos, nuestra cuenta en el Banco Sur ha sido cancelada.",
    "Por favor, a partir de hoy ingresen los importes en la cuenta que les indico abajo.",
    # Wordings found missing in a second review:
    "Nuestros datos bancarios cambian a partir del 1 de junio.",
    "A partir de ahora les rogamos realicen las transferencias a la cuenta indicada abajo.",
    "Nuestra cuenta actual será cancelada a final de mes.",
    "Les comunicamos que nuestra cuenta bancaria cambia a partir del próximo mes.",
    "Excepcionalmente, les rogamos que abonen esta factura en la cuenta indicada abajo.",
    "De ahora en adelante, por favor, realicen todos los pagos en nuestra cuenta del Banco del "
    "Puerto.",
]

NEGATIVE = [
    "Puede cambiar sus datos bancarios en su área de cliente de la banca online.",
    "Para modificar tu IBAN, accede a la app y ve a Ajustes.",
    "Hemos recibido su pago. Gracias.",
    "Su transferencia de 1.250,00 EUR a la cuenta ES91 **** 1332 se ha realizado.",
    "Le rogamos realice la transferencia a la siguiente cuenta: IBAN ES91 2100 0418 4502 0005 1332",
    "El IBAN figura como siempre en la factura.",
    "Su cuenta ha sido bloqueada temporalmente por motivos de seguridad. Cambie su contraseña.",
    "Su nueva cuenta ha sido creada. Inicie sesión con su correo electrónico.",
    "Hemos cambiado de dirección: nuestra nueva oficina está en la calle Mayor 12.",
    "Nuestros datos bancarios no han cambiado, pueden pagar como siempre.",
    "Nunca le pediremos por correo que cambie los datos bancarios de un proveedor.",
    "Con motivo de la auditoría anual, les rogamos confirmen el saldo a 31/12/2025.",
    "Adjunto la factura n.º 2026-0412, con vencimiento a 30 días.",
    "Mi cuenta está bloqueada y no puedo entrar en el portal de proveedores.",
    "Ya puede realizar compras con su nueva cuenta.",
    "Nuestro nuevo catálogo ya está disponible.",
    "Recuerde: nunca le pediremos por correo que realice pagos a una nueva cuenta.",
    "Ese correo no es nuestro: nuestros datos bancarios no han cambiado, sigan pagando en la "
    "cuenta de siempre.",
    "Por favor, envíenos su nueva cuenta bancaria para poder hacerle el reembolso.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Les rogamos que actualicen sus registros con nuestra nueva dirección. Nuestros datos "
    "bancarios son los mismos.",
    "Por favor, actualicen sus registros: cambiamos de teléfono. Se mantienen sin cambios el CIF "
    "y los datos bancarios.",
    "Les rogamos actualicen sus registros con la nueva dirección fiscal; los datos bancarios no "
    "cambian.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, a condition, an "a partir de ahora" that ends the sentence before
    "Les rogamos realicen el pago en la cuenta indicada abajo en un plazo de 30 días.",
    "Puede cambiar sus datos bancarios en la app.",
    "A partir de ahora, los pagos a proveedores se realizan los viernes.",
    "A partir de ahora cambia nuestro horario de oficina.",
    "Su cuenta de cliente será cancelada.",
    "Hemos pagado la factura desde nuestra cuenta en el Banco del Puerto.",
    "Si nuestros datos bancarios cambian, se lo comunicaremos por carta.",
    "Nuestros datos bancarios no cambian a partir del 1 de junio.",
    "Les enviaremos las facturas por correo a partir de ahora. Les rogamos realicen la "
    "transferencia a la cuenta indicada abajo.",
]

URGENCY = [
    "Es urgente, necesitamos el pago hoy mismo.",
    "Por favor, realice la transferencia lo antes posible.",
    "La factura está vencida; le rogamos el pago a la mayor brevedad.",
    "Tramítelo de inmediato, por favor.",
]
SECRECY = [
    "Le ruego que trate este asunto con la máxima discreción.",
    "Estoy en una reunión todo el día, no me llame.",
    "No puedo atender llamadas, respóndame solo por correo.",
    "Este asunto es estrictamente confidencial.",
]


def test_update_your_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Por favor, actualicen sus registros en consecuencia.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_update_your_records_with_bank_details_named() -> None:
    cues = language_cues("Les rogamos actualicen la ficha de proveedor con los datos bancarios.")
    assert cues.found("records")
    assert cues.asks_change()


def test_strip_quoted_attribution_line() -> None:
    text = (
        "Hola Lucía,\ngracias, el pedido ha llegado bien.\n\n"
        "El 12/03/2026 a las 10:15, Lucía Gómez escribió:\n"
        "Nuestros datos bancarios han cambiado.\n"
    )
    out = strip_quoted(text)
    assert "el pedido ha llegado bien" in out
    assert "datos bancarios" not in out


def test_strip_quoted_outlook_header_block() -> None:
    text = (
        "Gracias, queda anotado.\n\n"
        "De: Lucía Gómez <lucia.gomez@proveedor.example>\n"
        "Enviado el: jueves, 12 de marzo de 2026 10:15\n"
        "Para: Contabilidad <ap@buyer.example>\n"
        "Asunto: Nueva cuenta bancaria\n\n"
        "Por favor, utilice la nueva cuenta bancaria.\n"
    )
    out = strip_quoted(text)
    assert "queda anotado" in out
    assert "nueva cuenta" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_original_message_line() -> None:
    text = "Adjunto los albaranes.\n-----Mensaje original-----\nHemos cambiado de banco.\n"
    out = strip_quoted(text)
    assert "albaranes" in out
    assert "cambiado de banco" not in out
