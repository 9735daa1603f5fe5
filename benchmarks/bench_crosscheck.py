"""Cross-county checks on a synthetic province: wall time and peak memory.

Writes (or reuses from ``--cache``) a province of ``--counties`` county folders holding
``--members`` members in all, laid out as the data contract says (``county.yaml``,
``households.csv``, ``members.csv``, ``payments.csv`` and six ``registry_*.csv``, every
contract column present), generated directly with numpy and pyarrow — synthetic ID numbers in
the GB 11643 format (each county's own address code, valid check character), never real
people. Planted across counties: ``--planted`` people enrolled in two counties, as many
members recorded dead in another county's death registry and with a vehicle registered in
another county, and as many accounts shared by households of two counties.

The checks then run in a fresh Python process (DuckDB runs in-process), which reports its
wall time and peak resident memory (``resource.getrusage``); the planted cases must all be
found.

Run::

    nice .venv/bin/python benchmarks/bench_crosscheck.py --members 10000000 --counties 20
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from auditlib.data.idcard import CHECK_BYTES, WEIGHTS
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES

FIRST_CODE = 431101
DAYS = 30_000  # birth dates spread over ~82 years from 1940-01-01
ACCOUNT_BASE = 6_217_000_000_000_000_000

# Constant (or simple) values of the columns the checks do not read, by contract kind.
FILLER = {"int": "1", "float": "100.00", "date": "2024-01-01", "bool": "0", "id_number": ""}


def id_numbers(county: int, index: np.ndarray) -> pa.Array:
    """Valid 18-character ID numbers of county ``county``: birth day and sequence from index."""
    birth = np.datetime64("1940-01-01") + (index % DAYS).astype("timedelta64[D]")
    digits = np.zeros((len(index), 18), dtype=np.uint8)
    digits[:, :6] = np.frombuffer(str(county).encode(), dtype=np.uint8) - 48
    ymd = np.char.replace(birth.astype("U10"), "-", "").astype("S8")
    digits[:, 6:14] = np.frombuffer(ymd.tobytes(), dtype=np.uint8).reshape(-1, 8) - 48
    sequence = index // DAYS
    for place, power in ((14, 100), (15, 10), (16, 1)):
        digits[:, place] = (sequence // power) % 10
    check = CHECK_BYTES[(digits[:, :17].astype(np.int32) @ WEIGHTS) % 11]
    text = digits + 48
    text[:, 17] = check
    return pa.array(text.view("S18").ravel(), type=pa.binary()).cast(pa.string())


def codes(prefix: int, index: np.ndarray, width: int) -> pa.Array:
    """Codes ``prefix`` followed by ``index`` zero-padded to ``width`` digits."""
    text = np.char.add(str(prefix), np.char.zfill(index.astype("U"), width)).astype("S")
    return pa.array(text, type=pa.binary()).cast(pa.string())


def constant(value: str, count: int) -> pa.Array:
    """A binary array repeating ``value`` (cast to string by the caller)."""
    return pa.array(np.full(count, value.encode(), dtype=f"S{max(len(value.encode()), 1)}"))


def write_table(
    path: Path,
    spec_columns: tuple[str, ...],
    kinds: dict[str, str],
    given: dict[str, pa.Array],
    count: int,
) -> None:
    """Write one contract table as CSV: ``given`` columns, the others filled by kind."""
    arrays = []
    for name in spec_columns:
        if name in given:
            arrays.append(given[name])
        else:
            arrays.append(constant(FILLER.get(kinds[name], "x"), count).cast(pa.string()))
    pacsv.write_csv(pa.table(arrays, names=list(spec_columns)), path)


def write_county(root: Path, number: int, members: int, planted: int, seed: int) -> None:
    """Write county number ``number`` of the province (folder named by its code)."""
    code = FIRST_CODE + number
    folder = root / str(code)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + number)
    index = rng.permutation(members)
    households = members // 3
    extra = rng.integers(0, households, members - households)
    member_household = np.sort(np.concatenate([np.arange(households), extra]))
    ids = id_numbers(code, index)
    household_ids = codes(code, member_household, 10)
    # planted: the first `planted` members of the next county are also members here
    following = FIRST_CODE + number + 1
    guests = id_numbers(following, np.arange(planted)) if planted else None
    member_ids = pa.concat_arrays([ids, guests]) if guests is not None else ids
    member_rows = len(member_ids)
    member_hh = (
        pa.concat_arrays([household_ids, household_ids[:planted]]) if planted else household_ids
    )
    kinds = {column.name: column.kind for column in MEMBERS.columns}
    given = {
        "household_id": member_hh,
        "id_number": member_ids,
        "name": constant("张三", member_rows).cast(pa.string()),
        "relation": constant("head", member_rows).cast(pa.string()),
        "sex": constant("M", member_rows).cast(pa.string()),
        "ethnicity": constant("汉族", member_rows).cast(pa.string()),
        "employment": constant("farming", member_rows).cast(pa.string()),
        "death_date": constant("", member_rows).cast(pa.string()),
    }
    write_table(folder / "members.csv", MEMBERS.column_names, kinds, given, member_rows)
    # households: 6% recipients, each with an account
    recipients = rng.random(households) < 0.06
    account = np.where(recipients, ACCOUNT_BASE + number * 10**9 + np.arange(households), 0)
    shared = np.flatnonzero(recipients)[:planted]
    # counties 2j and 2j+1 share `planted` accounts
    account[shared] = ACCOUNT_BASE + 999 * 10**9 + (number // 2) * 10**6 + np.arange(len(shared))
    account_text = pa.array(np.where(account > 0, account.astype("U19"), ""))
    kinds = {column.name: column.kind for column in HOUSEHOLDS.columns}
    hh_index = np.arange(households)
    given = {
        "county_code": constant(str(code), households).cast(pa.string()),
        "household_id": codes(code, hh_index, 10),
        "head_id_number": ids.take(pa.array(np.searchsorted(member_household, hh_index))),
        "programme": pa.array(np.where(recipients, "dibao", "none")),
        "account_number": account_text,
        "dibao_category": constant("", households).cast(pa.string()),
        "enrolment_date": constant("", households).cast(pa.string()),
        "exit_date": constant("", households).cast(pa.string()),
        "refusal_date": constant("", households).cast(pa.string()),
    }
    write_table(folder / "households.csv", HOUSEHOLDS.column_names, kinds, given, households)
    paid = np.flatnonzero(recipients)
    months = np.repeat(paid, 12)
    kinds = {column.name: column.kind for column in PAYMENTS.columns}
    given = {
        "payment_id": codes(code, np.arange(len(months)), 9),
        "household_id": codes(code, months, 10),
        "account_number": pa.array(account[months].astype("U19")),
        "programme": constant("dibao", len(months)).cast(pa.string()),
    }
    write_table(folder / "payments.csv", PAYMENTS.column_names, kinds, given, len(months))
    shares = {
        "registry_deaths": 0.01,
        "registry_vehicles": 0.1,
        "registry_property": 0.15,
        "registry_payroll": 0.02,
        "registry_business": 0.02,
        "registry_cadres": 0.003,
    }
    for spec in REGISTRY_TABLES:
        if spec.name not in shares:
            continue
        rows = int(members * shares[spec.name])
        own = rng.choice(members + members // 2, rows, replace=False)  # a third are non-members
        registry_ids = id_numbers(code, own)
        if spec.name in ("registry_deaths", "registry_vehicles") and planted:
            # members of the previous county recorded here (indices past the guests)
            previous = FIRST_CODE + number - 1 if number else FIRST_CODE + 1
            registry_ids = pa.concat_arrays(
                [registry_ids, id_numbers(previous, np.arange(planted, 2 * planted))]
            )
        count = len(registry_ids)
        kinds = {column.name: column.kind for column in spec.columns}
        write_table(
            folder / f"{spec.name}.csv",
            spec.column_names,
            kinds,
            {"id_number": registry_ids},
            count,
        )
    (folder / "county.yaml").write_text(
        f"# SYNTHETIC benchmark county: no real person\ncounty_code: '{code}'\ncounty: 县{number}\n"
        "province: 测试省\nrural_standard: 500.0\nreference_date: 2025-12-31\n"
        "audit_period_start: 2025-01-01\naudit_period_end: 2025-12-31\n",
        encoding="utf-8",
    )


CHILD = """
import json, resource, sys, time
from auditlib.risk.crosscounty import cross_county_check
started = time.perf_counter()
result = cross_county_check(sys.argv[2:], memory_limit=sys.argv[1] or None)
elapsed = time.perf_counter() - started
counts = result.findings.groupby("check").size().to_dict()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print()
print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak, "members": result.members,
                  "findings": counts}))
