"""bank_details_change: the message asks to pay a new or changed account, or carries bank
details that are not on file for the organisation it claims to come from.

What a person reads is read (:func:`caveat.reference.bank_language.readings`): the body, the
HTML part's visible text when it says more than the plain part (hidden text left out), and
the text of each attachment (an attached invoice counts like the body; evidence names the
file). Each text is read for change language in every language of ``data/bank_language``
(:mod:`caveat.reference.bank_language`) and for bank identifiers
(:mod:`caveat.reference.bank_identifiers`). Who is asking decides how loud the answer is:

  BANK_DETAILS_CHANGED         a known partner, a look-alike of a partner's or our domain, or
                               a free-mail address using a partner contact's name asks for a
                               new account, or names one that is not on file (danger);
  BANK_DETAILS_CHANGE_REQUEST  anyone else asks to pay a new or changed account (caution);
  BANK_DETAILS_PRESSURE        urgency or secrecy alongside such a request (caution);
  BANK_DETAILS_ON_FILE         every account named is on file (info: a note, not a warning);
  BANK_DETAILS_SEEN_BEFORE     every account named is on file or known: the sender's
                               organisation named it in earlier mail that passed aligned
                               authentication and drew no warning, at least a week ago
                               (:class:`~caveat.knowledge.memory.LearnedAccounts`) (info);
  BANK_DETAILS_UNVERIFIED      an IBAN or an account with its bank code, with no request to
                               change anything, that nothing on file confirms (info);
  BANK_DETAILS_REPORTED        a request to pay a new account that the message passes on as
                               suspect: our own authenticated colleague forwarding it, or a
                               partner saying in their own words that it is not genuine (info);
  BANK_DETAILS_VERIFIED        every account named that is not on file was confirmed for this
                               partner by telephone, to a contact on file, by as many distinct
                               colleagues as the four-eyes rule asks, and nobody denied it
                               (Verify sender; :attr:`SharedKnowledge.verified_accounts`):
                               who confirmed it and when, in place of the unknown-account
                               warning (info).

Learned accounts (the "known" branch): an account the sender's organisation named in its
earlier authenticated, unremarkable mail is neither on file nor new. Once an organisation
has a known account, any other account it names counts as new, as if the known ones were on
file: from a partner in the directory, or from a sender who is not in it (then the
message's claimant is that organisation, "learned"), a new account is BANK_DETAILS_CHANGED
even without change wording. Learned accounts count only for the sender's own organisation
(its registrable domain, or a free-mail address itself), never for a look-alike's or a
free-mail name's claim to a partner.

Verified accounts count only for the partner in the directory the From address belongs to
(a look-alike or a free-mail name claiming the partner gets no credit from them), and only
for the accounts verified: any other new account in the same message is judged as before.
Whatever else is wrong with the message (a diverted Reply-To, a relay's account, failed
authentication, a look-alike) keeps its own finding, and the BEC_BANK_VERIFIED_UNTRUSTED
composite keeps such a message at danger, where the unknown account would have put it.

Quotes are the sender's words. Text below an attribution line, an Outlook header block or
``>`` is discounted only where the conversation memory vouches for it (an earlier message
of the conversation said it: :attr:`MemorySnapshot.seen_text`). What remains of a quote is
read like the rest, with one rule for the many real replies whose originals Caveat never
saw: change language in an unverified quote counts only together with an account that is
not on file, or from a sender imitating a partner; an account not on file counts wherever
it stands.

Named exclusions (quiet):
  * seen_quote: quoted text an earlier message of the conversation said is not read;
  * quote_language_alone: change language in an unverified quote, with no account that is
    not on file and no imitation, is not a request;
  * weak_number: a bare "account number" (a customer number as often as a bank account)
    counts only inside a change request, and never makes "update your records" one;
  * unchanged: "update your records" next to bank words is no request when the text says
    the bank details stay as they are (an address or phone change);
  * payer_account: with no request anywhere, an account named as the one a payment was
    made from ("paid from our account ...", a remittance advice) is not a new account;
  * reported: the request stands only in quoted or forwarded text and the sender, in their
    own words, asks for nothing: from our own domain with trusted, aligned authentication,
    or from a partner in the directory who says the request is not genuine -- at most
    BANK_DETAILS_REPORTED (info);
  * bulk_unknown: newsletters and list mail from senders we do not know never raise a
    change request or an unverified note (banks explain to customers how to change
    *their* details) -- when our boundary vouches for the list marks (aligned DKIM or a
    known list); marks the sender alone wrote excuse nothing;
  * ours: accounts on file for an organisation whose domain is ours are never "new".

Bodies are read here and nowhere kept: evidence carries masked accounts and the quoted
request phrase only, and nothing is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from caveat.knowledge.context import Context
from caveat.knowledge.directory import OURS, PartnerEntry
from caveat.knowledge.partners_csv import organization_key
from caveat.knowledge.shared import Confirmation
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import isolate
from caveat.mail.domains import readable
from caveat.mail.facts import Facts
from caveat.mail.names import name_key
from caveat.reference.bank_identifiers import (
    Account,
    BankIdentifiers,
    extract,
    may_name_strong,
)
from caveat.reference.bank_language import (
    Cues,
    Reading,
    language_cues,
    may_ask,
    phrase_book,
    reading,
    readings,
    sources,
    text_units,
    words_of,
)

from ._common import THE_SENDER, claimed_sender, list_info, owner_words
from .findings import Evidence
from .freemail_impersonation import partner_claimed
from .hits import Hit, check, ev, label, words

CHANGED = "BANK_DETAILS_CHANGED"
VERIFIED = "BANK_DETAILS_VERIFIED"
CHANGE_REQUEST = "BANK_DETAILS_CHANGE_REQUEST"
PRESSURE = "BANK_DETAILS_PRESSURE"
ON_FILE = "BANK_DETAILS_ON_FILE"
SEEN_BEFORE = "BANK_DETAILS_SEEN_BEFORE"
UNVERIFIED = "BANK_DETAILS_UNVERIFIED"
REPORTED = "BANK_DETAILS_REPORTED"
_QUOTES_SHOWN = 3
#: how far (folded characters) before and after a "paid from" passage its account may be
_PAYER_BEFORE = 40
_PAYER_AFTER = 160


A_NEW_ACCOUNT = words("account.new", "a new account")
NONE_NAMED = words("accounts.none_named", "none named in the text")
_NO_ACCOUNT_ON_FILE = words("on_file.no_account", "no account on file")
_ACCOUNTS_ON_FILE = words("on_file.accounts", "one account on file", "{count} accounts on file")
_ACCOUNTS_SEEN = words("accounts.seen", "one account", "{count} accounts")
_ALSO_SEEN = words("on_file.also_seen", "{on_file}, and {seen} in its earlier mail")
_DIRECTORY = label("Directory")
_LOOKALIKE = label("Look-alike")
_EARLIER_MAIL = label("Earlier mail")
_REQUEST = label("Request")
_SAYS = label("Says")
_QUOTED = label("Quoted")
_ACCOUNT = label("Account")
_URGENCY = label("Urgency")
_SECRECY = label("Secrecy")


@dataclass(frozen=True, slots=True)
class Claimant:
    """The organisation the message claims to come from, and how Caveat knows it."""

    organisation: str
    partner: PartnerEntry | None  # None when it is our own organisation
    how: str  # "directory", "lookalike", "freemail_name", "name_elsewhere", "learned"
    evidence: Evidence


def claimant(facts: Facts, ctx: Context) -> Claimant | None:
    """The partner (or our organisation) behind the From address, if any: listed in the
    directory, imitated by a look-alike domain, or named by a free-mail sender."""
    a = facts.author
    if a is None or not a.address:
        return None
    d = ctx.directory
    if a.domain and ctx.config.is_internal(a.domain):
        return None
    p = d.partner_of_address(a.address) or d.partner_of_domain(a.domain)
    if p is not None:
        return Claimant(p.organization, p, "directory", ev(_DIRECTORY, f"{p.organization}"))
    if not a.domain:
        return None
    if a.domain in ctx.config.freemail:
        key = name_key(a.name)
        for person in d.contacts_named(key) if key else ():
            partner = d.partner_named(person.organization)
            if partner is not None:
                return Claimant(
                    partner.organization,
                    partner,
                    "freemail_name",
                    ev(
                        _DIRECTORY,
                        f"{isolate(person.name)} is a contact of {isolate(partner.organization)}",
                    ),
                )
    else:
        m = ctx.lookalikes().match(a.domain, a.shown_domain)
        if m is not None:
            ours = m.owner == OURS or ctx.config.is_internal(m.imitates)
            return Claimant(
                owner_words(OURS if ours else m.owner),
                None if ours else d.partner_of_domain(m.imitates),
                "lookalike",
                ev(
                    _LOOKALIKE,
                    f"{isolate(readable(a.shown_domain))} imitates {m.imitates} "
                    f"({isolate(m.owner)}): {isolate(m.detail)}",
                ),
            )
    # A partner's organisation name on free mail or on a domain that is not the partner's:
    # the message claims to come from the partner all the same.
    named = partner_claimed(facts, a, ctx)
    if named is None:
        return None
    return Claimant(
        named.organization,
        named,
        "freemail_name" if a.domain in ctx.config.freemail else "name_elsewhere",
        ev(
            _DIRECTORY,
            f"{isolate(a.name)} is the name of {isolate(named.organization)}, whose mail "
            f"comes from {', '.join(named.domains) or 'other addresses'}",
        ),
    )


def _on_file(account: Account, partner: PartnerEntry | None) -> bool:
    return partner is not None and any(account.matches(f) for f in partner.bank_accounts)


def _is_ours(p: PartnerEntry, ctx: Context) -> bool:
    return any(ctx.config.is_internal(d) for d in p.domains)


#: an account not on file, and the text it stands in
_New = tuple[Account, "_Text"]
#: an account on file, the organisation it is on file for, and the text it stands in
_Known = tuple[Account, str, "_Text"]


class _Text:
    """One text read, with what was found in it, each part found when first asked for:
    a quote's phrases are looked for only when they can matter, and neither phrases nor
    identifiers in a text whose words rule them out (see :func:`bank_details_change`)."""

    __slots__ = (
        "_cues",
        "_ids",
        "_may_ask",
        "_may_be_strong",
        "_whole",
        "_words",
        "gated",
        "quoted",
        "text",
        "where",
        "whole_text",
    )

    def __init__(
        self,
        where: str,
        quoted: bool,
        text: str,
        whole_text: str = "",
        words: frozenset[str] | None = None,
        gated: bool = True,
    ) -> None:
        self.where = where  # "" for the body, "the HTML part", an attachment's name
        self.quoted = quoted  # presented as quoted, and no earlier message vouches for it
        self.text = text
        #: for a quote of which the conversation said some: all of it
        self.whole_text = whole_text
        self._ids: BankIdentifiers | None = None
        self._cues: Cues | None = None
        self._whole: Cues | None = None
        self._words = words  # when known: the words of ``text`` (see words_of)
        #: may_ask and may_be_strong are read from the words (False: both always True)
        self.gated = gated
        self._may_ask: bool | None = None
        self._may_be_strong: bool | None = None

    @property
    def ids(self) -> BankIdentifiers:
        if self._ids is None:
            self._ids = extract(self.text)
        return self._ids

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = words_of(self.text)
        return self._words

    @property
    def may_ask(self) -> bool:
        """False when no change, hold or records phrase can be in the text (its words
        rule every one out): then its cues ask for nothing."""
        if self._may_ask is None:
            self._may_ask = not self.gated or may_ask(self.words)
        return self._may_ask

    @property
    def may_be_strong(self) -> bool:
        """False when the text cannot hold an IBAN or an account with its sort code or
        routing number: then ``ids.strong`` is empty."""
        if self._may_be_strong is None:
            self._may_be_strong = not self.gated or may_name_strong(self.text, self.words)
        return self._may_be_strong

    def asks(self, identified: Callable[[], bool]) -> bool:
        """``cues.asks_change(identifier=identified())``, asking ``identified`` only when
        the answer depends on it (an "update your records" and nothing more)."""
        if not self.may_ask:
            return False
        cues = self.cues
        if cues.asks_change(identifier=False):
            return True
        return bool(cues.found("records")) and cues.asks_change(identifier=identified())

    @property
    def cues(self) -> Cues:
        if self._cues is None:
            self._cues = language_cues(self.text)
        return self._cues

    @property
    def whole(self) -> Cues | None:
        """The cues of the whole quote, the parts the conversation said included."""
        if not self.whole_text:
            return None
        if self._whole is None:
            self._whole = language_cues(self.whole_text)
        return self._whole

    def label(self, value: str) -> str:
        place = []
        if self.quoted:
            place.append("quoted")
        if self.where:
            place.append(f"in {isolate(self.where)}")  # an attachment's name, as written
        return f"{value} ({', '.join(place)})" if place else value


def _unseen(text: str, seen: frozenset[str]) -> str:
    """``text`` without the sentences and paragraphs the conversation said before."""
    if not seen or not text:
        return text
    parts: list[str] = []
    at = 0
    for unit, start, end in text_units(text):
        if unit in seen:
            parts.append(text[at:start])
            parts.append("\n" if "\n" in text[start:end] else " ")
            at = end
    parts.append(text[at:])
    return "".join(parts).strip()


def _texts(facts: Facts, seen: frozenset[str]) -> list[_Text]:
    out: list[_Text] = []
    for r in readings(facts):
        out.extend(_read(r, seen))
    return out


def _may_matter(text: str, words: frozenset[str]) -> bool:
    """The pre-check of a whole text (whose words are ``words``), before it is cut into
    own words and quote: can any part of it ask for a change or hold a strong
    identifier? (Its parts are made of its lines, so their words are among its words
    and the identifier test holds for them.)"""
    return may_ask(words) or may_name_strong(text, words)


def _read(
    r: Reading,
    seen: frozenset[str],
    source: str = "",
    words: frozenset[str] | None = None,
    gated: bool = True,
) -> list[_Text]:
    """The texts of ``r``; ``words`` are those of ``source``, the text ``r`` was cut
    from: the sender's own words have them when they are all of it."""
    out = []
    if r.own.strip():
        same = words is not None and not r.quoted and r.own == source.rstrip()
        out.append(_Text(r.where, False, r.own, words=words if same else None, gated=gated))
    quoted = _unseen(r.quoted, seen)
    if quoted.strip():
        whole = r.quoted if quoted != r.quoted else ""
        out.append(_Text(r.where, True, quoted, whole, gated=gated))
    return out


