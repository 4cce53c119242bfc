#!/usr/bin/env bash
# The VQ-VAE image tokenizer on Shapes: trains vqvae-tiny (32 px, 8x8 codes of a 128-code codebook) with
# `vlm4j train`, then round-trips the val images (new scenes of seen compositions) and the heldout images
# (compositions never seen in training) through their codes with `vlm4j eval reconstruction`: mean PSNR, the PSNR
# of predicting each image by its own mean colour (the baseline), codebook usage and perplexity; and the training
# throughput (images/s, as `vlm4j train` reports it).
#
# Usage: bash bench/vqvae-shapes.sh   (COUNT=6000 STEPS=2000 BATCH=32 LR=2e-3 SEED=0 THREADS=2; OUT=bench-out/vqvae-*)
# On a machine shared with other jobs use THREADS=1: libtorch's two intra-op threads wait on each other when the
# cores are oversubscribed (measured here at load 11 on 2 cores: 12.8 images/s with 2 threads, 126 with 1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${COUNT:-6000}; STEPS=${STEPS:-2000}; BATCH=${BATCH:-32}; LR=${LR:-2e-3}; SEED=${SEED:-0}; THREADS=${THREADS:-2}
OUT=${OUT:-$root/bench-out/vqvae-$(date +%Y%m%d-%H%M%S)}
log() { echo "[vqvae] $*" >&2; }
mkdir -p "$OUT"
v() { VLM4J_THREADS=$THREADS "$root/vlm4j" "$@"; }
v data shapes --out "$OUT/data" --count "$COUNT" --size 32 --seed "$SEED" --json > "$OUT/data.json"
start=$(date +%s)
v train --model vqvae-tiny --data "$OUT/data/train.tsv" --out "$OUT/run" --steps "$STEPS" --batch-size "$BATCH" \
  --lr "$LR" --weight-decay 0 --seed "$SEED" --json > "$OUT/train.json"
train_s=$(( $(date +%s) - start ))
v eval reconstruction --model "$OUT/run/model" --data "$OUT/data/val.tsv" --json > "$OUT/val.json"
v eval reconstruction --model "$OUT/run/model" --data "$OUT/data/heldout.tsv" --json > "$OUT/heldout.json"
python3 - "$OUT" "$train_s" "$STEPS" "$BATCH" "$THREADS" <<'PYEOF' | tee "$OUT/summary.json"
import json, os, sys
o = sys.argv[1]
t, va, he = (json.load(open(os.path.join(o, f))) for f in ("train.json", "val.json", "heldout.json"))
last = json.loads(open(os.path.join(o, "run", "metrics.jsonl")).read().splitlines()[-1])
r = lambda x: round(x, 2)
print(json.dumps({"steps": t["steps"], "batch": int(sys.argv[4]), "threads": int(sys.argv[5]), "train_seconds": int(sys.argv[2]),
                  "train_images_per_second": round(t["images_per_second"], 1), "final_loss": t["final_loss"],
                  "last_step_metrics": last.get("metrics", {}),
                  **{f"{k}_{m}": r(d[m]) if isinstance(d[m], float) else d[m]
                     for k, d in (("val", va), ("heldout", he))
                     for m in ("n", "psnr", "mean_colour_psnr", "codebook_usage", "perplexity")}}))
PYEOF
log "results in $OUT"
