#!/usr/bin/env bash
# Training throughput of FLAVA vs CLIP with the same towers: flava-tiny and clip-tiny share their image tower
# (64 px, conv stem 32-64-128 to 8x8 tokens, 3 layers of width 128) and text tower shape (3 layers of width 128,
# context 32; FLAVA's bidirectional, CLIP's causal); FLAVA adds a 2-layer multimodal encoder and computes all six of
# its terms (MIM, MLM, MMM image + text, ITM, contrastive), so each step runs the image tower twice (plain and
# masked), the text tower three times (plain, ITM rows, masked) and the multimodal encoder twice (ITM rows, MMM).
# Same data (Shapes TSV), same batch, same fitted vocabulary size; ROUNDS interleaved rounds, medians of the
# steady-state images/s (steps after WARM, from metrics.jsonl).
#
# Usage: bash bench/flava-throughput.sh     (ROUNDS=2 STEPS=30 WARM=5 BATCH=32 THREADS=2)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}; STEPS=${STEPS:-30}; WARM=${WARM:-5}; BATCH=${BATCH:-32}; THREADS=${THREADS:-2}
OUT=${OUT:-$root/bench-out/flava-throughput-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
log() { echo "[flava-throughput] $*" >&2; }
"$root/vlm4j" data shapes --out "$OUT/shapes" --count 2000 --json > "$OUT/shapes.json"
steady() { # metrics.jsonl -> images/s over the steps after WARM
  python3 - "$1" "$WARM" "$BATCH" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][int(sys.argv[2]):]
b = int(sys.argv[3])
print(round(b * len(rows) / sum(b / r["imagesPerSecond"] for r in rows), 2))
PYEOF
}
for r in $(seq 1 "$ROUNDS"); do
  for preset in clip-tiny flava-tiny; do
    rm -rf "$OUT/run-$preset"
    VLM4J_THREADS=$THREADS "$root/vlm4j" train --model "$preset" --data "$OUT/shapes/train.tsv" \
      --out "$OUT/run-$preset" --steps "$STEPS" --batch-size "$BATCH" --checkpoint-every 100000 --vocab-size 600 \
      --json > "$OUT/$preset-$r.json"
    v=$(steady "$OUT/run-$preset/metrics.jsonl")
    echo "{\"round\": $r, \"model\": \"$preset\", \"images_per_second\": $v}" | tee -a "$OUT/rounds.jsonl"
  done
done
python3 - "$OUT/rounds.jsonl" <<'PYEOF' | tee "$OUT/summary.json"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {m: statistics.median(r["images_per_second"] for r in rows if r["model"] == m) for m in ("clip-tiny", "flava-tiny")}
print(json.dumps({"clip_tiny_images_per_second": med["clip-tiny"], "flava_tiny_images_per_second": med["flava-tiny"],
                  "flava_over_clip_time": round(med["clip-tiny"] / med["flava-tiny"], 2), "rounds": len(rows) // 2}))
PYEOF
log "results in $OUT"
