"""The hostile inbox measured: each case's status, reason, time and peak memory, then one whole `workreview run`
over the hostile files mixed with the sample reports, against a clean run of the sample reports alone.

``python benchmarks/hostile.py [--samples N] [--out FILE]`` prints two Markdown tables (and writes them to FILE).

- **Per case**: ``pipeline.process.process_file`` with the default limits, in this process (the statement model
  loaded before the clock starts), one case after another. Peak RSS is the sum over this process and its children
  (the reader process), sampled every 20 ms while the case runs: what reading that file costs the machine.
  Skipped entries are never opened; their time is the inbox scan's.
- **Whole run**: ``workreview run`` as a user runs it (a fresh process, embedded Prefect), the peak RSS summed over
  the command's process tree, sampled every 100 ms; then the checks of issue 13's "done when".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
MB = 1024 * 1024


class PeakRss:
    """Samples the RSS of a process and its descendants, summed, on a thread until stopped."""

    def __init__(self, pid: int, every_s: float) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                processes = []
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every_s)


def per_case(inbox: Path, cases) -> list[tuple]:
    from pipeline.guard import ReadLimits
    from pipeline.inbox import discover
    from pipeline.process import prepare_stages, process_file

    prepare_stages()
    started = time.perf_counter()
    items = {item.source_file: item for item in discover(inbox)}
    scan_s = time.perf_counter() - started
    rows = []
    for case in cases:
        item = items[case.source_file]
        if item.skipped:
            rows.append((case, "skipped", item.skipped, scan_s, None, case.status == "skipped"))
            continue
        with PeakRss(os.getpid(), 0.02) as rss:
            started = time.perf_counter()
            result = process_file(item.path, item.source_file, ReadLimits())
            seconds = time.perf_counter() - started
        record = result.document
        expected = record.status == case.status and (
            record.error is None if case.message is None else case.message in (record.error or "")
        )
        rows.append((case, str(record.status), record.error or "", seconds, rss.peak, expected))
    return rows


def run_command(inbox: Path, out: Path, log: Path) -> tuple[int, float, int]:
    env = dict(os.environ, PREFECT_HOME=str(out.parent / f"{out.name}-prefect"))
    started = time.perf_counter()
    with log.open("w") as output:
        command = [str(REPO / ".venv/bin/workreview"), "run", str(inbox), "--out", str(out)]
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        with PeakRss(process.pid, 0.1) as rss:
            code = process.wait()
    return code, time.perf_counter() - started, rss.peak


def statements(out: Path, sources: list[str]) -> list[tuple]:
    with duckdb.connect(str(out / "national.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT source_file, statement_id, kind, text, char_start, char_end, confidence, flag_reasons "
            "FROM current_statements WHERE source_file IN (SELECT unnest(?)) ORDER BY ALL",
            [sources],
        ).fetchall()


def main() -> None:
    from hostile_corpus import OUTSIDE_CANARY, build_hostile_corpus

    from pipeline.inbox import discover

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=0, help="Sample reports mixed in (default: all).")
    parser.add_argument("--out", type=Path, help="Also write the tables to this file.")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    try:
        mixed, clean = root / "mixed", root / "clean"
        cases = build_hostile_corpus(mixed, root / "outside")
        lines = ["| case | status | message | time (s) | peak RSS (MB) | as expected |", "|---|---|---|---|---|---|"]
        for case, status, message, seconds, peak, expected in per_case(mixed, cases):
            peak_text = "—" if peak is None else f"{peak / MB:,.0f}"
            shown = message.replace("|", "\\|")
            verdict = "yes" if expected else "NO"
            lines.append(f"| {case.name} | {status} | {shown} | {seconds:.2f} | {peak_text} | {verdict} |")

        samples = [item for item in discover(REPO / "sample_reports")]
        if args.samples:
            samples = samples[: args.samples]
        clean.mkdir()
        for item in samples:
            for folder in (clean, mixed):
                target = folder / item.source_file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(item.path, target)
        sources = [item.source_file for item in samples]
        clean_code, clean_s, clean_peak = run_command(clean, root / "clean-out", root / "clean.log")
        code, seconds, peak = run_command(mixed, root / "mixed-out", root / "mixed.log")
        with duckdb.connect(str(root / "mixed-out" / "national.duckdb"), read_only=True) as con:
            recorded = dict(con.execute("SELECT source_file, status FROM latest_documents").fetchall())
            texts = " ".join(
                value or "" for row in con.execute("SELECT text, section FROM statements").fetchall() for value in row
            )
        accounted = {case.source_file for case in cases} | set(sources) == set(recorded)
        same = statements(root / "mixed-out", sources) == statements(root / "clean-out", sources)
        leaked = OUTSIDE_CANARY.split(" number")[0] in texts
        lines += [
            "",
            "| run | files | exit code | time (s) | peak RSS, whole command (MB) |",
            "|---|---|---|---|---|",
            f"| sample reports alone | {len(sources)} | {clean_code} | {clean_s:.1f} | {clean_peak / MB:,.0f} |",
            f"| hostile + sample reports | {len(recorded)} | {code} | {seconds:.1f} | {peak / MB:,.0f} |",
            "",
            f"Every file accounted for: {'yes' if accounted else 'NO'}; sample reports' statements equal the clean "
            f"run's: {'yes' if same else 'NO'}; "
            f"text from outside the inbox in the database: {'YES' if leaked else 'no'}; "
            f"statuses: {', '.join(f'{s} {n}' for s, n in sorted(_count(recorded.values()).items()))}.",
        ]
        table = "\n".join(lines)
        print(table)
        if args.out:
            args.out.write_text(table + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


if __name__ == "__main__":
    main()
