"""`make bench`: the portal's pages measured on PostgreSQL at seed scale and at large scale.

For each scale, in benchmark databases of its own (created, migrated and filled when needed):
in-process server time, queries and HTML size of every public page with the page cache off and
on, and the admin's changelists (bench/measure.py); then requests per second under gunicorn
with wrk on 127.0.0.1 and the workers' memory (bench/serve.py). Targets are checked next to
every figure (bench/report.py). Writes bench/results/latest.json and latest.md; exits 0 even
when targets are missed (it measures; it does not test). Options and environment: bench/README.md.
"""

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import redis

from . import config, databases, report, serve
from .config import CACHE_URL, PAGES, PYTHON, RESULTS_DIR, ROOT, SEED_DB, SIZES, Scale, env_int


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        choices=SIZES,
        default=os.environ.get("BENCH_SCALE") or "large",
        help="the synthetic scale's size (env BENCH_SCALE; small: 2,000 departments)",
    )
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES") or "seed,large",
        help="which scales to measure: seed, large or both (env BENCH_SCALES)",
    )
    for key in ("departments", "hospitals", "cities", "trials", "seed"):
        default = env_int(f"BENCH_{key.upper()}", None)
        parser.add_argument(f"--{key}", type=int, default=default, help="generator option")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        default=bool(os.environ.get("BENCH_REBUILD")),
        help="drop and regenerate the large database even if it matches (env BENCH_REBUILD)",
    )
    parser.add_argument(
        "--template",
        default=os.environ.get("BENCH_LARGE_TEMPLATE", ""),
        help="copy this database (e.g. portal_large) instead of generating, if it matches",
    )
    parser.add_argument(
        "--wrk-seconds",
        type=int,
        default=env_int("BENCH_SECONDS", 3),
        help="wrk duration per page; 0 skips gunicorn and wrk (env BENCH_SECONDS)",
    )
    return parser.parse_args()


def synthetic_scale(args):
    overrides = {
        key: getattr(args, key)
        for key in ("departments", "hospitals", "cities", "trials", "seed")
        if getattr(args, key) is not None
    }
    size = dataclasses.replace(SIZES[args.size], **overrides)
    return Scale(args.size, f"portal_bench_{args.size}", size, template=args.template)


def prepare(args):
    """Every database the run needs, ready; returns the scales to measure."""
    print(f"Preparing {SEED_DB}", flush=True)
    seed_counts = databases.ensure_seed(SEED_DB)
    wanted = {name.strip() for name in args.scales.split(",")}
    scales = [Scale("seed", SEED_DB)] if "seed" in wanted else []
    if wanted - {"seed"}:
        scale = synthetic_scale(args)
        print(f"Preparing {scale.database}", flush=True)
        databases.ensure_large(scale, SEED_DB, seed_counts, rebuild=args.rebuild)
        scales.append(scale)
    return scales


def measure_in_process(scale):
    """Run bench/measure.py on the scale's database; return its figures."""
    env = databases.django_env(scale.database, CACHE_URL=CACHE_URL)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [PYTHON, "-m", "bench.measure", out.name]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return json.loads(Path(out.name).read_text())


def measure_scale(scale, wrk_seconds):
    print(f"\nMeasuring {scale.name} ({scale.database})", flush=True)
    redis.Redis.from_url(CACHE_URL).flushdb()  # no page or vocabulary from another database
    result = {
        "name": scale.name,
        "database": scale.database,
        "counts": databases.counts(scale.database),
        "size_requested": dataclasses.asdict(scale.size) if scale.size else None,
        **measure_in_process(scale),
    }
    if wrk_seconds:
        print(f"  gunicorn + wrk, {wrk_seconds} s per page, page cache on then off", flush=True)
        urls = [page["url"] for page in result["pages"]]
        served = serve.serve_and_measure(scale.database, CACHE_URL, urls, wrk_seconds)
        for page in result["pages"]:
            page["wrk"] = {run: served[run][page["url"]] for run in ("warm", "cold")}
        result["worker_rss_mib"] = served["worker_rss_mib"]
    return result


def main():
    args = parse_args()
    load_at_start = report.load_average()
    if args.wrk_seconds:
        serve.require_wrk()
    scales = prepare(args)
    if args.wrk_seconds:
        serve.collectstatic(SEED_DB)
    measured = [measure_scale(scale, args.wrk_seconds) for scale in scales]
    failures = report.evaluate(measured)
    result = {
        "machine": report.machine(databases.server_version(), load_at_start),
        "settings": {
            "repeats": config.REPEATS,
            "admin_repeats": config.ADMIN_REPEATS,
            "page_budget_s": config.PAGE_BUDGET_S,
            "wrk_seconds": args.wrk_seconds,
            "pages": [dataclasses.asdict(page) for page in PAGES],
        },
        "scales": measured,
        "failures": failures,
    }
    print("\n" + report.write(result, RESULTS_DIR))
    print(f"Written: {RESULTS_DIR / 'latest.json'}, {RESULTS_DIR / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
