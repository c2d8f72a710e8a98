"""Turn a benchmark's raw results into the Markdown tables of ``benchmarks/README.md``."""

from __future__ import annotations

from pathlib import Path

BEGIN = "<!-- results:begin (written by benchmarks/run.py) -->"
END = "<!-- results:end -->"
STAGE_NOTES = {"extract": "extract (spaCy)", "normalize": "normalize (province, quantities, sectors)"}


def update_readme(readme: Path, results: dict) -> None:
    """Replace the results section of ``readme`` (or append one) with tables of ``results``."""
    replace_section(readme, BEGIN, END, render(results))


def replace_section(readme: Path, begin: str, end: str, body: str, heading: str = "") -> None:
    """Put ``body`` between the ``begin`` and ``end`` markers of ``readme``, or append it (under ``heading``)."""
    section = f"{begin}\n{body}\n{end}"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + heading + section + "\n"
    readme.write_text(text, encoding="utf-8")


def render(results: dict) -> str:
    parts = [_header(results), _stages(results), _baselines(results), _end_to_end(results)]
    parts += [_prefect(results), _workers(results), _rerun(results), _failures(results)]
    return "\n\n".join(part for part in parts if part)


def _ok(*entries: dict | None) -> bool:
    """All these measurements exist and succeeded (a failed one is ``{"error": …}``)."""
    return all(entry is not None and "error" not in entry for entry in entries)


def _rate(amount: float, seconds: float) -> str:
    if seconds <= 0 or not amount:
        return "—"
    rate = amount / seconds
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def _s(seconds: float) -> str:
    return f"{seconds:,.1f}" if seconds >= 1 else f"{seconds:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _header(results: dict) -> str:
    machine = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    models = _models(results)
    lines = [
        f"Measured {results['started']} – {results['finished']} with `{results['command']}`.",
        "",
        f"- Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gb']} GB RAM, "
        f"Python {machine['python']}, {machine['platform']}.",
        f"- Packages: {packages}. Statement model: {', '.join(models) or 'unknown'}"
        + (f" ({results['model']})." if "model" in results else "."),
        "- *CPU/wall* is the measured process's (and its children's) CPU seconds over its wall seconds: below 1.0 "
        "it waited, mostly for other work on the machine, and its rates are that much lower than on an idle machine.",
    ]
    if len(models) > 1:
        lines.append(
            "- **The statement model changed while this ran**, so the sizes are not measured with the same model "
            "(each measurement's `model_version` is in the raw JSON)."
        )
    return "\n".join(lines)


def _models(results: dict) -> list[str]:
    """Every statement model version a measurement of this run reports having used."""
    measurements = [
        entry.get(key) for entry in results.get("sizes", {}).values() for key in ("library", "flow", "flow_rerun")
    ]
    measurements += list((results.get("workers") or {}).get("runs", {}).values())
    measurements += [(results.get("rerun_docs") or {}).get(key) for key in ("first", "rerun")]
    return sorted({m["model_version"] for m in measurements if _ok(m) and "model_version" in m})


def _library_totals(library: dict) -> tuple[dict[str, float], dict[str, float], float, float, float]:
    """Seconds per stage over all documents, over the PDFs only, and the corpus's words, PDF pages, documents."""
    all_seconds: dict[str, float] = {}
    pdf_seconds: dict[str, float] = {}
    for fmt, totals in library["formats"].items():
        for key, value in totals.items():
            if key.startswith("seconds."):
                stage = key.removeprefix("seconds.")
                all_seconds[stage] = all_seconds.get(stage, 0.0) + value
                if fmt == "pdf":
                    pdf_seconds[stage] = pdf_seconds.get(stage, 0.0) + value
    words = sum(totals["words"] for totals in library["formats"].values())
    documents = sum(totals["documents"] for totals in library["formats"].values())
    pdf_pages = library["formats"].get("pdf", {}).get("pages", 0)
    return all_seconds, pdf_seconds, words, pdf_pages, documents


