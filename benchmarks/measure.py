"""One measurement, run by ``run.py`` in a fresh process so its time and memory don't leak into the next.

``python benchmarks/measure.py KIND --corpus DIR [--out DIR] [--workers N] --result FILE`` writes one JSON object
to FILE. Kinds:

- ``library``: every report through ``pipeline.process.process_file`` (per-stage seconds as the pipeline records
  them), then the store stage (``store.save_document`` for each + ``store.export``) timed on its own;
- ``pdfplumber`` / ``pypdfium2``: plain text extraction of every page of the corpus's PDFs, the baselines;
- ``reader``: the PDF reader on the corpus's PDFs (``--source pdfium|pdfplumber``; ``--guarded 1``: as the pipeline's
  read stage does, in its reader process);
- ``cli``: ``workreview run`` end to end, as a user runs it;
- ``prefect-startup``: a trivial flow run twice — the first run pays for starting Prefect's embedded server;
- ``flow``: Prefect's server started by a trivial flow, then ``flows.ingest.run_ingestion`` (run it twice on the
  same output to time an unchanged re-run); the two add up to what ``workreview run`` waits for.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and its children, live or ended (the reader process, Prefect's server…)."""
    me = psutil.Process()
    times = me.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in me.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        total += child_times.user + child_times.system
    return total


class Stopwatch:
    """Wall and CPU seconds of a block; CPU < wall means it waited (I/O, or other load on the machine)."""

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), tree_cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = tree_cpu_seconds() - self._cpu


def pdf_files(corpus: Path) -> list[Path]:
    from corpus import report_files

    return [report.path for report in report_files(corpus) if report.path.suffix.lower() == ".pdf"]


def measure_library(corpus: Path, out: Path) -> dict:
    from corpus import report_files

    from pipeline import store
    from pipeline.nlp import load_pipeline, model_version
    from pipeline.process import prepare_stages, process_file

    with Stopwatch() as load:
        prepare_stages()
        version = model_version(load_pipeline())
    # Per format: documents, pages, words, statements, and the seconds of each stage the pipeline reports.
    formats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    statuses: dict[str, int] = defaultdict(int)
    results = []
    with Stopwatch() as documents:
        for report in report_files(corpus):
            result = process_file(report.path, report.source_file)
            results.append(result)
            document = result.document
            statuses[str(document.status)] += 1
            totals = formats[document.format or "unknown"]
            totals["documents"] += 1
            totals["pages"] += document.pages or 0
            totals["words"] += result.words
            totals["statements"] += len(result.statements)
            for stage, seconds in result.seconds.items():
                totals[f"seconds.{stage}"] += seconds
    with Stopwatch() as stored:
        con = store.connect(out)
        try:
            for result in results:
                store.save_document(con, result)
            store.export(con, out)
        finally:
            con.close()
    return {
        "model_version": version,
        "model_load": {"wall": load.wall, "cpu": load.cpu},
        "documents_total": {"wall": documents.wall, "cpu": documents.cpu},
        "store": {"wall": stored.wall, "cpu": stored.cpu, "statement_rows": sum(len(r.statements) for r in results)},
        "formats": {fmt: dict(totals) for fmt, totals in formats.items()},
        "statuses": dict(statuses),
    }


def measure_pdfplumber(corpus: Path) -> dict:
    import pdfplumber

    pages = words = 0
    with Stopwatch() as clock:
        for path in pdf_files(corpus):
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    words += len((page.extract_text() or "").split())
                    pages += 1
    return {"pdfs": len(pdf_files(corpus)), "pages": pages, "words": words, "wall": clock.wall, "cpu": clock.cpu}


def measure_pypdfium2(corpus: Path) -> dict:
    import pypdfium2 as pdfium

    pages = words = 0
    with Stopwatch() as clock:
        for path in pdf_files(corpus):
            pdf = pdfium.PdfDocument(str(path))
            try:
                for index in range(len(pdf)):
                    page = pdf[index]
                    textpage = page.get_textpage()
                    words += len(textpage.get_text_bounded().split())
                    textpage.close()
                    page.close()
                    pages += 1
            finally:
                pdf.close()
    return {"pdfs": len(pdf_files(corpus)), "pages": pages, "words": words, "wall": clock.wall, "cpu": clock.cpu}


