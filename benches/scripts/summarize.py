#!/usr/bin/env python3
"""Prints Markdown tables from criterion's output of the dbops benchmarks.

usage: benches/scripts/summarize.py [CRITERION_DIR]   (default: $CRITERION_HOME or target/criterion)

For every pair of variants measured together (raw/typed, typed/dynamic, typed/dynamic_value,
module_pool/sqlx_defaults, distinct_10/distinct_1000, sqlx_pool/<driver>) it
prints p10, median and p90 of criterion's per-sample means, criterion's 95%
interval of each median, the throughput ratio (baseline median / candidate
median) with a 95% bootstrap interval over criterion's samples, and the
difference of the medians. For the lookup and start-up groups it prints each
case and its ratio to the 10-operation case.
"""

import json
import os
import random
import statistics
import sys
from pathlib import Path

PAIRS = [
    ("raw", "typed"),
    ("typed", "dynamic"),
    ("typed", "dynamic_value"),
    ("module_pool", "sqlx_defaults"),
    ("distinct_10", "distinct_1000"),
    ("sqlx_pool", "rusqlite"),
    ("sqlx_pool", "tokio_postgres"),
    ("sqlx_pool", "sqlx_connection"),
]


def load(directory):
    benches = {}
    for meta_path in Path(directory).rglob("new/benchmark.json"):
        meta = json.loads(meta_path.read_text())
        sample = json.loads((meta_path.parent / "sample.json").read_text())
        estimates = json.loads((meta_path.parent / "estimates.json").read_text())
        means = [t / i for t, i in zip(sample["times"], sample["iters"])]
        key = (meta["group_id"], meta.get("value_str") or "", meta.get("function_id") or "")
        benches[key] = {"means": sorted(means), "median": estimates["median"]}
    return benches


def quantile(sorted_values, fraction):
    index = (len(sorted_values) - 1) * fraction
    low = int(index)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (index - low)


def spread(bench, unit):
    means = bench["means"]
    return "{:.{p}f} / {:.{p}f} / {:.{p}f}".format(
        quantile(means, 0.1) / unit,
        quantile(means, 0.5) / unit,
        quantile(means, 0.9) / unit,
        p=3 if unit == 1 else 2,
    )


def criterion_interval(bench, unit):
    interval = bench["median"]["confidence_interval"]
    return "{:.{p}f}–{:.{p}f}".format(
        interval["lower_bound"] / unit, interval["upper_bound"] / unit, p=3 if unit == 1 else 2
    )


def bootstrap_ratio(baseline, candidate, rounds=2000):
    rng = random.Random(1)
    ratios = []
    for _ in range(rounds):
        b = statistics.median(rng.choices(baseline, k=len(baseline)))
        c = statistics.median(rng.choices(candidate, k=len(candidate)))
        ratios.append(b / c)
    ratios.sort()
    return quantile(ratios, 0.025), quantile(ratios, 0.975)


def pairs_table(benches):
    rows = []
    for (group, case, variant), baseline in sorted(benches.items()):
        for base_name, candidate_name in PAIRS:
            if variant != base_name:
                continue
            candidate = benches.get((group, case, candidate_name))
            if candidate is None:
                continue
            b_med = statistics.median(baseline["means"])
            c_med = statistics.median(candidate["means"])
            low, high = bootstrap_ratio(baseline["means"], candidate["means"])
            rows.append(
                f"| {group} | {case} | {base_name}: {spread(baseline, 1000)} "
                f"| {candidate_name}: {spread(candidate, 1000)} "
                f"| {criterion_interval(baseline, 1000)} / {criterion_interval(candidate, 1000)} "
                f"| **{b_med / c_med:.3f}x** [{low:.3f}, {high:.3f}] "
                f"| {(c_med - b_med) / 1000:+.2f} |"
            )
    if rows:
        print("| group | case | baseline p10 / median / p90 µs | candidate p10 / median / p90 µs "
              "| criterion 95% CI of medians µs (baseline / candidate) "
              "| throughput ratio [95% CI] | candidate − baseline µs |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(rows))


def scale_table(benches, group):
    cases = {k: v for k, v in benches.items() if k[0] == group}
    if not cases:
        return
    print(f"\n| {group} case | size | p10 / median / p90 ns | criterion 95% CI of median ns | ratio to size 10 |")
    print("|---|---:|---|---|---:|")
    for (_, size, variant), bench in sorted(cases.items(), key=lambda item: (item[0][2], int(item[0][1] or 0))):
        base = cases.get((group, "10", variant))
        ratio = ""
        if base is not None:
            ratio = "{:.3f}x".format(statistics.median(bench["means"]) / statistics.median(base["means"]))
        print(f"| {variant} | {size} | {spread(bench, 1)} | {criterion_interval(bench, 1)} | {ratio} |")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CRITERION_HOME", "target/criterion")
    benches = load(directory)
    if not benches:
        sys.exit(f"no criterion results under {directory}")
    pairs_table(benches)
    scale_table(benches, "lookup")
    scale_table(benches, "startup")


if __name__ == "__main__":
    main()
