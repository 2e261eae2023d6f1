"""Keeps the translation catalogues in step with the English texts.

    python -m caveat.engine.translations          # write caveat.pot, update every .po
    python -m caveat.engine.translations de fr    # only these languages' .po

The template (``caveat/locale/caveat.pot``) lists every message of
:func:`caveat.engine.localise.messages`; each language's ``.po`` gains the new messages
(untranslated), keeps its translations, and loses the messages no longer used. Babel
writes the files, with each language's CLDR plural rule in its header.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from caveat.i18n import DOMAIN, LANGUAGES, SOURCE, Message

from .catalogue import Catalogue
from .guard import GuardTexts
from .localise import messages

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# fixed, so that bringing the files in step changes only what changed
_DATE = datetime(2026, 12, 7, tzinfo=UTC)
_HEADER = (
    "# {language} wording of what Caveat's users read: banners, findings, the send-time\n"
    "# guard. Kept in step with the English texts by python -m caveat.engine.translations."
)


def template(msgs: list[Message]) -> Catalog:
    cat = Catalog(
        project="Caveat", domain=DOMAIN, locale=None, fuzzy=False, creation_date=_DATE,
        revision_date=_DATE, header_comment=_HEADER.format(language="The English"),
        version="1", msgid_bugs_address="the project's issue tracker",
        last_translator="Caveat", language_team="Caveat",
    )
    for m in msgs:
        cat.add((m.text, m.plural) if m.plural else m.text, context=m.context)
    return cat


def update(locale_dir: Path = LOCALE_DIR, languages: list[str] | None = None) -> list[str]:
    """Write the template and bring every language's catalogue in step; the paths written."""
    msgs = messages(Catalogue.load(), GuardTexts.load())
    pot = template(msgs)
    written = []
    path = locale_dir / f"{DOMAIN}.pot"
    with path.open("wb") as fh:
        write_po(fh, pot, width=100, omit_header=False, sort_output=False)
    written.append(str(path))
    for lang in LANGUAGES:
        if lang == SOURCE or (languages and lang not in languages):
            continue
        po = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            with po.open("rb") as fh:
                cat = read_po(fh, locale=lang, domain=DOMAIN)
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            cat = Catalog(locale=lang, domain=DOMAIN, project="Caveat", fuzzy=False)
        cat.creation_date = cat.revision_date = _DATE
        cat.version, cat.msgid_bugs_address = "1", "the project's issue tracker"
        cat.last_translator = cat.language_team = "Caveat"
        cat.header_comment = _HEADER.format(language=f"The {Locale.parse(lang).english_name}")
        # no fuzzy matching: a changed English text must be translated again, not guessed
        cat.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        cat.obsolete.clear()
        with po.open("wb") as fh:
            write_po(fh, cat, width=100, sort_output=False, include_previous=False)
        written.append(str(po))
    return written


def main(argv: list[str] | None = None) -> int:
    wanted = list(argv or [])
    unknown = [lang for lang in wanted if lang not in LANGUAGES]
    if unknown:
        print(f"unknown language: {', '.join(unknown)} (one of {', '.join(LANGUAGES)})")
        return 2
    for p in update(languages=wanted or None):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
