#!/usr/bin/env bash
# Real data nobody here made: emoji images in two styles with their Unicode names. npm emoji-datasource-google and
# emoji-datasource-twitter (MIT package; images Apache-2.0 and CC-BY-4.0), captions and keywords from npm
# emojibase-data (MIT). Trains a tiny CLIP from scratch on the Google style (each image with two captions: its
# name, and its name with its keywords) and reports retrieval (R@1/R@10 both ways) on the Twitter style against the
# names alone, and on the Google images themselves for comparison. Nothing is committed: the packages are
# installed into OUT by npm.
#
# Usage: bash bench/emoji.sh        (STEPS=1500 BATCH=64 LR=2e-3 THREADS=2 PRESET=clip-tiny)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STEPS=${STEPS:-1500}; BATCH=${BATCH:-64}; LR=${LR:-2e-3}; THREADS=${THREADS:-2}; PRESET=${PRESET:-clip-tiny}
OUT=${OUT:-$root/bench-out/emoji-$(date +%Y%m%d-%H%M%S)}
log() { echo "[emoji] $*" >&2; }
bash "$root/bench/emoji-data.sh" "$OUT"
start=$(date +%s)
VLM4J_THREADS=$THREADS "$root/vlm4j" train --model "$PRESET" --data "$OUT/google-train.tsv" --out "$OUT/run" \
  --steps "$STEPS" --batch-size "$BATCH" --lr "$LR" --weight-decay 0.1 --vocab-size 4000 --json > "$OUT/train.json"
train_s=$(( $(date +%s) - start ))
for s in twitter google; do
  "$root/vlm4j" eval retrieval --model "$OUT/run/model" --data "$OUT/$s-names.tsv" --json > "$OUT/retrieval-$s.json"
done
python3 - "$OUT" "$train_s" <<'PYEOF' | tee "$OUT/summary.json"
import json, os, sys
o = sys.argv[1]
t = json.load(open(os.path.join(o, "train.json")))
r = {}
for s in ("twitter", "google"):
    j = json.load(open(os.path.join(o, f"retrieval-{s}.json")))
    r[s] = {k: round(j[k], 4) for k in ("image_to_text_R@1", "image_to_text_R@10", "text_to_image_R@1", "text_to_image_R@10")}
    r[s]["n_images"] = j["n_images"]
print(json.dumps({"test_twitter": r["twitter"], "train_style_google": r["google"], "train_steps": t["steps"],
                  "train_seconds": int(sys.argv[2]), "final_loss": t["final_loss"]}))
PYEOF
log "results in $OUT"