"""


def main() -> None:
    """Write or reuse the province, run the checks in a fresh process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000_000, help="members in all counties")
    parser.add_argument("--counties", type=int, default=20)
    parser.add_argument("--planted", type=int, default=1000, help="planted cases per county")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/auditlib-bench-province"))
    parser.add_argument("--memory-limit", default="", help="DuckDB memory limit, e.g. 4GB")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    root = args.cache / f"{args.counties}x{args.members // args.counties}-{args.planted}"
    folders = [root / str(FIRST_CODE + number) for number in range(args.counties)]
    if not all((folder / "county.yaml").is_file() for folder in folders):
        started = time.perf_counter()
        for number in range(args.counties):
            write_county(root, number, args.members // args.counties, args.planted, args.seed)
        print(f"generated {root} in {time.perf_counter() - started:.0f} s")
    size = sum(path.stat().st_size for path in root.rglob("*.csv"))
    print(
        f"province: {args.counties} counties, {args.members:,} members, {size / 1e9:.2f} GB of CSV"
    )
    output = subprocess.run(
        [sys.executable, "-c", CHILD, args.memory_limit, *map(str, folders)],
        check=False,
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        sys.exit(f"the checks failed:\n{output.stderr[-2000:]}")
    figures = json.loads(output.stdout[output.stdout.rindex("\n{") + 1 :])
    print(json.dumps(figures, indent=2))
    # each county hosts `planted` members of the next one (the last county's guests come from
    # no county); a row per county of each pair
    expected = 2 * args.planted * (args.counties - 1)
    found = figures["findings"].get("cross_county_member", 0)
    print(f"planted enrolments found: {found} rows (expected {expected}, 2 per person)")


if __name__ == "__main__":
    main()