def _prepare() -> None:
    """Compile the phrase files (a broken one stops start-up) and the label patterns."""
    phrase_book()
    extract("")


def _identifies(ids: BankIdentifiers) -> bool:
    """Bank details that make "update your records" a request: a validated account, a
    BIC or a bank code (a bare "account number" may be a customer number)."""
    return bool(ids.strong or ids.bics or ids.bank_codes)


def _payer_keys(t: _Text) -> set[str]:
    """Accounts of ``t`` named as the one a payment was made from."""
    if not t.ids.positions:
        return set()
    spans = t.cues.spans("payer")
    if not spans:
        return set()
    return {
        key
        for key, at in t.ids.positions
        if any(s - _PAYER_BEFORE <= at <= e + _PAYER_AFTER for s, e in spans)
    }


def _authenticated_internal(facts: Facts, ctx: Context) -> bool:
    """The From address is ours and passed aligned authentication at our boundary."""
    a = facts.author
    if a is None or not a.domain or not ctx.config.is_internal(a.domain):
        return False
    auth = trusted_auth(facts, ctx.config)
    return auth is not None and (
        auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass(a.domain)
    )


@check(
    "bank_details_change",
    emits=[
        CHANGED,
        CHANGE_REQUEST,
        PRESSURE,
        ON_FILE,
        SEEN_BEFORE,
        UNVERIFIED,
        REPORTED,
        VERIFIED,
    ],
    prepare=_prepare,
)
def bank_details_change(facts: Facts, ctx: Context) -> list[Hit]:
    return decide(facts, ctx)


