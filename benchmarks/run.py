"""Benchmark workreview on the sample corpus grown to N× its size (issue 3, part 5; issue 6's worker comparison).

    .venv/bin/python benchmarks/run.py --sizes 1 10 50 --workers 1 2 --rerun-docs 500

Every measurement runs in a fresh process (see ``measure.py``) watched from here: wall time, CPU time (of the
process and its children) and peak memory, sampled with psutil as the largest single process and as the sum over
the process tree (Prefect's server and worker processes count too). Raw results go to
``benchmarks/results/<time>.json``; the tables are rewritten in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402
import report  # noqa: E402

SAMPLE = REPO / "sample_reports"
SHIPPED_MODEL = REPO / "models" / "statement_classifier"
MODEL_ENV = "WORKREVIEW_MODEL"
PACKAGES = ("spacy", "pdfplumber", "pypdfium2", "python-docx", "duckdb", "prefect")


class MeasurementFailed(Exception):
    pass


def run_measurement(kind: str, result_file: Path, log_dir: Path, env: dict[str, str], **options) -> dict:
    """Run ``measure.py KIND`` in a new process; add its wall time, CPU time and peak memory to its result.

    Memory is sampled with psutil rather than taken from ``ru_maxrss``, which Linux carries over from the forking
    parent and which sees only one process, not the Prefect server and workers a run starts.
    """
    command = [sys.executable, str(HERE / "measure.py"), kind, "--result", str(result_file)]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    log = log_dir / f"{result_file.stem}.log"
    print(f"  {result_file.stem} …", end="", flush=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    peak_tree = peak_process = 0
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        watched = psutil.Process(process.pid)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            sizes = _tree_rss(watched)
            peak_tree, peak_process = max(peak_tree, sum(sizes)), max(peak_process, *sizes, 0)
            time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        print(f" FAILED (exit {process.returncode}), see {log}")
        raise MeasurementFailed(f"exit {process.returncode}: {_last_line(log)}")
    result = json.loads(result_file.read_text())
    result["process"] = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_tree_rss_mb": peak_tree / 2**20,
        "peak_process_rss_mb": peak_process / 2**20,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
    }
    print(f" {wall:.1f} s, CPU {result['process']['cpu']:.1f} s, peak {peak_tree / 2**20:.0f} MB")
    result_file.write_text(json.dumps(result, indent=2))
    return result


def _tree_rss(process: psutil.Process) -> list[int]:
    """Resident bytes of the process and each of its descendants (those that end while we look count as 0)."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return []
    sizes = []
    for member in members:
        try:
            sizes.append(member.memory_info().rss)
        except psutil.Error:
            pass
    return sizes


def _last_line(log: Path) -> str:
    """The exception that ended the measurement (its last ``SomethingError: …`` line), else the last line."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt)\b", line)]
    chosen = errors[-1] if errors else lines[-1] if lines else "no output"
    return chosen if len(chosen) <= 200 else chosen[:199] + "…"


def machine() -> dict:
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu_model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
    }


class Benchmark:
    def __init__(self, work: Path, results_dir: Path, env: dict[str, str]):
        self.work, self.env = work, env
        self.raw = results_dir / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.raw.mkdir(parents=True, exist_ok=True)
        self.failures: list[dict] = []

    def measure(self, kind: str, name: str, env: dict[str, str] | None = None, **options) -> dict:
        """The measurement's result, or ``{"error": …}`` so one broken step doesn't lose a long run's other numbers;
        ``env`` adds to the benchmark's environment for this measurement only."""
        try:
            return run_measurement(kind, self.raw / f"{name}.json", self.raw, {**self.env, **(env or {})}, **options)
        except MeasurementFailed as failure:
            self.failures.append({"measurement": name, "error": str(failure), "log": str(self.raw / f"{name}.log")})
            return {"error": str(failure)}

    def measure_rerun(self, name: str, folder: Path, out: Path) -> dict:
        """Run the flow again on an ingested folder; once more if that read documents again.

        Other work can change the statement model between two runs (its version is part of what makes a
        document "unchanged"); the run after such a change has stored the new version, so the next one is unchanged.
        """
        rerun = self.measure("flow", name, corpus=folder, out=out)
        if "error" not in rerun and rerun["documents_processed"]:
            print(f"  {rerun['documents_processed']} documents were read again (the model changed?): once more")
            rerun = self.measure("flow", f"{name}-again", corpus=folder, out=out)
        return rerun

    def build(self, name: str, copies: int, limit: int | None = None) -> Path:
        folder = self.work / name
        shutil.rmtree(folder, ignore_errors=True)
        corpus.replicate(SAMPLE, folder, copies, limit)
        return folder

    def output(self, name: str) -> Path:
        folder = self.work / "out" / name
        shutil.rmtree(folder, ignore_errors=True)
        return folder


def _wall(entry: dict, key: str = "process") -> float | None:
    return None if "error" in entry else entry[key]["wall"]