def measure_reader(corpus: Path, source: str, guarded: bool) -> dict:
    """The PDF reader on every PDF: ``partition_pdf`` in this process, or (``guarded``) the pipeline's read stage,
    which reads in a child process under the time limit and sends the document back."""
    from pipeline.guard import ReadLimits, guarded_read
    from pipeline.read import pdf_pdfium, pdf_plumber  # noqa: F401 -- imports are not reading
    from pipeline.read.pdf import partition_pdf

    files = pdf_files(corpus)
    if guarded:
        guarded_read(files[0], files[0].name, ReadLimits())  # start the reader process before the clock
    pages = words = 0
    with Stopwatch() as clock:
        for path in files:
            document = guarded_read(path, path.name, ReadLimits()) if guarded else partition_pdf(path, source)
            pages += document.pages or 0
            words += len(document.text.split())
    return {"pdfs": len(files), "pages": pages, "words": words, "wall": clock.wall, "cpu": clock.cpu}


def measure_cli(corpus: Path, out: Path, workers: int | None = None) -> dict:
    """``workreview run CORPUS --out OUT`` as a user types it: Python's start-up, Prefect's, every stage, exports;
    with ``--workers N`` if given (else the command's default: one worker per idle core)."""
    import subprocess

    command = [str(Path(sys.executable).with_name("workreview")), "run", str(corpus), "--out", str(out)]
    command += ["--workers", str(workers)] if workers else []
    with Stopwatch() as clock:
        finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"workreview run failed ({finished.returncode}): {finished.stderr[-500:]}")
    summary = next((line for line in finished.stdout.splitlines() if line.startswith(("Read ", "Nothing"))), "")
    return {"wall": clock.wall, "cpu": clock.cpu, "summary": summary}


def measure_prefect_startup() -> dict:
    with Stopwatch() as imported:
        from prefect import flow

    @flow(name="benchmark-noop")
    def noop() -> int:
        return 1

    with Stopwatch() as first:
        noop()
    with Stopwatch() as second:
        noop()
    return {
        "import": {"wall": imported.wall, "cpu": imported.cpu},
        "first_flow_run": {"wall": first.wall, "cpu": first.cpu},
        "second_flow_run": {"wall": second.wall, "cpu": second.cpu},
        "startup_wall": first.wall - second.wall,
    }


def measure_flow(corpus: Path, out: Path, workers: int) -> dict:
    """``run_ingestion`` after Prefect's server is up, and the start-up itself timed just before, in this process."""
    with Stopwatch() as imported:
        from prefect import flow

        from flows.ingest import run_ingestion
        from pipeline.nlp import load_pipeline, model_version

    @flow(name="benchmark-start-server")
    def start_server() -> None:
        pass

    with Stopwatch() as startup:
        start_server()
    with Stopwatch() as run:
        report = run_ingestion(str(corpus), str(out), workers=workers)
    return {
        "workers": workers,
        "model_version": model_version(load_pipeline()),
        "import": {"wall": imported.wall, "cpu": imported.cpu},
        "prefect_startup": {"wall": startup.wall, "cpu": startup.cpu},
        "run_ingestion": {"wall": run.wall, "cpu": run.cpu},
        "documents_seen": report.documents_seen,
        "documents_processed": report.documents_processed,
        "documents_skipped": report.documents_skipped,
        "pages": report.pages,
        "statements": report.statements,
        "failures": len(report.failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "kind", choices=["library", "pdfplumber", "pypdfium2", "reader", "cli", "prefect-startup", "flow"]
    )
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workers", type=int, help="flow: worker processes (default 1); cli: --workers if given")
    parser.add_argument("--source", choices=["pdfium", "pdfplumber"], default="pdfium")
    parser.add_argument("--guarded", type=int, default=0, help="1: read as the pipeline does, in its reader process")
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    if args.kind == "library":
        result = measure_library(args.corpus, args.out)
    elif args.kind == "pdfplumber":
        result = measure_pdfplumber(args.corpus)
    elif args.kind == "pypdfium2":
        result = measure_pypdfium2(args.corpus)
    elif args.kind == "reader":
        result = measure_reader(args.corpus, args.source, bool(args.guarded))
    elif args.kind == "cli":
        result = measure_cli(args.corpus, args.out, args.workers)
    elif args.kind == "prefect-startup":
        result = measure_prefect_startup()
    else:
        result = measure_flow(args.corpus, args.out, args.workers or 1)
    args.result.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
