"""The people and look-alike checks on real mail with their own knowledge loaded, and
whether a warning holds through an impostor's thread.

    .venv/bin/python bench/bec_persistence.py [--show] [--quick] [--part people|lookalike|threads]

Three measurements, each printed as a table (exit code 0; the regression tests with the
same thresholds are tests/checks/test_people_corpus.py,
tests/checks/test_lookalike_correspondent_corpus.py and tests/checks/test_impostor_thread.py):

people     Each ham dataset of ../shared/corpus is taken as one organisation: its frequent
           senders (by name, :data:`MIN_MESSAGES` messages or more) become employees, the
           most frequent quarter of them executives, each listed with one address only (the
           one they use most, a non-free-mail one when they have it), so the other
           addresses they really write from (their personal free mail, another employer)
           are judged as outside; the addresses the mail goes to become people in finance,
           HR and executive support (every message has a "sensitive" recipient: the
           strictest case). Every message is analysed with that directory: the share at
           caution or above, the people findings that appear, and the same figures for the
           employees' own mail from free-mail addresses the directory does not list (the
           peer lesson that payroll and executive rules must stay quiet on it).
lookalike  Every ham message, in date order, through one conversation memory as the service
           records it (analysed, then recorded; authenticated where the corpus's receiving
           server says so: the usrp list's boundary, mm2.emwd.com), so the frequent senders'
           domains become look-alike targets; then the ham again against that memory: the
           messages with LOOKALIKE_CORRESPONDENT and the share at caution or above. A second
           row counts every message as authenticated, so that the 2002 corpora's senders
           (no authentication results) become targets too: the pessimistic bound.
threads    Made-up impostor threads (executive from free mail, payroll diversion from a
           personal address, vendor look-alike domain with its own valid DKIM, callback lure
           from free mail): the impostor writes, the victim answers, the impostor writes
           again, five rounds, each message through one memory as the service records it
           (the victim's answers are recorded too, as when the add-in analyses a message in
           Sent Items): the level of each round. A level that falls after the first round
           means the memory learnt the impostor as a correspondent.

Bounded: about 1,750 messages per pass (two passes for lookalike, three replays), no
network; ``--quick`` reads the first 200 messages of each dataset.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.memory import observe, participants
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import PersonRecord
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.authres import trusted_auth
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_company_name, is_person_name, name_keys
from caveat.mail.normalise import from_raw

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HAM = ("list_usrp_users", "spamassassin_easy_ham", "spamassassin_hard_ham")
LOUD = ("caution", "danger")
#: The corpus's own boundary: the usrp list's receiving server writes the
#: Authentication-Results its mail carries (the 2002 corpora carry none).
CORPUS_AUTHSERV = ("mm2.emwd.com",)
#: Our organisation in the corpus runs: a domain no corpus message is from.
CORPUS_OURS = "corpus-org.example"
#: Messages under one name that make a sender an employee.
MIN_MESSAGES = 3
#: Employees per dataset (the most frequent), and the share of them that are executives.
MAX_PEOPLE = 300
EXECUTIVE_SHARE = 4  # one in four, the most frequent first
#: Employees per dataset placed in finance, HR and executive support: one in three (those
#: who receive the most mail), at most this many.
MAX_SENSITIVE = 30
SENSITIVE_SHARE = 3
_GROUPS = ("finance", "hr", "executive_support")

PEOPLE_IDS = frozenset(
    {
        "EXECUTIVE_NAME_OUTSIDE",
        "PERSON_GIFT_CARDS",
        "PERSON_WIRE_REQUEST",
        "PERSON_AVAILABILITY",
        "SENSITIVE_RECIPIENT",
        "PAYROLL_DIVERSION",
        "PAYROLL_CHANGE_REQUEST",
    }
)


def is_people_id(fid: str) -> bool:
    """The people checks' findings and their composites."""
    return fid in PEOPLE_IDS or fid.startswith("BEC_P") or "PAYROLL" in fid


# ---------------------------------------------------------------- the corpus


