#!/usr/bin/env bash
# How the plain-PyTorch reference of bench/image-embed.sh was chosen: the same model in Debian's torch under each
# BLAS / dispatch / attention setting available here, interleaved, medians (see BENCHMARKS.md). Not part of the
# headline run.
#
# Usage: bash bench/pytorch-reference-ab.sh            (ROUNDS=2 SECS=8 PRESETS="small:64 vit-b-32:16")
# Variants (NAME=env...; args): the BLAS that libtorch's libblas.so.3 resolves to (LD_LIBRARY_PATH; Debian packages
# libopenblas0-openmp, libopenblas0-pthread, libblis4-openmp), ATen's kernel dispatch (ATEN_CPU_CAPABILITY: Debian's
# torch 1.13 picks AVX2 on this CPU by default), OpenBLAS's core type, and OpenCLIP's nn.MultiheadAttention instead of
# the explicit attention ops.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}; SECS=${SECS:-8}; WARMUP=${WARMUP:-2}; THREADS=${THREADS:-2}
PRESETS=${PRESETS:-"small:64 vit-b-32:16"}
FOREIGN_MAX=${FOREIGN_MAX:-10}; RETRIES=${RETRIES:-1}; QUIET_WAIT=${QUIET_WAIT:-60}; QUIET_BUDGET=${QUIET_BUDGET:-300}
OUT=${OUT:-$root/bench-out/pytorch-reference-$(date +%Y%m%d-%H%M%S)}
PY=/usr/bin/python3
mkdir -p "$OUT"
log() { echo "[pytorch-ref] $*" >&2; }
source "$root/bench/common.sh"
lib=/usr/lib/x86_64-linux-gnu
variants=(
  "openblas-openmp|LD_LIBRARY_PATH=$lib/openblas-openmp|"
  "openblas-openmp+avx512|LD_LIBRARY_PATH=$lib/openblas-openmp ATEN_CPU_CAPABILITY=avx512|"
  "openblas-openmp+mha|LD_LIBRARY_PATH=$lib/openblas-openmp|--attn mha"
  "openblas-openmp+SkylakeX|LD_LIBRARY_PATH=$lib/openblas-openmp OPENBLAS_CORETYPE=SkylakeX|"
  "openblas-pthread|LD_LIBRARY_PATH=$lib/openblas-pthread|"
  "blis-openmp|LD_LIBRARY_PATH=$lib/blis-openmp|"
)
VARIANTS=${VARIANTS:-}
results="$OUT/results.jsonl"; : >"$results"
for pb in $PRESETS; do
  preset=${pb%%:*}; batch=${pb##*:}
  for ((r = 1; r <= ROUNDS; r++)); do
    for v in "${variants[@]}"; do
      IFS='|' read -r name envs args <<<"$v"
      if [ -n "$VARIANTS" ] && [[ " $VARIANTS " != *" $name "* ]]; then continue; fi
      [ -e "$(echo "$envs" | sed -E 's/^LD_LIBRARY_PATH=([^ ]*).*/\1/')/libblas.so.3" ] || { log "skip $name (not installed)"; continue; }
      # shellcheck disable=SC2086
      measure "$preset-r$r-$name" '{' env $envs $PY "$root/bench/pytorch_clip_vision.py" "$preset" "$batch" "$SECS" "$WARMUP" \
        --threads "$THREADS" $args
      echo "$LINE" | $PY -c 'import json,sys; r=json.load(sys.stdin); r.update(variant=sys.argv[1], round=int(sys.argv[2]), foreign_pct=float(sys.argv[3])); print(json.dumps(r))' \
        "$name" "$r" "$FOREIGN" >>"$results"
      log "$preset r$r $name: $(echo "$LINE" | $PY -c 'import json,sys; print(json.load(sys.stdin)["images_per_s"])') img/s, foreign $FOREIGN%"
    done
  done
done
$PY - "$results" "$FOREIGN_MAX" <<'EOF' | tee "$OUT/table.md"
import json, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fmax = float(sys.argv[2])
print("| model (batch) | PyTorch setting | images/s, median of clean runs | vs openblas-openmp, paired | runs (clean / all iterations) |")
print("|---|---|---:|---:|---|")
for preset in dict.fromkeys(r["preset"] for r in recs):
    rs = [r for r in recs if r["preset"] == preset]
    base = {r["round"]: r for r in rs if r["variant"] == "openblas-openmp"}
    for v in dict.fromkeys(r["variant"] for r in rs):
        vr = [r for r in rs if r["variant"] == v]
        use = [r for r in vr if r.get("clean", r["foreign_pct"] <= fmax)] or vr
        med = statistics.median(r["images_per_s"] for r in use)
        paired = [r["images_per_s"] / base[r["round"]]["images_per_s"] for r in vr if r["round"] in base]
        per = ", ".join("%.1f (%d/%d)" % (r["images_per_s"], r["clean_iterations"], r["iterations"]) for r in vr)
        print(f"| {preset} ({vr[0]['batch']}) | {v} | {med:.1f} | {statistics.median(paired):.2f}x | {per} |")
EOF