def _stages(results: dict) -> str:
    rows = []
    several_models = len(_models(results)) > 1
    for size, entry in results.get("sizes", {}).items():
        library = entry["library"]
        if not _ok(library):
            continue
        all_seconds, pdf_seconds, words, pdf_pages, documents = _library_totals(library)
        store = library["store"]["wall"]
        process = library["process"]
        store_cpu = library["store"]["cpu"]
        stages = [
            (STAGE_NOTES.get(stage, stage), seconds, pdf_seconds.get(stage, 0.0), None)
            for stage, seconds in all_seconds.items()
        ]
        stages.append(("store (save + export)", store, 0.0, store_cpu))
        stages.append(
            ("**all stages**", sum(all_seconds.values()) + store, 0.0, library["documents_total"]["cpu"] + store_cpu)
        )
        for index, (stage, seconds, on_pdfs, cpu) in enumerate(stages):
            first = index == 0
            rows.append(
                [
                    (f"{size}× ({library['model_version']})" if several_models else f"{size}×") if first else "",
                    f"{documents:,.0f} ({pdf_pages:,.0f} PDF pages, {words:,.0f} words)" if first else "",
                    stage,
                    _s(seconds),
                    "" if cpu is None else _s(cpu),
                    _rate(pdf_pages, on_pdfs),
                    _rate(words, seconds),
                    _rate(documents, seconds),
                    f"{process['cpu'] / process['wall']:.2f}" if first else "",
                    f"{process['peak_process_rss_mb']:,.0f}" if first else "",
                ]
            )
    return (
        "### Library stages (`pipeline.process.process_file`, then `store.save_document` + `store.export`)\n\n"
        + _table(
            [
                "Size",
                "Documents",
                "Stage",
                "Seconds",
                "CPU s",
                "PDF pages/s",
                "Words/s",
                "Documents/s",
                "CPU/wall",
                "Peak RSS MB",
            ],
            rows,
        )
        + (
            "\n\nStage seconds are the per-document `DocumentResult.seconds` summed over the corpus (wall time; "
            "*CPU s*, of the measuring process and its children such as the reader process, exists only for the "
            "store stage and the total); "
            "*PDF pages/s* divides the PDFs' pages by the stage's seconds on the PDFs only (DOCX, TXT and MD have "
            "no pages); *words/s* and *documents/s* are over all documents. The store stage works per statement row, "
            "so it has no per-page rate. What the extract and normalize stages load once per process (the spaCy "
            "pipeline, the place-name matcher, the sector lexicon: `pipeline.process.prepare_stages`) is loaded "
            "before the clock starts "
            + "("
            + ", ".join(
                f"{entry['library']['model_load']['wall']:.1f} s at {size}×"
                for size, entry in results.get("sizes", {}).items()
                if _ok(entry["library"])
            )
            + ")."
        )
    )


def _baselines(results: dict) -> str:
    rows = []
    for size, entry in results.get("sizes", {}).items():
        plumber, pdfium = entry["pdfplumber"], entry["pypdfium2"]
        if not _ok(entry["library"], plumber, pdfium) or not plumber["pages"]:
            continue
        _, pdf_seconds, _, pdf_pages, _ = _library_totals(entry["library"])
        read = pdf_seconds.get("read", 0.0)
        whole = sum(pdf_seconds.values())
        rows.append(
            [
                f"{size}×",
                f"{plumber['pdfs']:,} / {plumber['pages']:,}",
                f"{_s(plumber['wall'])} ({_rate(plumber['pages'], plumber['wall'])} p/s)",
                f"{_s(pdfium['wall'])} ({_rate(pdfium['pages'], pdfium['wall'])} p/s)",
                f"{_s(read)} ({_rate(pdf_pages, read)} p/s)",
                f"{read / plumber['wall']:.1f}× / {read / pdfium['wall']:.0f}×",
                f"{_s(whole)} ({_rate(pdf_pages, whole)} p/s)",
                f"{whole / plumber['wall']:.1f}× / {whole / pdfium['wall']:.0f}×",
            ]
        )
    return "### PDFs: the pipeline against plain text extraction\n\n" + _table(
        [
            "Size",
            "PDFs / pages",
            "pdfplumber `extract_text` s",
            "pypdfium2 `get_text_bounded` s",
            "pipeline read s",
            "read ÷ pdfplumber / ÷ pypdfium2",
            "pipeline read→extract s",
            "read→extract ÷ pdfplumber / ÷ pypdfium2",
        ],
        rows,
    ) + (
        "\n\nSame PDF files, same run, one process each (pypdfium2 alone in its process: pdfium is not thread-safe). "
        "*read→extract* is the sum of every per-document stage on the PDFs; the store stage is not split by format."
    )


def _end_to_end(results: dict) -> str:
    rows, skipped = [], []
    for size, entry in results.get("sizes", {}).items():
        if "flow_skipped" in entry:
            skipped.append(f"{size}× ({entry['flow_skipped']})")
        flow, rerun = entry.get("flow"), entry.get("flow_rerun")
        if not _ok(flow, rerun, entry["library"]):
            continue
        _, _, words, pdf_pages, documents = _library_totals(entry["library"])
        startup, run = _flow_startup(flow, results), flow["run_ingestion"]["wall"]
        rows.append(
            [
                f"{size}×",
                f"{documents:,.0f}",
                _s(startup),
                _s(run),
                _s(startup + run),
                _rate(documents, run),
                _rate(pdf_pages, run),
                _rate(words, run),
                _rerun_cell(rerun, results),
                f"{flow['process']['peak_tree_rss_mb']:,.0f} / {flow['process']['peak_process_rss_mb']:,.0f}",
                f"{flow['process']['cpu'] / flow['process']['wall']:.2f}",
            ]
        )
    text = "### End to end (`flows.ingest.run_ingestion`, workers=1, fresh process)\n\n" + _table(
        [
            "Size",
            "Documents",
            "Prefect start-up s",
            "`run_ingestion` s",
            "Total s",
            "Documents/s",
            "PDF pages/s",
            "Words/s",
            "Unchanged re-run s (start-up + run)",
            "Peak RSS MB (process tree / largest process)",
            "CPU/wall",
        ],
        rows,
    )
    text += (
        "\n\nEach run is a fresh process, as `workreview run` is: it starts Prefect's embedded server (timed with a "
        "trivial flow just before), then calls `run_ingestion`; *Total* is what the command waits for. Rates are over "
        "`run_ingestion` alone. The re-run is another fresh process on the same folder and output: every file is "
        "hashed and skipped. The process tree includes the Prefect server and the reader process."
    )
    if skipped:
        text += (
            " Not run end to end (predicted beyond the time budget; library stages above were measured): "
            f"{', '.join(skipped)}."
        )
    return text