def corpus_messages(name: str, limit: int | None = None) -> list[tuple[str, Facts]]:
    """The dataset's messages, by file name (read in place, never copied)."""
    paths = sorted((CORPUS / "ham" / name).glob("*.eml"))[:limit]
    return [(p.name, from_raw(p.read_bytes())) for p in paths]


def author(facts: Facts) -> Address | None:
    """Who wrote the message: From, or for a list's DMARC rewrite ("Name via List"
    <list@...> with one Reply-To) the Reply-To, under the name From shows."""
    a = facts.author
    if a is None:
        return None
    if " via " in a.name and len(facts.reply_to) == 1:
        r = facts.reply_to[0]
        return r if r.name else replace(r, name=a.name.split(" via ", 1)[0].strip())
    return a


def person_key(a: Address) -> str:
    """The person's name key of an author: "" unless the display name reads as a person's
    (two or three words of letters, no legal form: not "CNET News.com Daily Dispatch", a
    newsletter no directory lists as an employee)."""
    name = a.name.split(" via ", 1)[0]
    for key in name_keys(name):
        words = key.split()
        if (
            2 <= len(words) <= 3
            and all(_WORD.fullmatch(w) for w in words)
            and is_person_name(key)
            and not is_company_name(key)
        ):
            return key
        break  # the person part comes first, or there is none
    return ""


_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


@dataclass
class Organisation:
    """A dataset taken as one organisation: its people directory and what it knows."""

    records: list[PersonRecord]
    #: name key -> the addresses the directory lists for that employee
    listed: dict[str, frozenset[str]]
    #: as the corpus rate runs (tests/test_corpus_rates.py): no boundary trusted
    config: EngineConfig = field(
        default_factory=lambda: EngineConfig.build(internal_domains=[CORPUS_OURS])
    )

    def people(self) -> People:
        return People(self.records)


