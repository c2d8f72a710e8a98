"""Issue 14 in one run: PDF reading and ``workreview run`` against pdfplumber's ``extract_text``, on the same PDFs.

    .venv/bin/python benchmarks/pdf_speed.py --pages 500

The sample corpus's PDFs are copied (``corpus.write_copy``: new bytes, same text) until they hold at least
``--pages`` pages; on that folder, each in a fresh process watched by ``run.run_measurement``:

1. pdfplumber ``page.extract_text()`` on every page (the baseline);
2. the old reader: ``partition_pdf(path, source="pdfplumber")``;
3. the new reader: ``partition_pdf(path)`` (pdfium), and the pipeline's read stage around it (its reader process);
4. ``workreview run FOLDER --out OUT`` end to end (Prefect's start included, with a ``PREFECT_HOME`` whose database
   exists, as on every run after the first), then the same command again with nothing changed; then into new
   output folders with ``--workers 1`` (like for like with the one process of ``extract_text``) and ``--workers 2``.

Then the sample corpus itself: a first ``workreview run`` and an unchanged re-run. The tables go between the
``pdf-results`` markers of ``benchmarks/README.md``; raw JSON to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from report import replace_section  # noqa: E402
from run import MODEL_ENV, SAMPLE, Benchmark, machine, pin_model  # noqa: E402

BEGIN = "<!-- pdf-results:begin (written by benchmarks/pdf_speed.py) -->"
END = "<!-- pdf-results:end -->"


def pdf_corpus(target: Path, pages: int) -> int:
    """Copies of the sample's PDFs under ``target`` until they hold ``pages`` pages; the pages they hold."""
    import pypdfium2

    pdfs = [report for report in corpus.report_files(SAMPLE) if report.path.suffix.lower() == ".pdf"]
    counts = {}
    for report in pdfs:
        document = pypdfium2.PdfDocument(report.path)
        counts[report.source_file] = len(document)
        document.close()
    total, copy = 0, 0
    while total < pages:
        for report in pdfs:
            corpus.write_copy(report.path, target / f"copy-{copy:03d}" / report.source_file, copy)
            total += counts[report.source_file]
        copy += 1
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500, help="at least this many PDF pages")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("--render", type=Path, help="only rewrite the tables from this raw JSON of an earlier run")
    args = parser.parse_args()
    if args.render:
        update_readme(args.readme, render(json.loads(args.render.read_text())))
        return

    work = Path(tempfile.mkdtemp(prefix="workreview-pdf-bench-"))
    model, model_label = pin_model(work)
    env = {
        **os.environ, MODEL_ENV: model, "PREFECT_HOME": str(work / "prefect-home"), "OMP_THREAD_LIMIT": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "WORKREVIEW_OCR_CACHE": str(work / "ocr-cache"),
    }
    bench = Benchmark(work, args.results, env)
    results: dict = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "benchmarks/pdf_speed.py", *sys.argv[1:]]),
        "machine": machine(),
        "model": model_label,
    }
    try:
        folder = work / "pdfs"
        results["pages"] = pdf_corpus(folder, args.pages)
        results["pdfs"] = len(list(folder.rglob("*.pdf")))
        print(f"{results['pdfs']} PDFs, {results['pages']} pages:")
        results["warm_up"] = bench.measure("prefect-startup", "prefect-home")  # creates Prefect's database
        results["extract_text"] = bench.measure("pdfplumber", "extract-text", corpus=folder)
        results["old_reader"] = bench.measure("reader", "reader-pdfplumber", corpus=folder, source="pdfplumber")
        results["new_reader"] = bench.measure("reader", "reader-pdfium", corpus=folder, source="pdfium")
        results["read_stage"] = bench.measure("reader", "read-stage", corpus=folder, guarded=1)
        out = bench.output("pdfs")
        results["cli"] = bench.measure("cli", "cli-pdfs", corpus=folder, out=out)
        results["cli_rerun"] = bench.measure("cli", "cli-pdfs-rerun", corpus=folder, out=out)
        results["cli_server"] = measure_with_server(bench, work / "prefect-server", folder)
        for workers in (1, 2):
            results[f"cli_{workers}_workers"] = bench.measure(
                "cli", f"cli-pdfs-{workers}-workers", corpus=folder, out=bench.output(f"{workers}-workers"),
                workers=workers,
            )
        sample = work / "sample"
        corpus.replicate(SAMPLE, sample, 1)
        out = bench.output("sample")
        results["sample_documents"] = len(corpus.report_files(sample))
        results["sample_cli"] = bench.measure("cli", "cli-sample", corpus=sample, out=out)
        results["sample_cli_rerun"] = bench.measure("cli", "cli-sample-rerun", corpus=sample, out=out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        results["failures"] = bench.failures
        bench.raw.with_suffix(".json").write_text(json.dumps(results, indent=2))
    update_readme(args.readme, render(results))
    print(render(results))
    if bench.failures:
        sys.exit(f"{len(bench.failures)} measurement(s) failed; see {bench.raw}")


def measure_with_server(bench: Benchmark, home: Path, folder: Path) -> dict:
    """``workreview run`` against a long-lived Prefect server (started before, as schedules need one), its CPU
    during the run added to the command's: what a run costs without the embedded server's start."""
    from flows.serve import local_prefect_server

    with local_prefect_server(home) as api_url:
        port = api_url.split(":")[2].split("/")[0]
        server = [
            process
            for process in psutil.process_iter(["cmdline"])
            if "server" in (process.info["cmdline"] or []) and port in (process.info["cmdline"] or [])
        ]
        before = sum(_cpu(process) for process in server)
        entry = bench.measure(
            "cli", "cli-pdfs-server", env={"PREFECT_API_URL": api_url}, corpus=folder, out=bench.output("server")
        )
        if "error" not in entry:
            entry["server_cpu"] = sum(_cpu(process) for process in server) - before
            entry["cpu"] += entry["server_cpu"]
    return entry


def _cpu(process: psutil.Process) -> float:
    """CPU seconds of a process and its children so far."""
    try:
        return sum(sum(member.cpu_times()[:2]) for member in (process, *process.children(recursive=True)))
    except psutil.Error:
        return 0.0


def render(results: dict) -> str:
    pages = results["pages"]
    base = results["extract_text"]

    def row(name: str, entry: dict, what: str) -> str:
        if "error" in entry:
            return f"| {name} | failed: {entry['error']} | | | | | | |"
        wall, cpu = entry["wall"], entry["cpu"]
        by_wall = base["wall"] / wall if "wall" in base else float("nan")
        by_cpu = base["cpu"] / cpu if "cpu" in base else float("nan")
        load = entry.get("process", {}).get("load_average_before")
        load_text = "" if load is None else f"{load:.1f}"
        return (
            f"| {name} | {what} | {wall:.1f} | {cpu:.1f} | {pages / wall:.0f} | {by_wall:.1f}× | {by_cpu:.1f}× "
            f"| {load_text} |"
        )

    cores = results["machine"]["cores"]
    loads = [
        entry["process"]["load_average_before"]
        for entry in results.values()
        if isinstance(entry, dict) and "load_average_before" in entry.get("process", {})
    ]
    busy_note = (
        f": the machine was busy with other work (load up to {max(loads):.1f}), so wall times are longer than on an "
        "idle machine and CPU times are the steadier comparison"
        if loads and max(loads) > cores * 0.75
        else ""
    )
    packages = ", ".join(f"{name} {version}" for name, version in results["machine"]["packages"].items())
    lines = [
        f"Measured {results['started']} – {results['finished']} with `{results['command']}` on "
        f"{results['machine']['cores']} cores ({results['machine']['cpu']}), Python {results['machine']['python']}; "
        f"{packages}; statement model: {results['model']}.",
        "",
        f"{results['pdfs']} PDFs, {pages} pages (the sample's PDFs copied), the same files for every row.",
        "",
        "| Measurement | What | Wall s | CPU s | Pages/s | × faster than `extract_text`: wall | : CPU | Load |",
        "|---|---|---|---|---|---|---|---|",
        row("pdfplumber `extract_text`", base, "plain text of every page, nothing else"),
        row("old reader", results["old_reader"], "`partition_pdf(source=\"pdfplumber\")`: words, tables, layout"),
        row("new reader", results["new_reader"], "`partition_pdf()` on pdfium: the same layout steps"),
        row("new read stage", results["read_stage"], "the pipeline's read stage: the new reader in its reader process"),
        row(
            "`workreview run`",
            results["cli"],
            "end to end: Python and Prefect start-up, every stage, exports"
            + _workers_used(results["cli"], " (default: {} worker(s), one per idle core)"),
        ),
        row("`workreview run` again", results["cli_rerun"], "nothing changed"),
        *(
            [
                row(
                    "`workreview run`, long-lived server",
                    results["cli_server"],
                    "end to end against `prefect server start` (`PREFECT_API_URL`) started before; CPU includes the "
                    f"server's during the run ({results['cli_server'].get('server_cpu', float('nan')):.1f} s)",
                )
            ]
            if "cli_server" in results
            else []
        ),
        *(
            row(f"`workreview run --workers {workers}`", results[key], f"end to end, {workers} worker process(es)")
            for workers in (1, 2)
            if (key := f"cli_{workers}_workers") in results
        ),
        "",
        f"Sample corpus ({results['sample_documents']} reports): first `workreview run` "
        f"{_wall(results['sample_cli'])} s, unchanged re-run {_wall(results['sample_cli_rerun'])} s "
        f"({_ratio(results['sample_cli'], results['sample_cli_rerun'])} faster).",
        "",
        "*CPU s* counts the measured process and its children (the worker and reader processes, Prefect's server); "
        "CPU below wall means the measurement waited for a core other work held, above it that several processes "
        f"worked at once. *Load*: the 1-minute load average when the measurement began, on {cores} cores"
        f"{busy_note}.",
    ]
    return "\n".join(lines)


def _workers_used(entry: dict, template: str) -> str:
    """How many workers the command said it used (its last line: ``… with N workers.``)."""
    found = re.search(r"with (\d+) worker", entry.get("summary", ""))
    return template.format(found.group(1)) if found else ""


def _wall(entry: dict) -> str:
    return "failed" if "error" in entry else f"{entry['wall']:.1f}"


def _ratio(first: dict, second: dict) -> str:
    if "error" in first or "error" in second:
        return "?×"
    return f"{first['wall'] / second['wall']:.0f}×"


def update_readme(readme: Path, body: str) -> None:
    replace_section(readme, BEGIN, END, body, heading="## PDFs at pdfium speed (issue 14)\n\n")


if __name__ == "__main__":
    main()