def decide(facts: Facts, ctx: Context, precheck: bool = True) -> list[Hit]:
    """The check; with ``precheck=False``, every text is read in full (the path the
    pre-check is measured against: tests/checks/test_bank_details_precheck.py)."""
    # The pre-check: most mail has neither a word that a request needs nor anything an
    # IBAN, a sort code or a routing number could be. Then no text asks for a change and
    # none holds a strong identifier, and every path below ends in []. First on each
    # whole text, before quotes are cut; then on each part.
    found = [(s, words_of(s.text) if precheck else None) for s in sources(facts)]
    if precheck and not any(_may_matter(s.text, words) for s, words in found if words is not None):
        return []
    seen = ctx.memory.seen_text
    texts = [t for s, words in found for t in _read(reading(s), seen, s.text, words, precheck)]
    if not any(t.may_ask or t.may_be_strong for t in texts):
        return []
    own = [t for t in texts if not t.quoted]
    quoted = [t for t in texts if t.quoted]
    known_identified: list[bool] = []

    def identified() -> bool:
        if not known_identified:
            known_identified.append(any(_identifies(t.ids) for t in texts))
        return known_identified[0]

    own_asks = any(t.asks(identified) for t in own)
    # A quote's change language matters only with bank details in it, or from a sender
    # imitating a partner (below): most replies quote long threads, read only if needed.
    quote_asks = any(t.asks(identified) for t in quoted if t.may_ask and t.ids)
    strong = any(t.may_be_strong and t.ids.strong for t in texts)
    if not own_asks and not quote_asks and not strong:
        if not any(t.may_ask for t in quoted):
            return []  # no quote can ask either: what the sender claims to be is moot
        who = claimant(facts, ctx)
        if who is None or who.how == "directory":
            return []
    else:
        who = claimant(facts, ctx)
    if who is not None and who.how != "directory" and not quote_asks:
        quote_asks = any(t.asks(identified) for t in quoted)
    if not own_asks and not quote_asks and not strong:
        return []
    partner = who.partner if who else None
    # Accounts learned from the sender's organisation's earlier authenticated mail.
    learned = ctx.memory.accounts if who is None or who.how == "directory" else None
    seen_before: set[str] = set()

    def sort(accts: list[tuple[Account, _Text]]) -> tuple[list[_New], list[_Known]]:
        new: list[_New] = []
        known: list[_Known] = []
        for acct, t in accts:
            if _on_file(acct, partner):
                known.append((acct, partner.organization if partner else "", t))
                continue
            if learned is not None and learned.knows(acct.key, ctx.now):
                seen_before.add(acct.key)
                known.append((acct, learned.owner, t))
                continue
            owners = ctx.directory.account_owners(acct.key)
            if any(_is_ours(o, ctx) for o in owners):
                continue  # our own account, quoted back to us (an invoice we sent)
            if owners and who is None:
                known.append((acct, owners[0].organization, t))
            else:
                # On file for another partner is still not on file for this one.
                new.append((acct, t))
        return new, known

    def accounts(asked: bool, of: list[_Text]) -> list[tuple[Account, _Text]]:
        # A bare account number is weak: it counts only when the message asks for a change.
        out: dict[str, tuple[Account, _Text]] = {}
        for t in of:
            for a in t.ids.accounts if asked else t.ids.strong:
                out.setdefault(a.key, (a, t))
        return list(out.values())

    quote_new = sort(accounts(quote_asks, quoted))[0]
    imitating = who is not None and who.how != "directory"
    # A real quote with an account changed in it: the change language the conversation
    # said before counts for the account it never named.
    if quote_new and not quote_asks:
        quote_asks = any(
            t.whole is not None and t.whole.asks_change(identifier=identified()) for t in quoted
        )
    # quote_language_alone: change language in an unverified quote needs an account that
    # is not on file, or a sender imitating a partner, to count.
    quote_counts = quote_asks and bool(quote_new or imitating)
    asks = own_asks or quote_counts
    new, known = sort(accounts(asks, texts))
    if not asks:
        # payer_account: "paid from our account ..." names where money came from.
        payer = set().union(*(_payer_keys(t) for t in texts))
        new = [(a, t) for a, t in new if a.key not in payer]
        known = [(a, o, t) for a, o, t in known if a.key not in payer]
        if not new and not known:
            return []

    # Accounts colleagues verified for this very partner leave the unknown ones.
    verified: list[_Verified] = []
    if new and who is not None and who.how == "directory" and partner is not None:
        new, verified = _verified(new, partner, ctx)
    refs = ctx.knowledge.account_ref if ctx.knowledge.account_key else None
    baseline = len(learned.known(ctx.now)) if learned is not None else 0
    if who is None and baseline and new:
        # An organisation that is not in the directory, with known accounts, names another.
        who = Claimant(
            learned.owner if learned is not None else "",
            None,
            "learned",
            ev(
                _EARLIER_MAIL,
                f"authenticated mail from {isolate(learned.owner if learned else '')} "
                f"named {_accounts_seen(baseline)} before",
            ),
        )
    hits: list[Hit] = []
    evidence = _evidence(
        facts, texts, new, known, who, quote_counts, verified, refs, frozenset(seen_before)
    )
    params = _params(who, [a for a, _t in new], [(a, o) for a, o, _t in known], partner)
    if baseline:
        also = _accounts_seen(baseline)
        params["on_file"] = _ALSO_SEEN(on_file=params["on_file"], seen=also)
    only_seen = bool(known) and all(a.key in seen_before for a, _o, _t in known)
    if only_seen and learned is not None:
        params["organisation"] = (
            who.organisation if who is not None and who.how == "directory" else learned.owner
        )
    # reported: the request is only quoted or forwarded, and the sender asks for nothing.
    if not own_asks and (quote_asks or quote_new):
        disowned = any(t.cues.found("disown") for t in own)
        if _authenticated_internal(facts, ctx) or (
            disowned and who is not None and who.how == "directory"
        ):
            return [Hit(REPORTED, evidence, params)]
    if verified and not new:
        return [Hit(VERIFIED, evidence, {**params, **_verified_params(verified)})]
    if who is not None:
        # Identifiers not on file count wherever they stand: a quote no earlier message of
        # the conversation vouches for is the sender's own text.
        on_file_exists = bool(partner and partner.bank_accounts) or bool(baseline)
        if (new and (asks or on_file_exists or who.how != "directory")) or (asks and not known):
            hits.append(Hit(CHANGED, evidence, params))
        elif known and not new:
            hits.append(Hit(SEEN_BEFORE if only_seen else ON_FILE, evidence, params))
        elif new:
            hits.append(Hit(UNVERIFIED, evidence, params))
    else:
        # bulk_unknown: list and bulk marks are written by the sender; they excuse an
        # unknown sender's bank talk only when our boundary vouches for them.
        lists = list_info(facts, ctx)
        bulk = (lists.is_list or lists.is_bulk) and lists.trusted
        if (lists.is_list or lists.is_bulk) and not lists.trusted and (new or asks):
            evidence = (*evidence, *lists.refused())
        if known and not new:
            hits.append(Hit(SEEN_BEFORE if only_seen else ON_FILE, evidence, params))
        elif bulk:
            pass
        elif asks:
            hits.append(Hit(CHANGE_REQUEST, evidence, params))
        elif any(a.strong for a, _t in new):
            hits.append(Hit(UNVERIFIED, evidence, params))
    if hits and hits[0].id in (CHANGED, CHANGE_REQUEST):
        counted = [t for t in texts if not t.quoted or quote_counts]
        pressure = [
            ev(name, t.label(f'"{q}"'))
            for name, cat in ((_URGENCY, "urgency"), (_SECRECY, "secrecy"))
            for t in counted
            for q in t.cues.found(cat)[:_QUOTES_SHOWN]
        ]
        if pressure:
            hits.append(Hit(PRESSURE, tuple(_dedupe(pressure)), params))
    return hits


