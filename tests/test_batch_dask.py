"""Batches on a Dask ``distributed`` cluster: a real scheduler and two workers as separate
processes on localhost, a county that fails, a worker killed mid-batch (its county is re-run on
the other worker; nothing half-written is published); the command's errors."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditlib.report.verify import published_differences
from tests.test_batch import _county

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups (POSIX)")
DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as output:
        return subprocess.Popen(
            command, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
        )


def _end(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two single-threaded workers (``dask scheduler``, ``dask worker``)."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    processes = [
        _start(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        for name in ("a", "b"):
            command = [str(DASK), "worker", address, "--nthreads", "1", "--name", name]
            command += ["--no-dashboard", "--host", "127.0.0.1"]
            command += ["--local-directory", str(tmp_path / f"dask-{name}")]
            processes.append(_start(command, tmp_path / f"worker-{name}.log"))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, processes[1:]
    finally:
        for process in processes:
            _end(process)


def _watch_publications(output: Path, seen: dict[str, set[int]], stop: threading.Event) -> None:
    """Record the identity (inode) of every county folder seen; a second publication of a
    county would replace its folder by another one."""
    while not stop.is_set():
        for folder in output.glob("41*"):
            with contextlib.suppress(OSError):
                seen.setdefault(folder.name, set()).add(folder.stat().st_ino)
        time.sleep(0.1)


def _writing(
    psutil: Any, workers: tuple[subprocess.Popen[bytes], ...], output: Path
) -> tuple[subprocess.Popen[bytes], list[Any], str] | None:
    """The worker whose kernel is writing a good county's report, its descendants and the
    county's code."""
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            descendants = psutil.Process(worker.pid).children(recursive=True)
            for process in descendants:
                with contextlib.suppress(psutil.Error):
                    folder = Path(process.cwd())
                    good = folder.name.startswith(".partial-") and "410103" not in folder.name
                    if folder.parent == output and good:
                        return worker, descendants, folder.name.split("-")[1]
    return None


@pytest.mark.slow
def test_batch_on_a_cluster_survives_a_failing_county_and_a_lost_worker(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    psutil = pytest.importorskip("psutil")
    address, (worker_a, worker_b) = cluster
    codes = ["410101", "410102", "410103", "410104"]
    params = [_county(tmp_path, code, seed) for seed, code in enumerate(codes, start=12)]
    households = tmp_path / "data" / "410103" / "households.csv"
    households.write_text("not,a,households,table\n1,2,3,4\n", encoding="utf-8")
    output = tmp_path / "reports"
    command = [sys.executable, "-m", "auditlib", "batch", *map(str, params), "--out", str(output)]
    command += ["--restricted", str(tmp_path / "restricted"), "--verification", "simulate"]
    command += ["--no-pdf", "--scheduler", address]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[str, set[int]] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_publications, args=(output, seen, stop))
    watcher.start()
    try:
        # Kill a worker (its whole process group: nanny and worker) while it is writing a good
        # county's report: its kernel works in the county's .partial- work folder.
        deadline = time.monotonic() + 600
        while (busy := _writing(psutil, (worker_a, worker_b), output)) is None:
            assert batch.poll() is None, "the batch ended before a worker could be killed"
            assert time.monotonic() < deadline, "no worker ever wrote a report"
            time.sleep(0.2)
        killed, descendants, interrupted = busy
        survivor = worker_b if killed is worker_a else worker_a
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        # the worker program (own process group) and its kernel follow their Dask worker
        _gone, alive = psutil.wait_procs(descendants, timeout=15)
        assert alive == [], f"left running after the worker died: {[p.pid for p in alive]}"
        stdout, stderr = batch.communicate(timeout=900)
    finally:
        stop.set()
        watcher.join()
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 1, stdout + stderr
    assert "Traceback" not in stderr, stderr
    found = re.findall(r"^(done|skipped|failed|timeout)\s+(\d{6})", stderr, re.M)
    statuses = {code: status for status, code in found}
    assert len(found) == len(codes), stderr  # one line per county
    assert sorted(statuses) == codes, stderr
    assert statuses["410103"] == "failed"
    assert "households.csv" in stderr
    assert "410103" in stdout and "failed" in stdout  # the summary table
    assert survivor.poll() is None, "the surviving worker must not be harmed"
    for code in ("410101", "410102", "410104"):
        # "skipped" only if worker a had published it just before it died
        assert statuses[code] in ("done", "skipped"), stderr
        folder = output / code
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert (folder / "report.html").is_file()
        assert published_differences(folder, manifest["outputs"]) == []
        assert len(seen[code]) == 1, f"{code} was published more than once"
    assert statuses[interrupted] == "done", "the lost worker's county is made elsewhere"
    assert not (output / "410103").exists()
    assert not list(output.glob(".partial-*")), "a half-written work folder was left behind"
    assert "410103" not in seen


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    params = tmp_path / "410101.yaml"
    params.write_text("county_code: '410101'\n", encoding="utf-8")
    base = [sys.executable, "-m", "auditlib", "batch", str(params), "--out", str(tmp_path)]
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    result = subprocess.run(
        [*base, "--no-pdf", "--scheduler", address, "--connect-timeout", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "could not reach the Dask scheduler" in output and "Traceback" not in output
    both = subprocess.run(
        [*base, "--scheduler", address, "--cluster", "local"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert both.returncode == 2 and "mutually exclusive" in both.stderr, both.stderr
