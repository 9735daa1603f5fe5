"""Regenerate the contract tables in docs/data-contract.md from auditlib.data.schema."""

from __future__ import annotations

import re
from pathlib import Path

from auditlib.data.contract import contract_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-contract.md"
BEGIN = "<!-- BEGIN GENERATED CONTRACT (do not edit by hand) -->\n"
END = "<!-- END GENERATED CONTRACT -->"


def main() -> None:
    """Replace the generated block of the document."""
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    DOC.write_text(pattern.sub(lambda _: BEGIN + contract_markdown() + END, text), encoding="utf-8")


if __name__ == "__main__":
    main()
