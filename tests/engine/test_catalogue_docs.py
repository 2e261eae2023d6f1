from __future__ import annotations

from pathlib import Path

from caveat.engine.catalogue import Catalogue
from caveat.engine.catalogue_docs import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_docs_checks_md_is_generated_from_the_catalogue() -> None:
    assert DOC.read_text("utf-8") == render_markdown(Catalogue.load()), (
        "docs/checks.md is out of date: "
        "run `python -m caveat.engine.catalogue_docs > docs/checks.md`"
    )


def test_every_entry_documents_its_evidence_and_false_positives() -> None:
    for entry in Catalogue.load().entries():
        assert entry.evidence, entry.id
        assert entry.false_positives, entry.id
        assert f"### `{entry.id}`" in DOC.read_text("utf-8")
