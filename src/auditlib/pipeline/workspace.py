"""The county workspace: the paths of one audit, and the sample record phase 2 reads.

One audit of one county runs in two phases, weeks apart (DESIGN.md §2). The workspace owns
every path they share::

    <audits>/<county_code>/sample/       the sample record, written once by phase 1:
        sample.csv, sample.json          the sample table and its sidecar (seed, plan, hashes)
        frame.csv                        the frame the inclusion probabilities were computed on
        data_fingerprint.json            the county data the sample was drawn from
    <audits>/<county_code>/results/      imported verification results (append-only log)
    <restricted>/<county_code>/worksheets/   issued worksheets + issued.json (full identities;
                                         a re-issue for another sample goes to worksheets-2/, ...)
    <reports>/<county_code>/             the report folder

The report folder is a sibling of the sample record, never its parent, and the restricted
worksheets are never inside the reports. Nothing here deletes or overwrites a file that the
running step did not create: a different sample is refused, not replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditlib.errors import ParamsError, Problem

__all__ = ["RESULTS_LOG_FILE", "SAMPLE_SIDECAR", "CountyWorkspace"]

#: The sample record's sidecar (as :data:`auditlib.sampling.sample.SIDECAR_FILE`).
SAMPLE_SIDECAR = "sample.json"
RESULTS_LOG_FILE = "results_log.csv"
DEFAULT_AUDIT_ROOT = Path("audits")
DEFAULT_RESTRICTED_ROOT = Path("restricted")
DEFAULT_REPORT_ROOT = Path("reports")


@dataclass(frozen=True)
class CountyWorkspace:
    """The folders of one county audit (see the module docstring).

    Parameters
    ----------
    county_code : str
        The county.
    audit_root : pathlib.Path
        Parent of ``<county_code>/sample`` and ``<county_code>/results`` (default ``audits``).
    restricted_root : pathlib.Path
        Parent of ``<county_code>/worksheets`` (default ``restricted``).
    report_root : pathlib.Path
        Parent of the report folder ``<county_code>`` (default ``reports``).
    """

    county_code: str
    audit_root: Path = DEFAULT_AUDIT_ROOT
    restricted_root: Path = DEFAULT_RESTRICTED_ROOT
    report_root: Path = DEFAULT_REPORT_ROOT

    @property
    def sample_dir(self) -> Path:
        """The sample record (written once by phase 1)."""
        return self.audit_root / self.county_code / "sample"

    @property
    def results_dir(self) -> Path:
        """Imported verification results."""
        return self.audit_root / self.county_code / "results"

    @property
    def results_log(self) -> Path:
        """The append-only log of every imported answer."""
        return self.results_dir / RESULTS_LOG_FILE

    @property
    def restricted_dir(self) -> Path:
        """The county's restricted folder (full identities)."""
        return self.restricted_root / self.county_code

    @property
    def worksheets_dir(self) -> Path:
        """Where phase 1 issues the worksheets (``issued.json`` beside them)."""
        return self.restricted_dir / "worksheets"

    @property
    def report_dir(self) -> Path:
        """The report folder."""
        return self.report_root / self.county_code

    def check(self) -> CountyWorkspace:
        """Refuse layouts in which one folder would be written inside another.

        Raises
        ------
        ParamsError
            The restricted folder is inside (or equal to) the report root, or the sample
            record or results are inside the report folder.
        """
        problems = []
        reports = self.report_root.resolve()
        restricted = self.restricted_root.resolve()
        if restricted == reports or restricted.is_relative_to(reports):
            problems.append(
                Problem(
                    "--restricted",
                    None,
                    None,
                    str(self.restricted_root),
                    f"a folder outside the reports folder {self.report_root} (worksheets hold "
                    "full names and ID numbers; reports are published)",
                )
            )
        report_dir = self.report_dir.resolve()
        for name, folder in (("sample record", self.sample_dir), ("results", self.results_dir)):
            if folder.resolve().is_relative_to(report_dir):
                problems.append(
                    Problem(
                        "--workspace",
                        None,
                        None,
                        str(folder),
                        f"the {name} outside the report folder {self.report_dir}",
                    )
                )
        if problems:
            raise ParamsError(
                "the county workspace would put one folder inside another: "
                + "; ".join(f"{p.value} must be {p.expected}" for p in problems),
                problems,
            )
        return self

    def has_sample(self) -> bool:
        """True when phase 1 has recorded a sample here."""
        return (self.sample_dir / SAMPLE_SIDECAR).is_file()
