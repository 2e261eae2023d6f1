"""The immutable facts object every check reads.

One normaliser (:mod:`caveat.mail.normalise`) builds it from either the add-in's JSON payload
or a raw RFC 5322 message; checks never look at the request itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from .bidi import mailbox
from .domains import org_domain, to_unicode, written_org


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: its decoded display name, its normalised address, and the address as
    the message wrote it.

    Two forms, two jobs. The normalised fields (``address``, ``local``, ``domain``, ``org``)
    are what every comparison, index, memory key and stored value uses. The written form
    (``shown``, ``shown_domain``, ``shown_org``, ``display()``) is what evidence and
    explanations show: case and script kept, so ``northwind-metaIs.de`` (a capital I for an
    l) or a Cyrillic letter in a domain is shown as the trick it is. Two addresses that
    differ only in how they were written are equal.
    """

    name: str
    address: str  # normalised: lower-case local part and ASCII domain
    local: str
    domain: str  # ASCII (punycode) form; "" when the address has none
    valid: bool = True
    #: the addr-spec as the message wrote it; "" when not known (then ``address`` is shown)
    written: str = field(default="", compare=False)

    @property
    def org(self) -> str:
        return org_domain(self.domain) if self.domain else ""

    @property
    def domain_unicode(self) -> str:
        return to_unicode(self.domain)

    @property
    def shown(self) -> str:
        """The address as the message wrote it."""
        return self.written or self.address

    @property
    def shown_domain(self) -> str:
        """The domain as the message wrote it (a U-label or an A-label as it came)."""
        if not self.domain:
            return ""
        if self.written and "@" in self.written:
            return self.written.rpartition("@")[2]
        return self.domain

    @property
    def shown_org(self) -> str:
        """The organisational domain, spelt as the message wrote it."""
        return written_org(self.shown_domain, self.org) if self.domain else ""

    def display(self) -> str:
        """How a mail client would show it: ``Name <address>`` or the bare address, as
        written; the name a bidi isolate (:func:`caveat.mail.bidi.mailbox`), so that a
        right-to-left override or right-to-left letters in it cannot move or turn the
        address beside it."""
        return mailbox(self.name, self.shown)


#: The kinds of attachment :attr:`Attachment.kind` names.
ATTACHMENT_KINDS = ("pdf", "docx", "image", "text", "other")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment (or inline image, or enclosed message), as far as it was read.

    ``text`` is what a person would read in it (the text of a PDF's first pages, of a
    Word document, of an image through OCR, of a text file or an enclosed message's
    body), bounded by :class:`~caveat.mail.limits.Limits`; it is held in memory for the
    checks and never stored or logged. ``note`` says, in plain words, why part or all of
    it was not read: ``"encrypted"``, ``"cut to 20 pages"``, ``"unreadable: not a PDF"``,
    ``"not read: type"``, ``"too large"``, ``"not read: no OCR"``; "" when it was read
    whole.
    """

    name: str  # as the message (or the client) wrote it; "" when it has none
    content_type: str  # lower case, without parameters ("application/pdf")
    kind: str  # one of ATTACHMENT_KINDS
    size: int  # bytes, decoded
    text: str = field(default="", repr=False)
    note: str = ""


@dataclass(frozen=True)
class Facts:
    """What is known about one message, normalised once.

    ``headers`` keeps every header in order (top first, i.e. nearest to us first), names
    lower-cased, values unfolded but otherwise as received, so evidence can quote them.
    """

    headers: tuple[tuple[str, str], ...] = ()
    from_: tuple[Address, ...] = ()
    sender: Address | None = None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    #: the text/plain part, or the text of the HTML part when there is no plain part
    body: str = ""
    #: the markup of the HTML part (the first text/html part that is not an attachment,
    #: or the add-in's ``body_html``), cut to ``Limits.max_html_bytes``; "" when none
    body_html: str = field(default="", repr=False)
    #: the attachments, inline images and enclosed messages, in the order the message
    #: carries them, each with the text read from it
    attachments: tuple[Attachment, ...] = ()
    message_id: str = ""  # lower case, without angle brackets
    #: the Message-ID as written (case kept), for evidence; "" when there is none
    message_id_written: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    conversation_id: str = ""
    date: datetime | None = None
    source: str = field(default="payload")  # "payload" or "raw"
    #: a message the user is writing, judged by the send-time guard (the user is the
    #: Sender); never set from anything a message carries
    draft: bool = False
    #: What the normaliser left out to stay within its limits, in plain words, one entry
    #: per cut ("recipients cut to 500 of 888", "body text cut to 65536 of 210112 bytes"):
    #: the checks saw only part of the message. Empty when the whole message was read.
    cuts: tuple[str, ...] = ()

    def header(self, name: str) -> list[str]:
        """All values of a header, top (newest) first."""
        return self._index.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        values = self._index.get(name.lower())
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return name.lower() in self._index

    @cached_property
    def _index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for name, value in self.headers:
            index.setdefault(name, []).append(value)
        return index

    @property
    def author(self) -> Address | None:
        """The (first) From address: the one the reader believes wrote the message."""
        return self.from_[0] if self.from_ else None

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc
