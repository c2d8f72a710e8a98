"""Character error rate and seconds per page of the OCR stage on generated scans (issue 14).

    OMP_THREAD_LIMIT=1 .venv/bin/python benchmarks/ocr.py

English and Khmer pages (``tests/scan_fixtures.py``: rendered with Pillow, turned 1°, speckled, JPEG) scanned at
300 and 200 dpi, read by Tesseract (``khm+eng``) with page segmentation 4 (what the reader uses) and 3 (Tesseract's
default). The error rate is the Levenshtein distance over the printed text's length, with whitespace collapsed
(English) or removed (Khmer, which writes no spaces between words and whose spacing OCR cannot know). Seconds are
Tesseract's wall and CPU time per page on one thread. Prints a Markdown table.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from scan_fixtures import KHMER_FONT, LATIN_FONT, character_error_rate, scanned_page  # noqa: E402

from pipeline.read.ocr import OcrSettings, _page_from_tsv, recognise_image  # noqa: E402

ENGLISH = [
    ("Takeo Provincial Administration: Annual Work Review 2020", 14),
    ("1. Achievements", 13),
    ("The province rehabilitated 46 km of laterite roads in Bati and Tram Kak.", 11),
    ("Health centres in four districts received solar power and clean water.", 11),
    ("Commune councils registered 3,450 poor households for ID cards.", 11),
    ("2. Challenges", 13),
    ("Floods in October damaged 12 bridges and delayed school repairs.", 11),
    ("Land disputes between villagers and companies remain unresolved.", 11),
    ("3. Goals for 2021", 13),
    ("Build 20 new classrooms and train 150 teachers by the end of 2021.", 11),
    ("Extend piped water to 2,000 more families in rural communes.", 11),
]
KHMER = [
    ("របាយការណ៍លទ្ធផលការងារ និងទិសដៅឆ្នាំ២០២១", 14),
    ("១. លទ្ធផលការងារ", 13),
    ("រដ្ឋបាលខេត្តបានស្ថាបនាផ្លូវក្រួសក្រហមប្រវែង ៤៦ គីឡូម៉ែត្រ។", 12),
    ("មណ្ឌលសុខភាពចំនួនប្រាំបួនទទួលបានថាមពលពន្លឺព្រះអាទិត្យ។", 12),
    ("ក្រុមប្រឹក្សាឃុំបានចុះបញ្ជីគ្រួសារក្រីក្រចំនួន ៣៤៥០ គ្រួសារ។", 12),
    ("២. បញ្ហាប្រឈម", 13),
    ("ទឹកជំនន់បានធ្វើឱ្យខូចខាតស្ពានចំនួន ១២ ។", 12),
    ("វិវាទដីធ្លីនៅតែមិនទាន់ដោះស្រាយបាន។", 12),
    ("៣. ទិសដៅឆ្នាំ២០២១", 13),
    ("សាងសង់ថ្នាក់រៀនថ្មីចំនួន ២០ និងបណ្តុះបណ្តាលគ្រូ ១៥០ នាក់។", 12),
]


def measure(lines, font, dpi: int, psm: int, pages: int) -> tuple[float, float, float, float]:
    errors, seconds, cpu, confidences = [], [], [], []
    for seed in range(pages):
        image = scanned_page(lines, font, dpi=dpi, seed=seed)
        started, cpu_before = time.perf_counter(), _children_cpu()
        tsv = recognise_image(image, OcrSettings(page_segmentation=psm, dpi=dpi))
        seconds.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
        page = _page_from_tsv(1, tsv, 595, 842, dpi)
        words = [word.text for word in page.content.words]
        if font == KHMER_FONT:
            expected, found = "".join("".join(t for t, _ in lines).split()), "".join(words)
        else:
            expected, found = " ".join(" ".join(t for t, _ in lines).split()), " ".join(words)
        errors.append(character_error_rate(expected, found))
        confidences.append(page.confidence or 0.0)
    return sum(errors) / pages, sum(seconds) / pages, sum(cpu) / pages, sum(confidences) / pages


def _children_cpu() -> float:
    """CPU seconds of the ended child processes (Tesseract): unlike wall time, not stretched by other load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"| script | dpi | psm | CER | s/page (wall) | CPU s/page | mean confidence |  ({pages} pages each)")
    print("|---|---|---|---|---|---|---|")
    for name, lines, font in (("English", ENGLISH, LATIN_FONT), ("Khmer", KHMER, KHMER_FONT)):
        for dpi in (300, 200):
            for psm in (4, 3):
                cer, seconds, cpu, confidence = measure(lines, font, dpi, psm, pages)
                print(f"| {name} | {dpi} | {psm} | {cer:.2%} | {seconds:.2f} | {cpu:.2f} | {confidence:.2f} |")


if __name__ == "__main__":
    main()