def measure_sizes(bench: Benchmark, sizes: list[int], keep: int | None, flow_budget: float, startup: float) -> dict:
    """Library stages and both baselines at every size; the flow (and its re-run) while it fits the budget.

    A flow run is predicted from the library run just measured on the same corpus, scaled by how much longer
    than the library the last flow run took (Prefect start-up aside); before any flow run, they are taken as equal.
    """
    results = {}
    flow_per_library = 1.0
    for size in sorted(set(sizes)):
        print(f"Size {size}× ({size * len(corpus.report_files(SAMPLE))} documents):")
        folder = bench.build(f"corpus-{size}x", size)
        entry = results[str(size)] = {"documents": len(corpus.report_files(folder))}
        entry["library"] = bench.measure("library", f"library-{size}x", corpus=folder, out=bench.output("lib"))
        entry["pdfplumber"] = bench.measure("pdfplumber", f"pdfplumber-{size}x", corpus=folder)
        entry["pypdfium2"] = bench.measure("pypdfium2", f"pypdfium2-{size}x", corpus=folder)
        library = _wall(entry["library"])
        predicted = startup + flow_per_library * library if library else 0.0
        if predicted > flow_budget:
            entry["flow_skipped"] = f"predicted {predicted / 60:.0f} min > budget {flow_budget / 60:.0f} min"
            print(f"  flow skipped: {entry['flow_skipped']}")
        else:
            out = bench.output(f"flow-{size}x")
            entry["flow"] = bench.measure("flow", f"flow-{size}x", corpus=folder, out=out, workers=1)
            entry["flow_rerun"] = bench.measure_rerun(f"flow-rerun-{size}x", folder, out)
            flow = _wall(entry["flow"], "run_ingestion")
            if flow and library:
                flow_per_library = flow / library
        if size != keep:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def measure_workers(bench: Benchmark, workers: list[int], size: int) -> dict:
    """The same corpus ingested from scratch with each worker count, one run right after the other."""
    print(f"Workers at {size}×:")
    folder = bench.work / f"corpus-{size}x"
    if not folder.is_dir():
        folder = bench.build(f"corpus-{size}x", size)
    runs = {}
    for count in sorted(set(workers)):
        out = bench.output(f"workers-{count}")
        runs[str(count)] = bench.measure("flow", f"flow-workers{count}-{size}x", corpus=folder, out=out, workers=count)
    return {"size": size, "runs": runs}


def measure_rerun_docs(bench: Benchmark, documents: int) -> dict:
    """A first run, then a run on the same folder and output with nothing changed (issue 6)."""
    print(f"Unchanged re-run at {documents} documents:")
    copies = math.ceil(documents / len(corpus.report_files(SAMPLE)))
    folder = bench.build(f"corpus-{documents}docs", copies, documents)
    out = bench.output("rerun")
    return {
        "documents": len(corpus.report_files(folder)),
        "first": bench.measure("flow", f"flow-{documents}docs", corpus=folder, out=out),
        "rerun": bench.measure_rerun(f"flow-rerun-{documents}docs", folder, out),
    }


def pin_model(work: Path) -> tuple[str, str]:
    """``WORKREVIEW_MODEL`` for every measurement, and what it is: the one set, or a copy of the shipped model.

    Others may retrain ``models/statement_classifier`` while a long benchmark runs; a copy keeps every size on
    the same model (and keeps "unchanged" re-runs unchanged). Without a trained model, the rules.
    """
    if os.environ.get(MODEL_ENV):
        return os.environ[MODEL_ENV], f"{MODEL_ENV}={os.environ[MODEL_ENV]}"
    if not (SHIPPED_MODEL / "config.cfg").is_file():
        return "rules", "rules: no trained model in models/"
    snapshot = work / "model"
    shutil.copytree(SHIPPED_MODEL, snapshot)
    return str(snapshot), "copy of models/statement_classifier"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark workreview on the sample corpus grown N×.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50], help="corpus sizes, × the 48 reports")
    parser.add_argument("--workers", type=int, nargs="*", default=[], help="compare run_ingestion with these workers")
    parser.add_argument("--workers-size", type=int, help="size for the worker comparison (default: largest flow size)")
    parser.add_argument(
        "--rerun-docs", type=int, help="also time an unchanged re-run of a corpus of this many documents"
    )
    parser.add_argument(
        "--flow-budget",
        type=float,
        default=600,
        help="skip a flow run predicted (from the library run) to take longer (s)",
    )
    parser.add_argument("--results", type=Path, default=HERE / "results", help="raw JSON folder")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md", help="README whose tables are rewritten")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="workreview-bench-"))
    model, model_label = pin_model(work)
    env = {
        **os.environ,
        MODEL_ENV: model,
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    bench = Benchmark(work, args.results, env)
    results: dict = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "benchmarks/run.py", *sys.argv[1:]]),
        "machine": machine(),
        "model": model_label,
    }
    summary = bench.raw.with_suffix(".json")
    try:
        problems = corpus.check_copies_read_the_same(SAMPLE, work / "check")
        if problems:
            sys.exit("copies of the sample corpus do not read like the originals:\n" + "\n".join(problems))
        print("Prefect start-up (fresh PREFECT_HOME, then the same home again):")
        results["prefect_startup"] = {
            "cold": bench.measure("prefect-startup", "prefect-startup-cold"),
            "warm": bench.measure("prefect-startup", "prefect-startup-warm"),
        }
        startup = results["prefect_startup"]["warm"].get("startup_wall", 0.0)
        results["sizes"] = measure_sizes(bench, args.sizes, args.workers_size, args.flow_budget, startup)
        flow_sizes = [int(size) for size, entry in results["sizes"].items() if "flow" in entry]
        if args.workers and flow_sizes:
            results["workers"] = measure_workers(bench, args.workers, args.workers_size or max(flow_sizes))
        if args.rerun_docs:
            results["rerun_docs"] = measure_rerun_docs(bench, args.rerun_docs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        results["failures"] = bench.failures
        summary.write_text(json.dumps(results, indent=2))
        print(f"Raw results: {summary}")
    report.update_readme(args.readme, results)
    print(f"Tables written to {args.readme}")
    if bench.failures:
        sys.exit(f"{len(bench.failures)} measurement(s) failed; see the logs in {bench.raw}")


if __name__ == "__main__":
    main()
