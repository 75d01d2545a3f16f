"""The benchmark report: page | dataset | database | median ms | queries | rows | target | met?

Printed at the end of `make bench` and written to .bench/report.md. `make test` never collects
the bench_*.py files, so nothing here runs there (the hook finds no results and stays silent).
"""
import datetime as dt
import itertools
import os
import subprocess
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[2] / ".bench" / "report.md"
RESULTS = pytest.StashKey[list]()
DATASETS = ("50", "5000", "5000+1M")
DATABASES = ("sqlite", "postgresql")
MAX_QUERIES = 10
RATIO_TARGET = 2.0
RATIO_PAGES = ("/admin/groups/", "minimal groups page")
RATIO = "groups list ÷ minimal page"  # timed in turn (bench_pages.test_groups_list_against_minimal_page)


@pytest.fixture
def record(request, benchmark):
    """record(site, page, queries=, rows=, target_ms=, target_at=datasets, page=True): one line of
    the report, the time judged on the datasets of target_at (default: all);
    record(site, RATIO, ratio=(page ms, floor ms)) for the ratio timed in turn."""

    def add(site, name, *, queries=None, rows=None, target_ms=None, target_at=DATASETS, page=False,
            ratio=None):
        stats = benchmark.stats  # None with --benchmark-disable or when the test timed by itself
        request.config.stash.setdefault(RESULTS, []).append({
            "page": name, "dataset": site.dataset, "database": site.backend,
            "median_ms": stats.stats.median * 1000 if stats else None,
            "queries": queries, "rows": rows, "target_ms": target_ms, "target_at": target_at,
            "is_page": page, "ratio": ratio,
        })

    return add


def _verdict(result, query_counts):
    """(target text, met text) of one result; `query_counts` are the page's counts on all datasets."""
    targets, misses = [], []
    if result["target_ms"] is not None and result["dataset"] not in result["target_at"]:
        targets.append(f"time: none at this size (≤ {result['target_ms']} ms at "
                       f"{' and '.join(result['target_at'])})")
    elif result["target_ms"] is not None:
        targets.append(f"≤ {result['target_ms']} ms")
        if result["median_ms"] is not None and result["median_ms"] > result["target_ms"]:
            misses.append("time")
    notes = []
    if result["is_page"]:
        targets.append(f"≤ {MAX_QUERIES} queries, not growing with size")
        if result["queries"] > MAX_QUERIES:
            misses.append(f"> {MAX_QUERIES} queries")
        counts = "/".join(map(str, query_counts))
        if any(later > earlier for earlier, later in itertools.pairwise(query_counts)):
            misses.append(f"queries grow with data ({counts})")
        elif len(set(query_counts)) > 1:  # the group filter skips its count beyond 300 groups
            notes.append(f"fewer at scale ({counts})")
    if not targets:
        return "—", "—"
    if result["is_page"] and result["rows"] == 0:
        return ", ".join(targets), "n/a: empty table"
    return ", ".join(targets), ("no: " + ", ".join(misses)) if misses else ", ".join(["yes", *notes])


def _ratio_lines(results):
    """The judged ratio (both pages timed in turn), then the ratio of the separate medians."""
    by_key = {(r["page"], r["dataset"], r["database"]): r for r in results}
    lines = []
    for dataset in DATASETS:
        for database in DATABASES:
            timed = by_key.get((RATIO, dataset, database))
            if timed:
                page_ms, floor_ms = timed["ratio"]
                ratio = page_ms / floor_ms
                met = "yes" if ratio <= RATIO_TARGET else "no"
                lines.append(f"| {RATIO}, in turn ({page_ms:.1f} ÷ {floor_ms:.1f} ms) | {dataset} | "
                             f"{database} | {ratio:.2f}x | | | ≤ {RATIO_TARGET:g}x | {met} |")
            page, floor = (by_key.get((name, dataset, database)) for name in RATIO_PAGES)
            if page and floor and page["median_ms"] and floor["median_ms"]:
                lines.append(f"| {RATIO}, separate runs (for information) | {dataset} | {database} | "
                             f"{page['median_ms'] / floor['median_ms']:.2f}x | | | — | — |")
    return lines


def _revision():
    """The commit measured, "-dirty" when the working tree had uncommitted changes."""
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPORT.parents[1],
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def report_lines(results):
    """The report as Markdown lines, sorted by page, then dataset, then database."""
    pages = list(dict.fromkeys(r["page"] for r in results))
    results = sorted(results, key=lambda r: (pages.index(r["page"]), DATASETS.index(r["dataset"]),
                                             DATABASES.index(r["database"])))
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"# Benchmarks ({dt.datetime.now():%Y-%m-%d %H:%M}, code {_revision()})", "",
             "Median server time of a Flask test-client request (or of the function call), SQL "
             "statements it ran, rows shown; a time target holds at every size unless its line "
             "says otherwise.",
             f"Load average at the end (1/5/15 min): {load} on {os.cpu_count()} CPUs (more than the "
             "CPUs: other processes competed, times are inflated).", "",
             "| page | dataset | database | median ms | queries | rows | target | met? |",
             "|---|---|---|---:|---:|---:|---|---|"]
    for r in results:
        if r["ratio"]:
            continue  # in the ratio lines
        counts = [x["queries"] for d in DATASETS for x in results
                  if x["page"] == r["page"] and x["database"] == r["database"] and x["dataset"] == d]
        target, met = _verdict(r, counts)
        median = "—" if r["median_ms"] is None else f"{r['median_ms']:.1f}"
        queries = "" if r["queries"] is None else r["queries"]
        rows = "" if r["rows"] is None else r["rows"]
        lines.append(f"| {r['page']} | {r['dataset']} | {r['database']} | {median} | {queries} | "
                     f"{rows} | {target} | {met} |")
    return lines + _ratio_lines(results)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(RESULTS, None)
    if not results:
        return
    lines = report_lines(results)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    terminalreporter.write_sep("=", f"benchmark report (also in {REPORT})")
    for line in lines:
        terminalreporter.write_line(line)
