"""Targets checked against the figures, and the report: markdown tables and JSON."""

import datetime
import json
import os
import platform
import re
import subprocess
from dataclasses import asdict
from pathlib import Path

from .config import BASELINE, ROOT, TARGETS

T = TARGETS


# -- targets ---------------------------------------------------------------------------------------
def verdict(value, limit, at_least=False):
    ok = value is not None and (value >= limit if at_least else value <= limit)
    return {"value": value, "limit": limit, "pass": ok}


def page_checks(page):
    checks = {
        "status": {
            "value": page["cold"]["status"],
            "limit": 200,
            "pass": page["cold"]["status"] == page["warm"]["status"] == 200,
        },
        "cold_median_ms": verdict(page["cold"]["median_ms"], T.cold_median_ms),
        "html_bytes": verdict(page["cold"]["bytes"], T.html_bytes),
    }
    if page.get("growth") is not None:
        checks["growth"] = verdict(page["growth"], T.growth)
    if "wrk" in page:
        checks["warm_rps_ratio"] = verdict(page["wrk"]["warm"]["ratio"], T.warm_rps_ratio, True)
    return checks


def add_growth(scales):
    """Growth of every page of a synthetic scale: its cold median over the seed page's."""
    seed = next((s for s in scales if s["name"] == "seed"), None)
    if seed is None:
        return
    seed_medians = {p["name"]: p["cold"]["median_ms"] for p in seed["pages"]}
    for scale in scales:
        if scale is seed:
            continue
        for page in scale["pages"]:
            base = seed_medians.get(page["growth_of"])
            page["growth"] = round(page["cold"]["median_ms"] / base, 2) if base else None


def evaluate(scales):
    """Add growth and PASS/FAIL checks to every figure that has a target; return the failures."""
    add_growth(scales)
    failures = []
    for scale in scales:
        for item in scale["pages"]:
            item["checks"] = page_checks(item)
        for item in scale["admin"]:
            item["checks"] = {
                "status": {"value": item["status"], "limit": 200, "pass": item["status"] == 200},
                "admin_median_ms": verdict(item["median_ms"], T.admin_median_ms),
            }
        rss = scale.get("worker_rss_mib", [])
        scale["checks"] = {
            f"worker {i + 1} rss_mib": verdict(v, T.worker_rss_mib) for i, v in enumerate(rss)
        }
        failures += scale_failures(scale)
    return failures


def scale_failures(scale):
    found = [
        f"{scale['name']}: {metric} = {c['value']} (target ≤ {c['limit']})"
        for metric, c in scale["checks"].items()
        if not c["pass"]
    ]
    for item in [*scale["pages"], *scale["admin"]]:
        found += [
            f"{scale['name']}: {item['name']} {item['url']}: {metric} = {c['value']}"
            f" (target {'≥' if metric.endswith('ratio') else '≤'} {c['limit']})"
            for metric, c in item["checks"].items()
            if not c["pass"]
        ]
    return found


# -- tables ----------------------------------------------------------------------------------------
def mark(checks, metric, text):
    if metric not in checks:
        return text
    return f"{text} {'PASS' if checks[metric]['pass'] else 'FAIL'}"


def markdown_table(headers, rows):
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def rps_cell(figures, checks=None, metric=""):
    if figures is None:
        return "–"
    text = f"{figures['rps']:.0f} ({figures['ratio']:.2f}×)"
    if figures["non_2xx"] or figures["socket_errors"]:
        text += f" [{figures['non_2xx']} non-2xx, {figures['socket_errors']} errors]"
    return mark(checks or {}, metric, text)


def page_row(page):
    checks, cold, warm, wrk = page["checks"], page["cold"], page["warm"], page.get("wrk", {})
    name = page["name"] if checks["status"]["pass"] else f"{page['name']} (HTTP {cold['status']})"
    growth = page.get("growth")
    return [
        f"{name} `{page['url']}`",
        mark(checks, "cold_median_ms", f"{cold['median_ms']:.1f}"),
        f"{cold['p99_ms']:.1f}",
        cold["queries"],
        f"{warm['median_ms']:.2f}",
        f"{warm['p99_ms']:.2f}",
        f"{warm['queries']} ({warm['cache']})",
        mark(checks, "html_bytes", f"{cold['bytes'] / 1000:.1f}"),
        rps_cell(wrk.get("warm"), checks, "warm_rps_ratio"),
        rps_cell(wrk.get("cold")),
        "–" if growth is None else mark(checks, "growth", f"{growth:.2f}×"),
    ]


PAGE_HEADERS = [
    "page",
    f"cold median ms (≤{T.cold_median_ms})",
    "cold p99 ms",
    "queries",
    "warm median ms",
    "warm p99 ms",
    "warm queries (page cache)",
    f"HTML KB (≤{T.html_bytes // 1000})",
    f"warm req/s (×{BASELINE}, ≥{T.warm_rps_ratio})",
    f"cold req/s (×{BASELINE})",
    f"growth vs seed (≤{T.growth}×)",
]
ADMIN_HEADERS = ["admin page", f"median ms (≤{T.admin_median_ms:.0f})", "p99 ms", "queries"]


def admin_row(item):
    name = item["name"] if item["status"] == 200 else f"{item['name']} (HTTP {item['status']})"
    return [
        f"{name} `{item['url']}`",
        mark(item["checks"], "admin_median_ms", f"{item['median_ms']:.1f}"),
        f"{item['p99_ms']:.1f}",
        item["queries"],
    ]


def scale_markdown(scale):
    counts = ", ".join(f"{n:,} {key}" for key, n in scale["counts"].items())
    parts = [f"## {scale['name']} — database `{scale['database']}` ({counts})", ""]
    parts += [markdown_table(PAGE_HEADERS, [page_row(p) for p in scale["pages"]]), ""]
    rss = [
        mark(scale["checks"], f"worker {i + 1} rss_mib", f"{v:.1f}")
        for i, v in enumerate(scale.get("worker_rss_mib", []))
    ]
    if rss:
        parts += [
            f"gunicorn worker RSS MiB after serving every page cold "
            f"(≤{T.worker_rss_mib}): {', '.join(rss)}",
            "",
        ]
    parts += [markdown_table(ADMIN_HEADERS, [admin_row(a) for a in scale["admin"]]), ""]
    return "\n".join(parts)


def machine_markdown(machine):
    return "\n".join(f"- {key}: {value}" for key, value in machine.items())


def render(result):
    parts = ["# Oncology Portal benchmark", "", machine_markdown(result["machine"]), "", LEGEND, ""]
    parts += [scale_markdown(scale) for scale in result["scales"]]
    failures = result["failures"]
    parts += [f"## Targets missed: {len(failures)}", ""]
    parts += [f"- {f}" for f in failures] or ["None."]
    return "\n".join(parts) + "\n"


LEGEND = (
    "Server time: in-process (Django test Client, debug off, PostgreSQL), median and p99 "
    "(nearest rank) of the timed requests after one warm-up; queries and HTML size are those "
    "of the warm-up request. Cold: page cache off. Warm: page cache on (Redis); the warm "
    "queries column says whether the page was a page-cache hit. req/s: gunicorn, 2 workers, "
    "wrk on 127.0.0.1, ratio to /robots.txt served by the same server in the same run; warm "
    "= page cache on, cold = off. Growth: cold median at this scale over the seed page's "
    "(a synthetic department or hospital against the seed department or hospital page)."
)


# -- machine and files -----------------------------------------------------------------------------
def cpu_model():
    text = Path("/proc/cpuinfo").read_text()
    found = re.search(r"model name\s*:\s*(.+)", text)
    return found.group(1).strip() if found else platform.processor()


def memory_gib():
    kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return round(kib / 1024 / 1024, 1)


def git_revision():
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def load_average():
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def machine(postgres_version, load_at_start):
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gib": memory_gib(),
        "cpu": cpu_model(),
        "postgresql": postgres_version,
        "python": platform.python_version(),
        "git": git_revision(),
        "load average (1/5/15 min) at start": load_at_start,
        "load average at end": load_average(),
    }


def write(result, directory):
    directory.mkdir(parents=True, exist_ok=True)
    result = {**result, "targets": asdict(T)}
    (directory / "latest.json").write_text(json.dumps(result, indent=1) + "\n")
    markdown = render(result)
    (directory / "latest.md").write_text(markdown)
    return markdown
