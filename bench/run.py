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

from . import config, databases, measure, report, serve
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


def measure_in_process(scale, first_round=True):
    """Run bench/measure.py on the scale's database; return its figures."""
    print(f"\nMeasuring {scale.name} ({scale.database}) in-process", flush=True)
    redis.Redis.from_url(CACHE_URL).flushdb()  # no page or vocabulary from another database
    env = databases.django_env(scale.database, CACHE_URL=CACHE_URL)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [PYTHON, "-m", "bench.measure", out.name]
        if not first_round:
            command.append("--no-admin")
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return json.loads(Path(out.name).read_text())


def pooled(rounds):
    """One scale's in-process figures from every round: each page's timed samples pooled (its
    queries and bytes from the first round), the admin from the first round."""
    first = rounds[0]
    for later in rounds[1:]:
        by_url = {page["url"]: page for page in later["pages"]}
        for page in first["pages"]:
            other = by_url.get(page["url"])
            for mode in ("cold", "warm") if other else ():
                samples = page[mode]["samples_ms"] + other[mode]["samples_ms"]
                page[mode].update(measure.summarise(samples))
    return first


def measure_in_rounds(scales):
    """The in-process figures of every scale, the scales alternating round by round."""
    rounds = {scale.name: [] for scale in scales}
    for number in range(config.ROUNDS):
        for scale in scales:
            rounds[scale.name].append(measure_in_process(scale, first_round=number == 0))
    return {name: pooled(results) for name, results in rounds.items()}


def measure_scale(scale, in_process, wrk_seconds):
    result = {
        "name": scale.name,
        "database": scale.database,
        "counts": databases.counts(scale.database),
        "size_requested": dataclasses.asdict(scale.size) if scale.size else None,
        **in_process,
    }
    if wrk_seconds:
        print(f"\nMeasuring {scale.name} ({scale.database}) with gunicorn", flush=True)
        redis.Redis.from_url(CACHE_URL).flushdb()
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
    in_process = measure_in_rounds(scales)
    measured = [measure_scale(s, in_process[s.name], args.wrk_seconds) for s in scales]
    failures = report.evaluate(measured)
    result = {
        "machine": report.machine(databases.server_version(), load_at_start),
        "settings": {
            "repeats": config.REPEATS,
            "rounds": config.ROUNDS,
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
