#!/usr/bin/env bash
# Training throughput of the small CLIP (64 px, patch 8, width 256, 6+6 layers, context 32, batch 64, 2 threads):
#   1. vlm4j: `vlm4j train --model clip-small --tokenizer clip` (CLIP's 49,408-token vocabulary, as the reference) on Shapes tar shards, end to end (data pipeline running beside it);
#      steady state = images / time of the steps after the first WARM (metrics.jsonl times each step, data wait
#      included);
#   2. the same model, loss and optimiser in plain PyTorch (Debian python3-torch, bench/pytorch_clip_train.py) on
#      synthetic tensors (no data loading at all), same warm-up rule;
#   3. the data pipeline alone (BatchLoader from the same kind of shards, decode + resize on 2 workers).
# Prints one JSON line per measurement and the ratios. Interleaves ROUNDS rounds, medians over rounds.
#
# Usage: bash bench/train-throughput.sh     (ROUNDS=2 STEPS=40 WARM=5 THREADS=2)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}; STEPS=${STEPS:-40}; WARM=${WARM:-5}; THREADS=${THREADS:-2}
OUT=${OUT:-$root/bench-out/train-throughput-$(date +%Y%m%d-%H%M%S)}
PY=/usr/bin/python3
mkdir -p "$OUT"
log() { echo "[train-throughput] $*" >&2; }
"$PY" -c "import torch" 2>/dev/null || { log "needs Debian's python3-torch (apt-get install python3-torch)"; exit 1; }
lib=/usr/lib/x86_64-linux-gnu
# The fastest plain-PyTorch setup measured here (BENCHMARKS.md, image embedding): OpenMP OpenBLAS.
TORCH_ENV=(LD_LIBRARY_PATH=$lib/openblas-openmp OMP_NUM_THREADS=$THREADS)

"$root/vlm4j" data shapes --out "$OUT/shapes" --count 4000 --format tar --shard-size 500 --json > "$OUT/shapes.json"
spec=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['data']['train'])" "$OUT/shapes.json")

steady() { # metrics.jsonl -> images/s over the steps after WARM
  "$PY" - "$1" "$WARM" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][int(sys.argv[2]):]
secs = sum(64 / r["imagesPerSecond"] for r in rows)
print(round(64 * len(rows) / secs, 1))
PYEOF
}

for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/run"
  VLM4J_THREADS=$THREADS "$root/vlm4j" train --model clip-small --data "$spec" --out "$OUT/run" --steps "$STEPS" \
    --batch-size 64 --checkpoint-every 100000 --tokenizer clip --json > "$OUT/vlm4j-$r.json" 2> "$OUT/vlm4j-$r.err"
  v=$(steady "$OUT/run/metrics.jsonl")
  echo "{\"round\": $r, \"who\": \"vlm4j\", \"images_per_second\": $v}" | tee -a "$OUT/results.jsonl"
  env "${TORCH_ENV[@]}" "$PY" "$root/bench/pytorch_clip_train.py" --steps "$STEPS" --skip "$WARM" --threads "$THREADS" \
    > "$OUT/torch-$r.out" 2> "$OUT/torch-$r.err"
  t=$(tail -1 "$OUT/torch-$r.out" | "$PY" -c "import json,sys; print(round(json.load(sys.stdin)['images_per_second'], 1))")
  echo "{\"round\": $r, \"who\": \"pytorch\", \"images_per_second\": $t}" | tee -a "$OUT/results.jsonl"
done
(cd "$root" && mvn -B -q -o -pl core test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.vlm4j.data.DataPipelineBench -Dexec.arguments="$THREADS,10,64,64" > "$OUT/pipeline.out" 2>&1) || true
p=$(grep -o "tar shards: [0-9]* images/s" "$OUT/pipeline.out" | grep -o "[0-9]*" | head -1)
"$PY" - "$OUT/results.jsonl" "${p:-0}" <<'PYEOF' | tee "$OUT/summary.json"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda who: statistics.median(r["images_per_second"] for r in rows if r["who"] == who)
v, t, p = med("vlm4j"), med("pytorch"), float(sys.argv[2])
print(json.dumps({"vlm4j_images_per_second": v, "pytorch_images_per_second": t, "ratio_vlm4j_over_pytorch": round(v / t, 3),
                  "pipeline_images_per_second": p, "pipeline_over_vlm4j_step": round(p / v, 1) if v else None,
                  "rounds": len(rows) // 2}))
PYEOF
log "results in $OUT"
