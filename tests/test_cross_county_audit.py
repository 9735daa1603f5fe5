"""Cross-county findings in the county audits (issue 16): planted links found, turned into rules
X01–X04, shown in both counties' reports, and the files handled safely.

Three small counties generated from a specs file like ``data/example/counties.yaml`` (seeds
6201–6203 and link seed 6204, used by no other test) with the same ``cross_county`` plan as
the examples: the generator plants double enrolments and deaths recorded in the next county;
``auditlib crosscheck`` must find exactly those, and each county's audit must show them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from auditlib.cli.common import EXIT_BAD_INPUT, EXIT_OK, run_guarded
from auditlib.cli.main import cli
from auditlib.data.fingerprint import file_sha256
from auditlib.errors import DataError
from auditlib.pipeline.audit import run_audit
from auditlib.report import sections_risk
from auditlib.report.province_cross_county import cross_county_table
from auditlib.risk.crosscounty import FINDING_COLUMNS, CrossCountyFindings, mask_findings
from auditlib.risk.rules.cross_county import cross_county_hits, read_cross_county_findings
from auditlib.synth.examples import generate_examples

CODES = ("430522", "530621", "500102")
SEEDS = (6201, 6202, 6203)


def _spec(root: Path, households: int = 5000) -> Path:
    source = yaml.safe_load(Path("data/example/counties.yaml").read_text(encoding="utf-8"))
    counties = []
    for entry, seed in zip(source["counties"], SEEDS, strict=True):
        counties.append(entry | {"seed": seed, "households": households})
    spec = {
        "counties": counties,
        "cross_county": {"seed": 6204, "double_enrolments": 2, "deaths_elsewhere": 2},
    }
    path = root / "counties.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("linked")
    generate_examples(_spec(root), root / "data")
    assert run_guarded(
        cli, ["crosscheck", *(str(root / "data" / code) for code in CODES),
              "--out", str(root / "restricted")],
    ) == EXIT_OK  # fmt: skip
    for code in CODES:
        text = Path(f"params/{code}.yaml").read_text(encoding="utf-8")
        text = text.replace(f"../data/example/{code}", f"../data/{code}")
        text = text.replace(
            "../restricted/crosscounty/crosscounty.csv", "../restricted/crosscounty.csv"
        )
        (root / "params").mkdir(exist_ok=True)
        (root / "params" / f"{code}.yaml").write_text(text, encoding="utf-8")
    return root


def _links(root: Path) -> pd.DataFrame:
    frames = [
        pd.read_csv(root / "data" / code / "ground_truth" / "cross_county.csv", dtype=str)
        for code in CODES
    ]
    return pd.concat(frames, ignore_index=True).fillna("")


def test_the_planted_links_and_nothing_else_are_found(province: Path) -> None:
    links = _links(province)
    assert (links["kind"] == "double_enrolment").sum() == 2 * 2 * len(CODES)  # a row per county
    assert (links["kind"] == "death_elsewhere").sum() >= 1
    found = pd.read_csv(province / "restricted" / "crosscounty.csv", dtype=str).fillna("")
    assert tuple(found.columns) == FINDING_COLUMNS
    kinds = {"double_enrolment": "cross_county_member", "death_elsewhere": "cross_county_death"}
    planted = {
        (kinds[row.kind], row.county_code, row.household_id, row.id_number, row.other_county_code)
        for row in links.itertuples()
    }
    seen = {
        (row.check, row.county_code, row.household_id, row.id_number, row.other_county_code)
        for row in found.itertuples()
    }
    assert seen == planted


def test_a_linked_county_regenerated_alone_is_byte_identical(
    province: Path, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    generate_examples(spec, tmp_path / "data", only=["530621"])
    for path in sorted((province / "data" / "530621").rglob("*.csv")):
        other = tmp_path / "data" / "530621" / path.relative_to(province / "data" / "530621")
        assert other.read_bytes() == path.read_bytes(), path.name


def test_findings_become_rules_x01_x02_of_the_households_they_name(province: Path) -> None:
    links = _links(province)
    path = province / "restricted" / "crosscounty.csv"
    for code in CODES:
        findings = read_cross_county_findings(path, code)
        hits = cross_county_hits(findings, code)
        mine = links[links["county_code"] == code]
        expected = {
            ("X01" if kind == "double_enrolment" else "X02", household)
            for kind, household in zip(mine["kind"], mine["household_id"], strict=True)
        }
        assert set(zip(hits["rule_code"], hits["household_id"], strict=True)) == expected
        assert set(hits["source"]) <= {"crosscounty"}
        for evidence in hits["evidence_zh"]:
            assert "********" in evidence  # masked ID numbers only
        for number in mine["id_number"]:
            assert not hits["evidence_en"].str.contains(number).any()


def test_a_double_enrolment_and_a_death_elsewhere_appear_in_both_counties_reports(
    province: Path,
) -> None:
    links = _links(province)
    person = links[links["kind"] == "double_enrolment"].iloc[0]
    death = links[links["kind"] == "death_elsewhere"].iloc[0]
    sections: dict[str, str] = {}
    for code in {person.county_code, person.other_county_code, death.county_code,
                 death.other_county_code}:  # fmt: skip
        run = run_audit(
            province / "params" / f"{code}.yaml",
            verification="simulate",
            audit_root=province / "audits",
            restricted_root=province / "restricted",
            language="en",
        )
        sections[code] = sections_risk.risk(run).html
        # the rule table counts X rules too; the score ranks the X01 household in the high tier
        assert "Cross-county findings" in sections[code]
    masked = person.id_number[:6] + "********" + person.id_number[-4:]
    for code, household in ((person.county_code, person.household_id),
                            (person.other_county_code, person.other_household_id)):  # fmt: skip
        assert masked in sections[code] and household in sections[code]
        assert person.id_number not in sections[code]
    masked_dead = death.id_number[:6] + "********" + death.id_number[-4:]
    assert masked_dead in sections[death.county_code]  # its own household: rule X02
    assert masked_dead in sections[death.other_county_code]  # its register holds the death
    assert "death recorded elsewhere" in sections[death.other_county_code]


def test_a_report_without_the_findings_file_fails_before_the_notebook(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "params" / "430522.yaml"
    params.parent.mkdir()
    text = (province / "params" / "430522.yaml").read_text(encoding="utf-8")
    params.write_text(
        text.replace("../data/430522", str(province / "data" / "430522")).replace(
            "../restricted/crosscounty.csv", "../nowhere/crosscounty.csv"
        ),
        encoding="utf-8",
    )
    code = run_guarded(
        cli, ["report", str(params), "--verification", "simulate", "--out", str(tmp_path / "r")]
    )
    assert code == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "nowhere/crosscounty.csv" in error and "auditlib crosscheck" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.drop(columns=["registry"]), "column 'registry' is missing"),
        (lambda f: f.assign(check=f["check"].where(f.index != 1, "cross_county_pets")),
         "row 3, column 'check'"),
        (lambda f: f.assign(county_code=f["county_code"].where(f.index != 0, "43052")),
         "row 2, column 'county_code'"),
    ],
)  # fmt: skip
def test_a_malformed_findings_file_is_named_with_row_column_and_value(
    province: Path,
    tmp_path: Path,
    change,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    frame = pd.read_csv(province / "restricted" / "crosscounty.csv", dtype=str)
    broken = tmp_path / "crosscounty.csv"
    change(frame).to_csv(broken, index=False)
    with pytest.raises(DataError, match=r"crosscounty\.csv") as caught:
        read_cross_county_findings(broken, "430522")
    assert expected in str(caught.value)


def test_crosscheck_never_overwrites_other_findings(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = [str(province / "data" / code) for code in CODES]
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(province / "restricted" / "crosscounty.csv", out / "crosscounty.csv")
    original = (out / "crosscounty.csv").read_bytes()
    # the same findings: left as they are
    assert run_guarded(cli, ["crosscheck", *folders, "--out", str(out)]) == EXIT_OK
    assert "unchanged" in capsys.readouterr().out
    assert (out / "crosscounty.csv").read_bytes() == original
    # other findings (two counties only): refused, the file kept
    assert run_guarded(cli, ["crosscheck", *folders[:2], "--out", str(out)]) == EXIT_BAD_INPUT
    assert "never overwritten" in capsys.readouterr().err
    assert (out / "crosscounty.csv").read_bytes() == original


def test_the_provincial_table_counts_each_countys_findings(province: Path, tmp_path: Path) -> None:
    findings_file = province / "restricted" / "crosscounty.csv"
    recorded = {"file": str(findings_file), "sha256": file_sha256(findings_file)}
    folders = {}
    for code in CODES:
        folders[code] = tmp_path / code
        folders[code].mkdir()
        manifest = {"inputs": {"cross_county": recorded}}
        (folders[code] / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = cross_county_table(folders, "en")
    links = _links(province)
    for code in CODES:
        mine = links[links["county_code"] == code]
        enrolled = int((mine["kind"] == "double_enrolment").sum())
        dead = int((mine["kind"] == "death_elsewhere").sum())
        held = int(
            ((links["kind"] == "death_elsewhere") & (links["other_county_code"] == code)).sum()
        )
        cells = [str(value) for value in (enrolled, dead, 0, 0, held)]
        row = f'<td class="text">{code}</td>' + "".join(
            f'<td class="number">{cell}</td>' for cell in cells
        )
        assert row in page, (code, cells)
    assert "********" not in page and not any(number in page for number in links["id_number"])
    # a findings file changed since the counties used it is not summed
    (folders["430522"] / "manifest.json").write_text(
        json.dumps({"inputs": {"cross_county": recorded | {"sha256": "0" * 64}}}), "utf-8"
    )
    assert "gone or changed" in cross_county_table(folders, "en")


def test_masking_keeps_missing_values_missing_even_in_an_empty_column() -> None:
    # a findings table without any shared account: its account column holds no value at all
    frame = pd.DataFrame(
        {column: pd.array([None, None], dtype="string") for column in FINDING_COLUMNS}
    )
    frame["id_number"] = pd.array(["430522199001011234", None], dtype="string")
    masked = mask_findings(frame)
    assert masked["id_number"].tolist()[0] == "430522********1234"
    assert masked["id_number"].isna().tolist() == [False, True]
    assert masked["account_number"].isna().all()
    # the findings object masks the same way
    result = CrossCountyFindings(frame, ("430522", "530621"), 2)
    pd.testing.assert_frame_equal(result.masked(), masked)