#: an account verified for the partner, its confirmations, and the text it stands in
_Verified = tuple[Account, tuple[Confirmation, ...], "_Text"]


def _verified(
    new: list[_New], partner: PartnerEntry, ctx: Context
) -> tuple[list[_New], list[_Verified]]:
    """``new`` split into the accounts still unknown and those verified for ``partner``."""
    k = ctx.knowledge
    if not k.verified_accounts or not k.account_key:
        return new, []
    org = organization_key(partner.organization)
    still: list[_New] = []
    verified: list[_Verified] = []
    for a, t in new:
        ref = k.account_ref(a.key)
        confirmations = k.verified(org, ref) if ref else ()
        if confirmations:
            verified.append((a, confirmations, t))
        else:
            still.append((a, t))
    return still, verified


def _who_confirmed(confirmations: tuple[Confirmation, ...]) -> str:
    """Each colleague once, with the day they confirmed: "A (2026-12-01), B (2026-12-02)"."""
    return ", ".join(
        f"{isolate(c.by)} ({c.at.astimezone(UTC).date().isoformat()})" for c in confirmations
    )


def _verified_params(verified: list[_Verified]) -> dict[str, str]:
    a, confirmations, _t = verified[0]
    return {
        "verified_account": a.masked,
        "verified_accounts": ", ".join(v[0].masked for v in verified),
        "confirmed_by": _who_confirmed(confirmations),
        "confirmations": str(len(confirmations)),
    }


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    return list(dict.fromkeys(items))