def _flow_startup(run: dict, results: dict) -> float:
    """Prefect start-up measured in the run's own process (older results: the separate start-up measurement)."""
    return run["prefect_startup"]["wall"] if "prefect_startup" in run else _startup(results)


def _rerun_cell(rerun: dict, results: dict) -> str:
    """A re-run's time, flagged when it read documents again (then it was not unchanged: the model changed)."""
    startup, run = _flow_startup(rerun, results), rerun["run_ingestion"]["wall"]
    text = f"{_s(startup + run)} ({_s(startup)} + {_s(run)}; {rerun['documents_skipped']:,} skipped"
    if rerun["documents_processed"]:
        return text + f"; **{rerun['documents_processed']:,} read again**: not an unchanged re-run)"
    return text + ")"


def _prefect(results: dict) -> str:
    rows = []
    for name, label in (("cold", "fresh `PREFECT_HOME` (first run ever)"), ("warm", "existing `PREFECT_HOME`")):
        run = results.get("prefect_startup", {}).get(name)
        if not _ok(run):
            continue
        rows.append(
            [
                label,
                _s(run["import"]["wall"]),
                _s(run["first_flow_run"]["wall"]),
                _s(run["second_flow_run"]["wall"]),
                _s(run["startup_wall"]),
                f"{run['process']['peak_tree_rss_mb']:,.0f}",
            ]
        )
    return "### Prefect start-up (a trivial flow run twice in a fresh process)\n\n" + _table(
        [
            "PREFECT_HOME",
            "import prefect s",
            "1st flow run s",
            "2nd flow run s",
            "start-up (1st − 2nd) s",
            "Peak RSS MB (tree)",
        ],
        rows,
    )


def _workers(results: dict) -> str:
    comparison = results.get("workers")
    runs = {count: run for count, run in (comparison or {}).get("runs", {}).items() if _ok(run)}
    if not runs:
        return ""
    base = runs.get("1", next(iter(runs.values())))["run_ingestion"]["wall"]
    rows = [
        [
            workers,
            f"{run['documents_processed']:,}",
            _s(run["run_ingestion"]["wall"]),
            f"{base / run['run_ingestion']['wall']:.2f}×",
            _s(run["process"]["cpu"]),
            f"{run['process']['peak_tree_rss_mb']:,.0f}",
            f"{run['process']['load_average_before']:.1f}",
        ]
        for workers, run in runs.items()
    ]
    return f"### Workers (`run_ingestion(..., workers=N)` at {comparison['size']}×, fresh output each)\n\n" + _table(
        [
            "Workers",
            "Documents",
            "`run_ingestion` s",
            "Speed-up vs 1 worker",
            "CPU s (all processes)",
            "Peak RSS MB (tree)",
            "Load average at start",
        ],
        rows,
    ) + (
        "\n\nPrefect start-up is left out (it is the same for both). On 2 cores the Prefect server, the flow's own "
        "process (storing each batch) and each worker's reader process share the cores with the workers."
    )


def _rerun(results: dict) -> str:
    entry = results.get("rerun_docs")
    if not entry or not _ok(entry["first"], entry["rerun"]):
        return ""
    rows = []
    for label, run in (("first run", entry["first"]), ("re-run, nothing changed", entry["rerun"])):
        startup, seconds = _flow_startup(run, results), run["run_ingestion"]["wall"]
        rows.append(
            [
                label,
                f"{run['documents_processed']:,} ({run['documents_skipped']:,} skipped)",
                _s(startup),
                _s(seconds),
                _s(startup + seconds),
                _s(run["process"]["cpu"]),
            ]
        )
    text = f"### Unchanged re-run at {entry['documents']:,} documents (issue 6)\n\n" + _table(
        ["Run", "Documents read", "Prefect start-up s", "`run_ingestion` s", "Total s", "CPU s (all processes)"], rows
    )
    if entry["rerun"]["documents_processed"]:
        text += (
            "\n\nThe re-run read documents again, so something changed in between (the statement model?): "
            "it is not an unchanged re-run."
        )
    return text


def _startup(results: dict) -> float:
    """Seconds Prefect's embedded server takes to start with an existing ``PREFECT_HOME`` (0 if not measured)."""
    return results.get("prefect_startup", {}).get("warm", {}).get("startup_wall", 0.0)


def _failures(results: dict) -> str:
    failures = results.get("failures") or []
    if not failures:
        return ""
    lines = [f"- `{failure['measurement']}`: {failure['error']}" for failure in failures]
    return "### Failed measurements (left out of the tables above)\n\n" + "\n".join(lines)
