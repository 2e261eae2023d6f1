"""Portuguese phrases of the bank_details_change check (data/bank_language/pt.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Informamos que os nossos dados bancários foram alterados.",
    "Vimos por este meio comunicar o nosso novo IBAN, para onde deverão ser efetuados os "
    "próximos pagamentos.",
    "Mudámos de banco: a partir de agora os pagamentos devem ser feitos para a nova conta "
    "indicada abaixo.",
    "Segue em anexo a declaração bancária com os novos dados bancários.",
    "A nossa conta bancária encontra-se temporariamente bloqueada devido a uma auditoria interna.",
    "Devido a uma auditoria fiscal em curso, não podemos receber transferências na conta habitual.",
    "Por favor, não utilizem mais o IBAN antigo, aguardem as novas instruções.",
    "Alterámos recentemente o nosso NIB e IBAN, pelo que solicitamos que atualizem os vossos "
    "registos.",
    "Prezados, nossa chave Pix mudou. Favor realizar o depósito na nova conta abaixo.",
    "Olá Ana, envio o novo IBAN da empresa para a transferência desta fatura.",
    "Abrimos uma nova conta no Banco Exemplo e gostaríamos que os pagamentos futuros fossem "
    "feitos para lá.",
    "Assunto: Alteração dos nossos dados bancários",
    "Os próximos pagamentos deverão ser efetuados para a seguinte conta bancária.",
    "Estamos a mudar de banco, pelo que os dados para pagamento serão outros a partir de abril.",
    "O IBAN anterior já não se encontra ativo, pedimos que aguardem os novos dados.",
    "Os dados bancários da nossa empresa foram alterados, conforme carta em anexo.",
    "Pedimos que desconsiderem os dados bancários anteriores e utilizem os novos.",
    "Nossos dados bancários foram atualizados; favor atualizar o cadastro de fornecedores.",
    "Os dados bancários foram alterados, seguem os novos.",
    "Agradecemos que passem a efetuar os pagamentos para a conta abaixo indicada.",
    # Wordings found missing in a second review:
    "A partir de agora, pedimos que efetuem as transferências para a conta indicada abaixo.",
    "Informamos a nova conta bancária para os pagamentos em aberto.",
    "Com efeito imediato, todos os pagamentos devem ser feitos para a seguinte conta.",
    "A partir de hoje, solicitamos que todos os pagamentos sejam feitos na nossa nova conta.",
    "Comunicamos o nosso novo IBAN para os próximos pagamentos.",
    "Excecionalmente, pedimos que efetuem o pagamento desta fatura para a conta indicada abaixo.",
]

NEGATIVE = [
    # banks and public portals writing to their own customers
    "Pode alterar o IBAN associado à sua conta diretamente na app, na área Perfil.",
    "Atualize os seus dados bancários no Portal das Finanças para receber o reembolso do IRS.",
    "Abra já uma nova conta online e receba o ordenado sem custos.",
    "Com o MB WAY pode fazer transferências para outra conta em segundos.",
    # payment confirmations
    "Confirmamos a receção do vosso pagamento referente à fatura n.º 2026/112. Obrigado.",
    "A sua transferência de 1.250,00 EUR para PT50 0002 0123 1234 5678 9015 4 foi executada "
    "com sucesso.",
    "Pagamento recebido: o valor foi creditado na conta terminada em 9015.",
    "Recebemos a vossa transferência na nossa conta. Obrigado!",
    # invoices and the usual account
    "Junto enviamos a fatura n.º 45. O pagamento deve ser efetuado por transferência bancária "
    "para o IBAN habitual PT50 0002 0123 1234 5678 9015 4.",
    "O IBAN está na fatura, como sempre.",
    "O nosso IBAN não foi alterado, podem continuar a pagar para a conta habitual.",
    "Escrevo sobre a encomenda de março; o IBAN continua o mesmo de sempre.",
    # passwords, logins, addresses, social media
    "A sua palavra-passe expira em 5 dias. Altere a palavra-passe no portal.",
    "A sua conta foi bloqueada após várias tentativas de acesso falhadas.",
    "Bem-vindo! A sua nova conta no nosso portal de clientes foi criada.",
    "Informamos que a nossa morada mudou: Rua Augusta 100, Lisboa. Agradecemos que atualizem os "
    "vossos registos.",
    "A nossa nova conta de Instagram já está ativa, sigam-nos!",
    "Os dados bancários foram alterados com sucesso.",
    "Passe a pagar com o telemóvel na nova app.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Agradecemos que atualizem os vossos registos com a nova morada. Os nossos dados bancários "
    "são os mesmos.",
    "Agradecemos que atualizem os vossos registos com o novo contacto. Mantêm-se inalterados o "
    "NIF e os dados bancários.",
    "Por favor atualizem os vossos registos com o novo telefone; os dados bancários não mudam.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, a bank to its customer, an "a partir de agora" that ends the sentence before
    "Pedimos que efetuem o pagamento para a conta indicada abaixo no prazo de 30 dias.",
    "Pode alterar os seus dados bancários na app.",
    "A partir de agora, os pagamentos a fornecedores são feitos às sextas-feiras.",
    "Com efeito imediato, o nosso horário de atendimento muda.",
    "A sua conta de cliente será encerrada.",
    "Pagámos a fatura a partir da nossa conta no Banco do Porto.",
    "Informamos que a sua nova conta bancária já está ativa.",
    "A partir de hoje, os pagamentos com cartão são feitos na nossa loja online.",
    "A partir de hoje, os depósitos em conta são gratuitos.",
    "Enviaremos as faturas por email a partir de agora. Pedimos que efetuem o pagamento para "
    "a conta indicada abaixo.",
]

URGENCY = [
    "O pagamento é urgente, por favor tratem disto hoje mesmo.",
    "Preciso que a transferência seja feita o mais rápido possível.",
    "Fatura vencida: agradecemos a regularização com urgência.",
]
SECRECY = [
    "Peço total sigilo sobre este assunto.",
    "Estou numa reunião o dia todo, respondam apenas por email.",
    "Assunto estritamente confidencial, não comentem com ninguém.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Agradecemos que atualizem os vossos registos com os dados abaixo.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Obrigado, a encomenda segue amanhã.\n\n"
        "A segunda, 2/03/2026, 10:00, João Silva <joao.silva@fornecedor.example> escreveu:\n"
        "Os nossos dados bancários foram alterados.\n"
    )
    out = strip_quoted(text)
    assert "encomenda segue amanhã" in out
    assert "dados bancários" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Bom dia, confirmo a receção da encomenda.\n\n"
        "De: João Silva <joao.silva@fornecedor.example>\n"
        "Enviado: segunda-feira, 2 de março de 2026 10:00\n"
        "Para: ap@buyer.example\n"
        "Assunto: Alteração de dados bancários\n\n"
        "Seguem os nossos novos dados bancários.\n"
    )
    out = strip_quoted(text)
    assert "confirmo a receção" in out
    assert "dados bancários" not in out


def test_strip_quoted_original_message() -> None:
    text = (
        "Ver abaixo, falamos amanhã.\n"
        "-----Mensagem original-----\n"
        "O nosso IBAN foi alterado, usem a nova conta.\n"
    )
    out = strip_quoted(text)
    assert "falamos amanhã" in out
    assert "IBAN" not in out
