"""The checks: one module per family (the display-name family has two: who a name imitates,
and what a name hides), each a pure function ``(facts, context) -> hits``."""

from __future__ import annotations

from .auth_failure import auth_failure
from .bank_details_change import bank_details_change
from .callback import callback_lure
from .display_name_controls import display_name_controls
from .fake_reply import fake_reply
from .first_contact import first_contact
from .freemail_impersonation import freemail_impersonation
from .hits import CheckFn
from .impersonation_people import impersonation_people, payroll_diversion
from .lookalike_domain import lookalike_domain
from .policy_violation import bank_change_procedure, policy_violation
from .recipient_swap import recipient_swap
from .relay import relay_sender_mismatch
from .reply_to import reply_to_mismatch
from .reported_sender import reported_sender

ALL_CHECKS: tuple[CheckFn, ...] = (
    auth_failure,
    relay_sender_mismatch,
    reply_to_mismatch,
    fake_reply,
    lookalike_domain,
    freemail_impersonation,
    impersonation_people,
    payroll_diversion,
    display_name_controls,
    recipient_swap,
    bank_details_change,
    bank_change_procedure,
    policy_violation,
    reported_sender,
    callback_lure,
    first_contact,
)
