"""What differs between a report's manifest and a re-run, in words.

:func:`compare_inputs` compares two input fingerprints
(:func:`auditlib.report.manifest.input_fingerprint`), :func:`compare_outputs` the outputs'
digests, :func:`compare_estimates` the key estimates and :func:`package_differences` the
package versions; each returns :class:`Difference` records for ``auditlib verify`` and a
batch's resume check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditlib.data.fingerprint import compare_folder_fingerprints

__all__ = [
    "Difference",
    "compare_estimates",
    "compare_inputs",
    "compare_outputs",
    "package_differences",
]


@dataclass(frozen=True)
class Difference:
    """One difference between a manifest and a re-run: what, and how it changed."""

    kind: str
    name: str
    detail: str

    def describe(self) -> str:
        """One line for people."""
        return f"{self.kind} {self.name}: {self.detail}"


def compare_inputs(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[Difference]:
    """Differences between two input fingerprints (see :func:`input_fingerprint`)."""
    differences: list[Difference] = []
    if recorded["params"]["sha256"] != current["params"]["sha256"]:
        differences.append(
            Difference("input", recorded["params"]["file"], "parameter file changed")
        )
    differences += [
        Difference("input", name, detail)
        for name, detail in compare_folder_fingerprints(recorded["data"], current["data"])
    ]
    old_code, new_code = recorded.get("code", {}), current.get("code", {})
    changed_code = sorted(
        name for name in set(old_code) | set(new_code) if old_code.get(name) != new_code.get(name)
    )
    if changed_code:
        shown = ", ".join(changed_code[:8]) + (" ..." if len(changed_code) > 8 else "")
        differences.append(Difference("code", "auditlib", f"source changed: {shown}"))
    old_books, new_books = recorded.get("notebooks", {}), current.get("notebooks", {})
    old_earlier = recorded.get("previous_round")
    if old_earlier is None and _EARLIER_FILE in old_books:  # manifests before the key existed
        old_books = dict(old_books)
        old_earlier = {"file": _EARLIER_FILE, "sha256": old_books.pop(_EARLIER_FILE)}
    for name in sorted(set(old_books) | set(new_books)):
        if old_books.get(name) != new_books.get(name):
            differences.append(Difference("notebook", name, "template changed"))
    differences += _earlier_round_differences(old_earlier, current.get("previous_round"))
    old_findings, new_findings = recorded.get("cross_county"), current.get("cross_county")
    if (old_findings or {}).get("sha256") != (new_findings or {}).get("sha256"):
        name = (new_findings or old_findings or {}).get("file", "crosscounty.csv")
        differences.append(Difference("input", name, "cross-county findings changed"))
    return differences


#: The previous round's file, recorded among the notebooks by manifests before 2026-12.
_EARLIER_FILE = "estimates.json"


def _earlier_round_differences(
    recorded: Mapping[str, str] | None, current: Mapping[str, str] | None
) -> list[Difference]:
    """Whether the previous round compared with (``report.previous_round``) changed."""
    if recorded is None and current is None:
        return []
    if recorded is None or current is None:
        state = "not compared with before" if recorded is None else "no longer compared with"
        name = (current or recorded or {}).get("file", _EARLIER_FILE)
        return [Difference("input", name, f"previous round {state}")]
    if recorded["sha256"] != current["sha256"]:
        return [Difference("input", current["file"], "previous round's estimates changed")]
    return []


def compare_outputs(
    recorded: Mapping[str, str], current: Mapping[str, str], *, by_text: Iterable[str] = ()
) -> list[Difference]:
    """Per output file: identical, different, missing or new.

    Outputs named in ``by_text`` (Chromium PDFs, digests of their text) say so after the
    verdict: ``"identical (its text: ...)"``.
    """
    results: list[Difference] = []
    for name in sorted(set(recorded) | set(current)):
        if name not in current:
            results.append(Difference("output", name, "missing in the re-run"))
        elif name not in recorded:
            results.append(Difference("output", name, "new in the re-run"))
        elif recorded[name] == current[name]:
            results.append(Difference("output", name, "identical"))
        else:
            results.append(Difference("output", name, "differs"))
    text_only = set(by_text)
    return [
        Difference(item.kind, item.name, f"{item.detail} ({_BY_TEXT})")
        if item.name in text_only
        else item
        for item in results
    ]


_BY_TEXT = "its text: a Chromium PDF is not byte-reproducible"


def compare_estimates(
    recorded: Mapping[str, Any], current: Mapping[str, Any], *, tolerance: float = 1e-12
) -> list[Difference]:
    """Key estimates whose value differs between a manifest and a re-run."""
    differences: list[Difference] = []
    for name in sorted(set(recorded) | set(current)):
        old, new = recorded.get(name), current.get(name)
        if isinstance(old, int | float) and isinstance(new, int | float):
            if abs(float(old) - float(new)) <= tolerance * max(1.0, abs(float(old))):
                continue
        elif old == new:
            continue
        differences.append(Difference("estimate", name, f"{old!r} -> {new!r}"))
    return differences


def package_differences(
    recorded: Mapping[str, str], current: Mapping[str, str]
) -> list[Difference]:
    """Packages whose installed version differs from the manifest's."""
    return [
        Difference("package", name, f"{recorded.get(name)} -> {current.get(name)}")
        for name in sorted(set(recorded) | set(current))
        if recorded.get(name) != current.get(name)
    ]