def organisation(messages: Sequence[tuple[str, Facts]], *, work_only: bool = False) -> Organisation:
    """The people directory of a dataset (see the module's docstring). ``work_only``: each
    employee is listed with a work mailbox at our own domain only, so that every message
    they really wrote comes from an address the directory does not list (their private
    mailbox, another employer's): the strictest test of their own mail; the employees in
    finance, HR and executive support keep their corpus address too, as recipients."""
    config = EngineConfig.build(internal_domains=[CORPUS_OURS])
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    addresses: dict[str, Counter[str]] = {}
    recipients: Counter[str] = Counter()
    for _, facts in messages:
        for r in facts.recipients:
            if r.address:
                recipients[r.address] += 1
        a = author(facts)
        if a is None or not a.address:
            continue
        key = person_key(a)
        if not key:
            continue
        counts[key] += 1
        names.setdefault(key, a.name.split(" via ", 1)[0].strip())
        addresses.setdefault(key, Counter())[a.address] += 1
    frequent = [k for k, n in counts.most_common() if n >= MIN_MESSAGES][:MAX_PEOPLE]
    records: dict[str, PersonRecord] = {}
    used_by: dict[str, str] = {}  # the corpus address each employee uses most
    for i, key in enumerate(frequent):
        used = addresses[key].most_common()
        work = [x for x, _ in used if x.rpartition("@")[2] not in config.freemail]
        email = work[0] if work else used[0][0]
        if email in used_by.values():
            continue  # two names on one address (a shared mailbox): the first keeps it
        used_by[key] = email
        listed = f"{key.replace(' ', '.')}@{CORPUS_OURS}" if work_only else email
        records[key] = PersonRecord(
            name=names[key],
            emails=(listed,),
            title="Director" if i % EXECUTIVE_SHARE == 0 else "Engineer",
            executive=i % EXECUTIVE_SHARE == 0,
        )
    # Finance, HR and executive support: the employees who receive the most mail at the
    # address they use (a list's own address is no person and is never one of them).
    received = sorted(
        (k for k in records if recipients[used_by[k]]),
        key=lambda k: (-recipients[used_by[k]], k),
    )[: min(MAX_SENSITIVE, max(1, len(records) // SENSITIVE_SHARE))]
    for j, key in enumerate(received):
        held = records[key]
        emails = tuple(dict.fromkeys((*held.emails, used_by[key])))
        records[key] = replace(held, emails=emails, group=_GROUPS[j % len(_GROUPS)])
    return Organisation(
        list(records.values()), {k: frozenset(r.emails) for k, r in records.items()}
    )


def own_unlisted_mail(facts: Facts, org: Organisation, *, free_only: bool = False) -> bool:
    """An employee's own mail from an address the directory does not list (with
    ``free_only``, a free-mail one)."""
    a = author(facts)
    if a is None or not a.address:
        return False
    if free_only and a.domain not in org.config.freemail:
        return False
    key = person_key(a)
    return key in org.listed and a.address not in org.listed[key]


@dataclass
class Tally:
    """Levels and findings of one run."""

    messages: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    loud: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    flagged: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    def add(self, source: str, verdict: Verdict, wanted: Iterable[str] | None = None) -> None:
        ids = tuple(f.id for f in verdict.findings)
        self.messages += 1
        self.levels[verdict.level] += 1
        mine = (
            tuple(i for i in ids if is_people_id(i))
            if wanted is None
            else tuple(i for i in ids if i in set(wanted))
        )
        self.findings.update(mine)
        if verdict.level in LOUD:
            self.loud.append((source, verdict.level, ids))
        if mine:
            self.flagged.append((source, verdict.level, ids))

    @property
    def loud_share(self) -> float:
        return len(self.loud) / max(1, self.messages)

    def loud_with(self, ids: Iterable[str] | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
        """The messages at caution or above that carry one of ``ids`` (the people ids)."""
        want = set(ids) if ids is not None else None
        return [
            r
            for r in self.loud
            if any((i in want) if want is not None else is_people_id(i) for i in r[2])
        ]


@dataclass
class PeopleRun:
    """One dataset through the engine with its people directory."""

    org: Organisation
    everything: Tally
    #: the employees' own mail from addresses the directory does not list, and the part of
    #: it from free mail
    own: Tally
    own_free: Tally


def run_people(
    name: str,
    limit: int | None = None,
    engine: Engine | None = None,
    *,
    work_only: bool = False,
) -> PeopleRun:
    """Every message of the dataset with its people directory (no memory, as the corpus
    rate runs; see :func:`organisation` for ``work_only``)."""
    engine = engine or Engine()
    messages = corpus_messages(name, limit)
    org = organisation(messages, work_only=work_only)
    people = org.people()
    directory = Directory(
        (), internal_domains=org.config.internal_domains, freemail=org.config.freemail
    )
    run = PeopleRun(org, Tally(), Tally(), Tally())
    now = datetime.now(UTC)
    for source, facts in messages:
        ctx = Context(config=org.config, directory=directory, people=people, now=now)
        verdict = engine.analyze(facts, ctx)
        where = f"{name}/{source}"
        run.everything.add(where, verdict)
        if own_unlisted_mail(facts, org):
            run.own.add(where, verdict)
            if own_unlisted_mail(facts, org, free_only=True):
                run.own_free.add(where, verdict)
    return run


# ---------------------------------------------------------------- the memory


def authenticated(facts: Facts, config: EngineConfig) -> bool:
    """The From domain passed aligned SPF or DKIM at the trusted boundary, as the service
    decides it (:meth:`caveat.service.analysis.Analyzer._authenticated`)."""
    a = facts.author
    if a is None or not a.domain:
        return False
    auth = trusted_auth(facts, config)
    return auth is not None and (
        auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass(a.domain)
    )


def analyse_and_record(
    engine: Engine,
    memory: ProcessMemory,
    facts: Facts,
    config: EngineConfig,
    directory: Directory,
    at: datetime,
    *,
    people: People | None = None,
    vouched: bool | None = None,
) -> Verdict:
    """One message the way the service takes it: the memory's snapshot, the engine, the
    record (``vouched`` overrides whether it counts as authenticated)."""
    snap = memory.snapshot(facts)
    ctx = Context(
        config=config, directory=directory, memory=snap, now=at, people=people or People()
    )
    verdict = engine.analyze(facts, ctx)
    memory.record(
        observe(
            facts,
            at=at,
            authenticated=authenticated(facts, config) if vouched is None else vouched,
            internal=[
                p.address
                for p in participants(facts)
                if config.is_internal(p.address.rpartition("@")[2])
            ],
            unremarkable=verdict.level in ("none", "info"),
        ),
        snap,
    )
    return verdict


def _when(facts: Facts, fallback: datetime) -> datetime:
    d = facts.date
    if d is None:
        return fallback
    return d if d.tzinfo is not None else d.replace(tzinfo=UTC)


def replayed_memory(
    messages: Sequence[tuple[str, Facts]],
    config: EngineConfig,
    directory: Directory,
    *,
    vouch_all: bool = False,
    engine: Engine | None = None,
) -> tuple[ProcessMemory, datetime]:
    """One memory after every message in date order (see the module's docstring), and the
    time just after the last."""
    engine = engine or Engine()
    memory = ProcessMemory()
    start = datetime(2000, 1, 1, tzinfo=UTC)
    dated = sorted(
        ((_when(f, start), i, f) for i, (_, f) in enumerate(messages)),
        key=lambda t: (t[0], t[1]),
    )
    last = start
    for when, _i, facts in dated:
        last = max(last, when)
        analyse_and_record(
            engine, memory, facts, config, directory, when, vouched=True if vouch_all else None
        )
    return memory, last + timedelta(days=1)


@dataclass
class LookalikeRun:
    """The ham against the memory of all of it."""

    tally: Tally
    memory: ProcessMemory
    config: EngineConfig
    directory: Directory
    now: datetime
    #: the frequent correspondents' domains: the look-alike targets
    targets: frozenset[str]


def run_lookalike(
    limit: int | None = None, *, vouch_all: bool = False, engine: Engine | None = None
) -> LookalikeRun:
    """The ham again against the memory of all of it: LOOKALIKE_CORRESPONDENT, and the
    frequent correspondents the memory holds."""
    engine = engine or Engine()
    config = EngineConfig.build(
        internal_domains=[CORPUS_OURS], trusted_authserv_ids=CORPUS_AUTHSERV
    )
    directory = Directory((), internal_domains=config.internal_domains, freemail=config.freemail)
    messages = [(f"{n}/{s}", f) for n in HAM for s, f in corpus_messages(n, limit)]
    memory, now = replayed_memory(messages, config, directory, vouch_all=vouch_all, engine=engine)
    tally = Tally()
    for source, facts in messages:
        ctx = Context(config=config, directory=directory, memory=memory.snapshot(facts), now=now)
        tally.add(source, engine.analyze(facts, ctx), wanted=("LOOKALIKE_CORRESPONDENT",))
    targets = memory.snapshot(messages[0][1]).correspondents.domains
    return LookalikeRun(tally, memory, config, directory, now, targets)


# ---------------------------------------------------------------- impostor threads

OURS = "buyer.example"
REAL_DOMAIN = "northwind-metals.example"
REAL_CONTACT = ("Owen Pryce", "o.pryce@northwind-metals.example")
BOUNDARY = "mx.buyer.example"
PARTNERS_CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Northwind Metals Ltd,northwind-metals.example,Owen Pryce,o.pryce@northwind-metals.example,"
    "+44 20 7946 0142,GB29NWBK60161331926819,\n"
)
PEOPLE = (
    PersonRecord(
        "Margaret Holloway",
        ("margaret.holloway@buyer.example",),
        title="Chief Executive Officer",
        executive=True,
    ),
    PersonRecord(
        "Lena Ward",
        ("lena.ward@buyer.example",),
        title="Executive Assistant",
        group="executive_support",
    ),
    PersonRecord("Tomas Reyes", ("tomas.reyes@buyer.example",), title="Field Engineer"),
    PersonRecord(
        "Priya Nair", ("priya.nair@buyer.example",), title="Payroll Specialist", group="hr"
    ),
    PersonRecord(
        "Sam Carter", ("sam.carter@buyer.example",), title="Accounts Payable", group="finance"
    ),
)


@dataclass(frozen=True)
class Thread:
    """An impostor's thread: who writes, to whom, what each of their messages says, and
    what the victim answers between them."""

    name: str
    impostor: tuple[str, str]  # display name, address
    victim: tuple[str, str]
    subject: str
    lures: tuple[str, ...]
    answers: tuple[str, ...]
    #: the impostor's domain passes DKIM and SPF at our boundary (a domain of its own)
    signs: bool = False
    #: the real partner's authenticated message the impostor answers (a hijacked thread)
    opener: str = ""
    #: the impostor's later messages are short nudges above a quote of the first lure
    nudges: bool = False


THREADS = (
    Thread(
        "executive from free mail",
        ("Margaret Holloway", "margaret.holloway.office@gmail.com"),
        ("Lena Ward", "lena.ward@buyer.example"),
        "Quick request",
        (
            "Are you at your desk? I need you to handle something for me quickly and "
            "discreetly. Let me know.",
            "I need you to buy six Apple gift cards of 200 each for a client appreciation "
            "today. Keep this confidential for now.",
            "Scratch the back of each gift card and send me photos of the codes as soon as "
            "you have them.",
            "Did you get the gift cards? Send me the codes now, I am in a meeting.",
            "I still need the gift card codes. Please reply with the codes right away.",
        ),
        (
            "Yes, I am here. What do you need?",
            "Which store should I use? Shall I charge them to the corporate card?",
            "I am at the shop now.",
            "Sending them shortly.",
        ),
    ),
    Thread(
        "payroll diversion from a personal address",
        ("Tomas Reyes", "tomas.reyes1984@outlook.com"),
        ("Priya Nair", "priya.nair@buyer.example"),
        "Direct deposit update",
        (
            "I have changed banks. Please update my direct deposit to my new bank account "
            "before the next payroll.",
            "Please change my salary account to the new account below, I cannot log in to "
            "the portal: account 40012345, routing 021000021.",
            "Can you confirm my salary will be paid into the new account this month?",
            "Please make sure my pay goes to the new bank account, the old one is closed.",
            "Just checking that my direct deposit was updated to the new account.",
        ),
        (
            "Thanks, could you use the HR portal for this?",
            "I can help. Which payroll run should this start with?",
            "Let me check with the team.",
            "I will look into it today.",
        ),
    ),
    Thread(
        "vendor look-alike domain with its own DKIM",
        ("Owen Pryce", "o.pryce@northwind-meta1s.example"),
        ("Sam Carter", "sam.carter@buyer.example"),
        "Updated remittance details",
        (
            "Please note that our bank details have changed. Kindly update our records and "
            "use the new account for all future payments: IBAN GB33BUKB20201555555555.",
            "Following up: please pay the open invoice 4471 to our new bank account, IBAN "
            "GB33BUKB20201555555555, as the old account is under audit.",
            "Can you confirm the payment to the new account has been scheduled?",
            "Please send the remittance advice once the payment to our new account is made.",
            "We have not received the payment yet; please use the new bank details today.",
        ),
        (
            "Thanks, we will look at this.",
            "Can you send a letter on your letterhead?",
            "Noted, checking with our treasury.",
            "It is in the payment run.",
        ),
        signs=True,
    ),
    Thread(
        "hijacked thread from a new domain",
        ("Owen Pryce", "o.pryce@northwind-payments.example"),
        ("Sam Carter", "sam.carter@buyer.example"),
        "Invoice 4471",
        (
            "Before you pay invoice 4471: our bank account has changed, please use the new "
            "account IBAN GB33BUKB20201555555555 for this and future payments.",
            "Please confirm you have updated our bank details to IBAN GB33BUKB20201555555555.",
            "Has the payment to our new account been released?",
            "Please pay invoice 4471 to the new account today, IBAN GB33BUKB20201555555555.",
            "Please send the remittance advice for the payment to our new bank account.",
        ),
        (
            "Thanks, noted.",
            "We will check the new details.",
            "It is with our treasury.",
            "Sending it this afternoon.",
        ),
        signs=True,
        opener="Please find invoice 4471 for the May deliveries attached. Payment terms are "
        "30 days as usual.",
    ),
    Thread(
        "payroll nudges quoting the first request",
        ("Tomas Reyes", "t.reyes.home@yahoo.com"),
        ("Priya Nair", "priya.nair@buyer.example"),
        "Salary account",
        (
            "I have changed banks. Please update my direct deposit to my new bank account "
            "before the next payroll: account 40012345, routing 021000021.",
            "Any update on the request below?",
            "Just following up on my email below.",
            "Can you let me know when this is done?",
            "Please see below, it is urgent before the payroll run.",
        ),
        (
            "Thanks, could you use the HR portal for this?",
            "I will check.",
            "Looking into it.",
            "Noted.",
        ),
        nudges=True,
    ),
    Thread(
        "callback lure from free mail",
        ("Owen Pryce", "owen.pryce.northwind@gmail.com"),
        ("Sam Carter", "sam.carter@buyer.example"),
        "Payment details change",
        (
            "Our payment details are changing this month. Please call our new treasury line "
            "on +44 20 3318 7710 to confirm the new bank details before the next payment.",
            "Please call our treasury team on +44 20 3318 7710 today to confirm the new "
            "account details.",
            "Did you manage to call +44 20 3318 7710 to confirm the new bank details?",
            "Please call +44 20 3318 7710 so we can confirm the change of bank account.",
            "Reminder: call our treasury line +44 20 3318 7710 to confirm the payment details.",
        ),
        (
            "Thanks, who should I ask for?",
            "I will call tomorrow.",
            "Not yet, busy week.",
            "Will do.",
        ),
    ),
)


def _auth_header(domain: str, ok: bool) -> str:
    verdict = "pass" if ok else "none"
    return (
        f"{BOUNDARY}; spf={verdict} smtp.mailfrom={domain}; dkim={verdict} header.d={domain}; "
        f"dmarc={verdict} header.from={domain}"
    )


def thread_messages(
    t: Thread, start: datetime, rounds: int = 5
) -> Iterator[tuple[str, Facts, datetime]]:
    """The thread's messages in order: ("impostor" | "victim", facts, time)."""
    ids: list[str] = []
    when = start
    if t.opener:
        msg = EmailMessage()
        msg["Authentication-Results"] = _auth_header(REAL_DOMAIN, True)
        msg["From"] = f'"{REAL_CONTACT[0]}" <{REAL_CONTACT[1]}>'
        msg["To"] = f'"{t.victim[0]}" <{t.victim[1]}>'
        msg["Subject"] = t.subject
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = f"<opener.{t.name.split()[0]}@{REAL_DOMAIN}>"
        msg.set_content(f"{t.opener}\n\n{REAL_CONTACT[0]}\n")
        ids.append(msg["Message-ID"])
        yield "partner", from_raw(bytes(msg)), when
        when += timedelta(days=1)
    for i in range(rounds):
        for who in ("impostor", "victim"):
            if who == "victim" and i >= min(rounds - 1, len(t.answers)):
                continue
            sender, to = (t.impostor, t.victim) if who == "impostor" else (t.victim, t.impostor)
            text = t.lures[i] if who == "impostor" else t.answers[i]
            domain = sender[1].rpartition("@")[2]
            msg = EmailMessage()
            msg["Authentication-Results"] = _auth_header(domain, who == "victim" or t.signs)
            msg["From"] = f'"{sender[0]}" <{sender[1]}>'
            msg["To"] = f'"{to[0]}" <{to[1]}>'
            msg["Subject"] = f"Re: {t.subject}" if ids else t.subject
            msg["Date"] = format_datetime(when)
            own = f"<{t.name.split()[0]}.{i}.{who}@{domain}>"
            msg["Message-ID"] = own
            if ids:
                msg["In-Reply-To"] = ids[-1]
                msg["References"] = " ".join(ids)
            # the victim quotes the lure it answers; a nudge quotes the first lure
            below = t.lures[i] if who == "victim" else t.lures[0] if t.nudges and i else ""
            quoted = "\n".join(f"> {line}" for line in below.splitlines())
            if quoted:
                quoted = f"On {format_datetime(start)}, {t.impostor[0]} wrote:\n{quoted}"
            sign = sender[0]
            msg.set_content(f"{text}\n\n{sign}\n" + (f"\n{quoted}\n" if quoted else ""))
            ids.append(own)
            yield who, from_raw(bytes(msg)), when
            when += timedelta(days=2)


def thread_world() -> tuple[EngineConfig, Directory, People]:
    config = EngineConfig.build(internal_domains=[OURS], trusted_authserv_ids=[BOUNDARY])
    partners = parse_partners_csv(PARTNERS_CSV.encode()).partners
    directory = Directory(
        partners, internal_domains=config.internal_domains, freemail=config.freemail
    )
    return config, directory, People(PEOPLE)


def replay_thread(
    t: Thread,
    *,
    record_replies: bool = True,
    rounds: int = 5,
    engine: Engine | None = None,
    history: int = 0,
) -> list[Verdict]:
    """The impostor's messages' verdicts, round by round, through one memory (the victim's
    answers recorded when ``record_replies``). ``history``: the victim's real partner wrote
    this many authenticated, unremarkable messages before (a mailbox with a past)."""
    engine = engine or Engine()
    config, directory, people = thread_world()
    memory = ProcessMemory()
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for i in range(history):
        msg = EmailMessage()
        msg["Authentication-Results"] = _auth_header(REAL_DOMAIN, True)
        msg["From"] = f'"{REAL_CONTACT[0]}" <{REAL_CONTACT[1]}>'
        msg["To"] = '"Sam Carter" <sam.carter@buyer.example>'
        msg["Subject"] = f"Delivery schedule week {i + 1}"
        msg["Date"] = format_datetime(start)
        msg["Message-ID"] = f"<history.{i}@{REAL_DOMAIN}>"
        msg.set_content("The next delivery leaves our warehouse on Thursday.\n\nOwen\n")
        analyse_and_record(
            engine, memory, from_raw(bytes(msg)), config, directory, start, people=people
        )
        start += timedelta(days=3)
    out = []
    for who, facts, when in thread_messages(t, start, rounds):
        if who == "victim" and not record_replies:
            continue
        v = analyse_and_record(engine, memory, facts, config, directory, when, people=people)
        if who == "impostor":
            out.append(v)
    return out


def alone(t: Thread, rounds: int = 5, engine: Engine | None = None) -> list[Verdict]:
    """The impostor's messages' verdicts each on its own: a memory that holds nothing of
    the thread (what the first round had), so a later round is judged as if it came first."""
    engine = engine or Engine()
    config, directory, people = thread_world()
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    return [
        analyse_and_record(engine, ProcessMemory(), facts, config, directory, when, people=people)
        for who, facts, when in thread_messages(t, start, rounds)
        if who == "impostor"
    ]


# ---------------------------------------------------------------- report


def _merge(into: Tally, t: Tally) -> None:
    into.messages += t.messages
    into.levels.update(t.levels)
    into.findings.update(t.findings)
    into.loud += t.loud
    into.flagged += t.flagged


def _print_people(limit: int | None, show: bool, engine: Engine) -> None:
    print("people checks with a directory of the corpus's own senders (no memory)")
    print(
        f"{'directory':10} {'dataset':24} {'people':>6} {'exec':>5} {'messages':>8} "
        f"{'caution+':>9} {'w/ people id':>12} {'people caution+':>15}"
    )
    for label, work_only in (("as used", False), ("work only", True)):
        total, own, own_free = Tally(), Tally(), Tally()
        for name in HAM:
            run = run_people(name, limit, engine, work_only=work_only)
            t = run.everything
            _merge(total, t)
            _merge(own, run.own)
            _merge(own_free, run.own_free)
            execs = sum(1 for r in run.org.records if r.executive)
            print(
                f"{label:10} {name:24} {len(run.org.records):6} {execs:5} {t.messages:8} "
                f"{100 * t.loud_share:8.2f}% {len(t.flagged):12} {len(t.loud_with()):15}"
            )
            if show:
                for source, level, ids in t.flagged:
                    print(f"    {level:8} {source}  {', '.join(ids)}")
        print(
            f"{label:10} {'ham overall':24} {'':6} {'':5} {total.messages:8} "
            f"{100 * total.loud_share:8.2f}% {len(total.flagged):12} "
            f"{len(total.loud_with()):15}"
        )
        found = ", ".join(f"{k} {n}" for k, n in sorted(total.findings.items())) or "none"
        print(f"{'':10} people findings: {found}")
        for what, t in (("from an unlisted address", own), ("from unlisted free mail", own_free)):
            levels = ", ".join(f"{k} {n}" for k, n in sorted(t.levels.items())) or "-"
            print(
                f"{'':10} employees' own mail {what}: {t.messages} messages, "
                f"{len(t.flagged)} with a people finding, {len(t.loud_with())} at caution+ "
                f"by one ({levels})"
            )
    print()


def _print_lookalike(limit: int | None, show: bool, engine: Engine) -> None:
    print("LOOKALIKE_CORRESPONDENT after replaying the ham through one memory")
    print(
        f"{'replay':28} {'targets':>7} {'messages':>8} {'with id':>7} {'id caution+':>11} "
        f"{'caution+ all':>12}"
    )
    for label, vouch in (("authenticated as shown", False), ("every sender vouched", True)):
        run = run_lookalike(limit, vouch_all=vouch, engine=engine)
        tally, targets = run.tally, len(run.targets)
        with_id = len(tally.flagged)
        loud_id = len(tally.loud_with(("LOOKALIKE_CORRESPONDENT",)))
        print(
            f"{label:28} {targets:7} {tally.messages:8} {with_id:7} {loud_id:11} "
            f"{100 * tally.loud_share:11.2f}%"
        )
        if show:
            for source, level, ids in tally.flagged:
                print(f"    {level:8} {source}  {', '.join(ids)}")
    print()


def _print_threads(engine: Engine) -> None:
    order = ("none", "info", "caution", "danger")
    print("impostor threads: the level of the impostor's message in each round, and of the")
    print("same message alone (a memory that holds nothing of the thread)")
    print(f"{'thread':44} {'replies':8} rounds 1..5")
    for t in THREADS:
        alone_levels = [v.level for v in alone(t, engine=engine)]
        print(f"{t.name:44} {'alone':8} {' '.join(f'{lv:7}' for lv in alone_levels)}")
        for record in (True, False):
            levels = [v.level for v in replay_thread(t, record_replies=record, engine=engine)]
            held = all(
                order.index(g) >= order.index(a) or order.index(a) < order.index("caution")
                for g, a in zip(levels, alone_levels, strict=True)
            )
            print(
                f"{'':44} {'recorded' if record else 'not':8} "
                f"{' '.join(f'{lv:7}' for lv in levels)}  {'holds' if held else 'FALLS'}"
            )
    print()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", action="store_true", help="list every message with a finding")
    ap.add_argument("--quick", action="store_true", help="the first 200 messages per dataset")
    ap.add_argument("--part", choices=("people", "lookalike", "threads"), action="append")
    args = ap.parse_args(argv)
    parts = args.part or ["people", "lookalike", "threads"]
    limit = 200 if args.quick else None
    engine = Engine()
    if ("people" in parts or "lookalike" in parts) and not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}: the people and lookalike parts are skipped", file=sys.stderr)
        parts = [p for p in parts if p == "threads"]
    if "people" in parts:
        _print_people(limit, args.show, engine)
    if "lookalike" in parts:
        _print_lookalike(limit, args.show, engine)
    if "threads" in parts:
        _print_threads(engine)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
