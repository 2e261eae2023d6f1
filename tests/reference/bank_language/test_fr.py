"""French phrases for a request to pay a new or changed bank account (fr.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Veuillez trouver ci-joint nos nouvelles coordonnées bancaires.",
    "Nous vous informons que nos coordonnées bancaires ont changé.",
    "Notre RIB a été modifié, merci d'en tenir compte pour le prochain règlement.",
    "Objet : Changement de nos coordonnées bancaires",
    "Nous avons changé de banque, merci d'effectuer vos prochains virements sur notre nouveau "
    "compte.",
    "Désormais, merci de régler nos factures sur le compte suivant : "
    "IBAN FR76 3000 6000 0112 3456 7890 189",
    "Les paiements doivent désormais être effectués sur le compte ci-dessous.",
    "Veuillez utiliser le nouveau RIB ci-joint pour la facture 2026-118.",
    "Notre compte bancaire est temporairement bloqué en raison d'un audit.",
    "En raison d'un contrôle fiscal en cours, notre compte habituel ne peut pas recevoir de "
    "virements.",
    "L'ancien RIB n'est plus valable, merci de ne plus l'utiliser.",
    "Merci de ne plus effectuer de virement sur l'ancien compte.",
    "Bonjour Paul, je te mets mon nouveau RIB en pièce jointe pour le remboursement.",
    "Nous avons ouvert un nouveau compte auprès d'une autre banque.",
    "Vous trouverez ci-dessous nos coordonnées bancaires mises à jour.",
    "Suite à notre changement de domiciliation bancaire, voici le nouveau RIB.",
    "Nous ne pouvons plus recevoir de paiements sur ce compte.",
    "Nos coordonnées bancaires sont désormais les suivantes :",
    "Suite à notre changement d'établissement bancaire, voici notre RIB.",
    "Pourriez-vous effectuer le paiement sur notre autre compte ?",
    # Wordings found missing in a second review:
    "Nos coordonnées bancaires changent à compter du 1er juin.",
    "Notre RIB change au 1er juillet ; le nouveau vous sera transmis.",
    "Nos coordonnées bancaires vont bientôt changer.",
    "Exceptionnellement, merci de régler cette facture sur le compte ci-dessous.",
    "Merci d'effectuer ce virement exceptionnellement sur le compte indiqué ci-dessous.",
]

NEGATIVE = [
    "Vous pouvez modifier vos coordonnées bancaires dans votre espace client en ligne.",
    "Pour changer de RIB, connectez-vous à votre banque en ligne.",
    "Nous avons bien reçu votre paiement, merci.",
    "Votre virement de 1 250,00 EUR vers le compte FR14 **** 2606 a été exécuté.",
    "Merci de régler cette facture par virement sur le compte suivant : "
    "IBAN FR14 2004 1010 0505 0001 3M02 606",
    "L'IBAN figure comme d'habitude sur la facture.",
    "Votre compte a été temporairement bloqué suite à plusieurs tentatives de connexion.",
    "Votre nouveau compte a bien été créé. Connectez-vous avec votre adresse e-mail.",
    "Notre adresse a changé : nous avons déménagé au 12 rue des Lilas.",
    "Nos coordonnées bancaires n'ont pas changé, vous pouvez régler comme d'habitude.",
    "Nous ne vous communiquerons jamais de nouvelles coordonnées bancaires par e-mail.",
    "Dans le cadre de l'audit annuel, merci de nous confirmer le solde au 31/12/2025.",
    "Nos modalités de paiement ont changé : règlement à 45 jours fin de mois.",
    "En cas de changement de banque, pensez à prévenir vos créanciers.",
    "Mon compte est bloqué, je n'arrive plus à me connecter au portail fournisseurs.",
    "Veuillez trouver ci-joint la facture n° 2026-0412, payable à 30 jours.",
    "Notre nouveau catalogue est disponible en ligne.",
    "Rappel : nous ne vous demanderons jamais par e-mail d'utiliser de nouvelles coordonnées "
    "bancaires.",
    "Ce message ne vient pas de nous : nos coordonnées bancaires n'ont pas changé, merci de "
    "continuer à régler sur le compte habituel.",
    "Merci de nous communiquer votre nouveau RIB afin que nous puissions vous rembourser.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Merci de mettre à jour vos fichiers avec notre nouvelle adresse : 12 rue des Lilas, Lyon. "
    "Nos coordonnées bancaires sont inchangées.",
    "Merci de mettre à jour vos fichiers : notre siège a déménagé. Restent inchangés notre SIRET "
    "et nos coordonnées bancaires.",
    "Nous vous remercions de mettre à jour vos fichiers avec notre nouveau numéro de téléphone ; "
    "nos coordonnées bancaires ne changent pas.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, a condition
    "Merci d'effectuer le paiement sur le compte ci-dessous sous 30 jours.",
    "Vous pouvez modifier vos coordonnées bancaires dans l'application.",
    "Désormais, les paiements aux fournisseurs sont effectués le vendredi.",
    "À compter d'aujourd'hui, nos horaires d'ouverture changent.",
    "Votre compte client sera clôturé à la fin du mois.",
    "Nous avons réglé la facture depuis notre compte à la Banque du Port.",
    "Exceptionnellement, nos bureaux seront fermés vendredi.",
    "Si nos coordonnées bancaires changent, nous vous en informerons par courrier.",
    "Nos coordonnées bancaires ne changent pas au 1er juin.",
]

URGENCY = [
    "Merci de traiter ce paiement en urgence, aujourd'hui si possible.",
    "Le virement doit partir dès que possible.",
    "C'est urgent, la facture est échue depuis deux semaines.",
    "Merci de procéder au règlement dans les plus brefs délais.",
]
SECRECY = [
    "Je vous remercie de traiter cette demande en toute discrétion.",
    "Je suis en réunion toute la journée, merci de ne pas m'appeler.",
    "Ne m'appelez pas, répondez uniquement par e-mail.",
    "Ce dossier est strictement confidentiel.",
]


def test_update_your_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Merci de mettre à jour vos fichiers en conséquence.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_update_your_records_with_bank_details_named() -> None:
    cues = language_cues("Merci de mettre à jour notre fiche fournisseur avec le RIB ci-joint.")
    assert cues.found("records")
    assert cues.asks_change()


def test_strip_quoted_attribution_line() -> None:
    text = (
        "Bonjour Madame Martin,\nmerci, la livraison est bien arrivée.\n\n"
        "Le 12/03/2026 à 10:15, Claire Martin a écrit :\n"
        "Nos coordonnées bancaires ont changé.\n"
    )
    out = strip_quoted(text)
    assert "la livraison est bien arrivée" in out
    assert "coordonnées" not in out


def test_strip_quoted_outlook_header_block() -> None:
    text = (
        "Merci, c'est noté.\n\n"
        "De\u00a0: Claire Martin <claire.martin@fournisseur.example>\n"
        "Envoyé\u00a0: jeudi 12 mars 2026 10:15\n"
        "À\u00a0: Comptabilité <ap@buyer.example>\n"
        "Objet\u00a0: Nouveau RIB\n\n"
        "Veuillez utiliser notre nouveau RIB ci-joint.\n"
    )
    out = strip_quoted(text)
    assert "c'est noté" in out
    assert "nouveau RIB" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_original_message_line() -> None:
    text = (
        "Ci-joint les bons de livraison.\n"
        "-----Message d'origine-----\n"
        "Nous avons changé de banque.\n"
    )
    out = strip_quoted(text)
    assert "bons de livraison" in out
    assert "changé de banque" not in out