def _evidence(
    facts: Facts,
    texts: list[_Text],
    new: list[_New],
    known: list[_Known],
    who: Claimant | None,
    quote_counts: bool,
    verified: list[_Verified] | None = None,
    refs: Callable[[str], str | None] | None = None,
    seen_before: frozenset[str] = frozenset(),
) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    if facts.author is not None:
        out.append(ev("From", facts.author.display()))
    if who is not None:
        out.append(who.evidence)
    for t in texts:
        for cat in ("change", "hold", "records"):
            for q in t.cues.found(cat)[:_QUOTES_SHOWN]:
                out.append(ev(_REQUEST, t.label(f'"{q}"')))
    for t in texts:
        if not t.quoted:
            for q in t.cues.found("disown")[:_QUOTES_SHOWN]:
                out.append(ev(_SAYS, t.label(f'"{q}"')))
    if quote_counts:
        out.append(
            ev(_QUOTED, "the quoted text matches no message Caveat saw in this conversation")
        )

    def ref(a: Account) -> str:
        return (refs(a.key) or "") if refs is not None else ""

    for a, t in new:
        out.append(Evidence(_ACCOUNT, t.label(f"{a.masked}: not on file"), ref(a)))
    for a, org, t in known:
        if a.key in seen_before:
            said = f"{a.masked}: named in earlier authenticated mail from {isolate(org)}"
        else:
            said = f"{a.masked}: on file for {org}"
        out.append(Evidence(_ACCOUNT, t.label(said), ref(a)))
    for a, confirmations, t in verified or ():
        org = who.organisation if who is not None else ""
        out.append(
            Evidence(
                _ACCOUNT,
                t.label(
                    f"{a.masked}: verified for {isolate(org)} by telephone, confirmed by "
                    f"{_who_confirmed(confirmations)}"
                ),
                ref(a),
            )
        )
    bics = dict.fromkeys(code for t in texts for code in t.ids.bics)
    for code in bics:
        out.append(ev("BIC", code))
    return tuple(_dedupe(out))


def _params(
    who: Claimant | None,
    new: list[Account],
    known: list[tuple[Account, str]],
    partner: PartnerEntry | None,
) -> dict[str, object]:
    on_file = partner.bank_accounts if partner else ()
    return {
        "organisation": who.organisation if who else THE_SENDER(),
        "claimed": claimed_sender(who),
        "account": new[0].masked if new else A_NEW_ACCOUNT(),
        "accounts": ", ".join(a.masked for a in new) or NONE_NAMED(),
        "known_account": known[0][0].masked if known else "",
        "known_organisation": known[0][1] if known else "",
        "on_file": _accounts_on_file(len(on_file)),
    }


def _accounts_seen(n: int) -> str:
    return _ACCOUNTS_SEEN(count=n)


def _accounts_on_file(n: int) -> str:
    return _ACCOUNTS_ON_FILE(count=n) if n else _NO_ACCOUNT_ON_FILE()
