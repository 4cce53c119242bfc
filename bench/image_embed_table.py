#!/usr/bin/python3
"""Markdown tables from bench/image-embed.sh's results.jsonl (one JSON line per run).

Usage: image_embed_table.py results.jsonl [foreign_max=10]

Each benchmark program times only the iterations during which other processes used at most foreign_max % of the
machine, and says "clean": true when it had at least 3 of them. Medians use a config's clean runs when it has any
(else all its runs, marked "disturbed"). GemmBench runs count as clean when the script's run-level measure of
other processes' share stayed within foreign_max. The vlm4j / PyTorch
throughput ratio is given two ways: the median of the per-round ratios (both runs of a round clean; else all rounds,
marked) and the ratio of the medians. > 1 means vlm4j is faster.
"""
import json
import statistics
import sys

LABELS = {
    "vlm4j": "vlm4j (default: oneMKL shim + malloc tuning)",
    "vlm4j-untuned": "vlm4j, shim + malloc tuning off",
    "pytorch": "plain PyTorch (reference)",
    "vlm4j-passive": "vlm4j default + OMP_WAIT_POLICY=PASSIVE",
    "pytorch-passive": "plain PyTorch + OMP_WAIT_POLICY=PASSIVE",
}


def fmt_runs(values, digits=1):
    return ", ".join(f"{v:.{digits}f}" for v in values)


def main(path, foreign_max):
    recs = [json.loads(line) for line in open(path) if line.strip()]
    machine = next((r for r in recs if r.get("impl") == "machine"), None)
    gemm = [r for r in recs if r.get("impl") == "gemm"]
    runs = [r for r in recs if r.get("impl") in ("vlm4j", "pytorch")]
    clean = lambda r: r["clean"] if "clean" in r else r.get("foreign_pct", 0) <= foreign_max
    if machine:
        print(f"Machine: {machine['cpu']}; {machine['threads']} threads; {machine['rounds']} interleaved rounds of "
              f"{machine['secs']} s of clean iterations per run (clean: other processes used <= {foreign_max:g}% of the "
              f"machine during the iteration).\n")
    presets = list(dict.fromkeys(r["preset"] for r in runs))
    print("| model (batch) | implementation | images/s (median) | ms/batch (median) | vs PyTorch: paired per round, "
          "median (per round) | vs PyTorch: ratio of medians | images/s per run (clean / all iterations) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for preset in presets:
        by = {}
        for r in runs:
            if r["preset"] == preset:
                by.setdefault(r["config"], {})[r["round"]] = r
        med = {}
        note = {}
        for cfg, rs in by.items():
            good = [r for r in rs.values() if clean(r)]
            use = good or list(rs.values())
            note[cfg] = "" if good else " (disturbed)"
            med[cfg] = (statistics.median(r["images_per_s"] for r in use),
                        statistics.median(r["ms_per_batch_median"] for r in use), len(use))
        ref = by.get("pytorch", {})
        for cfg in [c for c in LABELS if c in by] + [c for c in by if c not in LABELS]:
            if cfg not in by:
                continue
            rounds = sorted(by[cfg])
            ips, ms, n = med[cfg]
            batch = by[cfg][rounds[0]]["batch"]
            if cfg != "pytorch" and ref and "pytorch" in med:
                both = [k for k in rounds if k in ref]
                good = [k for k in both if clean(by[cfg][k]) and clean(ref[k])]
                if good:
                    paired = [by[cfg][k]["images_per_s"] / ref[k]["images_per_s"] for k in good]
                    pr = (f"**{statistics.median(paired):.2f}x** ({fmt_runs(paired, 2)}"
                          f"{'' if len(good) == len(both) else f'; {len(good)} of {len(both)} rounds clean'})")
                else:
                    pr = "n/a (no round with both runs clean)"
                rm = f"{ips / med['pytorch'][0]:.2f}x" + (" (disturbed)" if note[cfg] or note["pytorch"] else "")
            else:
                pr, rm = "1", "1"
            per = ", ".join("%.1f (%d/%d)" % (by[cfg][k]["images_per_s"], by[cfg][k]["clean_iterations"],
                                              by[cfg][k]["iterations"]) for k in rounds)
            print(f"| {preset} ({batch}) | {LABELS.get(cfg, cfg)} | {ips:.1f}{note[cfg]} | {ms:.1f} | {pr} | {rm} | {per} |")
    if gemm:
        print()
        print("| GemmBench N=1024 fp32 | GFLOP/s, median of clean runs (median iteration) | runs (foreign CPU %) |")
        print("|---|---:|---|")
        for cfg in dict.fromkeys(g["config"] for g in gemm):
            rs = [g for g in gemm if g["config"] == cfg]
            use = [g for g in rs if clean(g)] or rs
            per = ", ".join("%.1f (%.0f)" % (g["gflops"], g["foreign_pct"]) for g in rs)
            flag = "" if any(clean(g) for g in rs) else " (disturbed)"
            print(f"| {cfg} | {statistics.median(g['gflops'] for g in use):.1f}{flag} | {per} |")
        on = {g["round"]: g for g in gemm if g["config"] == "shim-auto"}
        off = {g["round"]: g for g in gemm if g["config"] == "shim-off"}
        both = [k for k in on if k in off]
        good = [k for k in both if clean(on[k]) and clean(off[k])]
        paired = [on[k]["gflops"] / off[k]["gflops"] for k in (good or both)]
        if paired:
            print(f"\nGEMM shim on / off, paired per round: median {statistics.median(paired):.2f}x ({fmt_runs(paired, 2)}"
                  f"{'' if good else '; disturbed rounds'})")
    engines = {}
    for r in runs:
        engines.setdefault(r["config"], r.get("engine", ""))
    print()
    for cfg, e in engines.items():
        print(f"- {cfg}: {e}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10.0)
