#!/usr/bin/env bash
# CoCa on real data nobody here made (the data of bench/emoji.sh, from bench/emoji-data.sh): coca-tiny trained from
# scratch on the Google-style emoji, each captioned with its Unicode name (emojibase-data), then greedy captions of
# the Twitter-style images of the same emoji (a style never seen in training) and of the Google images themselves,
# scored against the names with corpus BLEU-4 and CIDEr-D (`vlm4j eval captioning`). Nothing is committed.
#
# Usage: bash bench/coca-emoji.sh        (STEPS=1500 BATCH=64 LR=2e-3 THREADS=2 MAX_TOKENS=20)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STEPS=${STEPS:-1500}; BATCH=${BATCH:-64}; LR=${LR:-2e-3}; THREADS=${THREADS:-2}; MAX_TOKENS=${MAX_TOKENS:-20}
OUT=${OUT:-$root/bench-out/coca-emoji-$(date +%Y%m%d-%H%M%S)}
log() { echo "[coca-emoji] $*" >&2; }
bash "$root/bench/emoji-data.sh" "$OUT"
start=$(date +%s)
VLM4J_THREADS=$THREADS "$root/vlm4j" train --model coca-tiny --data "$OUT/google-names.tsv" --out "$OUT/run" \
  --steps "$STEPS" --batch-size "$BATCH" --lr "$LR" --weight-decay 0.1 --vocab-size 4000 --json > "$OUT/train.json"
train_s=$(( $(date +%s) - start ))
for s in twitter google; do
  VLM4J_THREADS=$THREADS "$root/vlm4j" eval captioning --model "$OUT/run/model" --data "$OUT/$s-names.tsv" \
    --max-tokens "$MAX_TOKENS" --examples 10 --json > "$OUT/captioning-$s.json"
done
python3 - "$OUT" "$train_s" <<'PYEOF' | tee "$OUT/summary.json"
import json, os, sys
o = sys.argv[1]
t = json.load(open(os.path.join(o, "train.json")))
r = {}
for s in ("twitter", "google"):
    j = json.load(open(os.path.join(o, f"captioning-{s}.json")))
    r[s] = {k: round(j[k], 4) for k in ("BLEU-1", "BLEU-4", "CIDEr-D")}
    r[s]["n"] = j["n"]
    r[s]["examples"] = [(e["caption"], e["references"][0]) for e in j["examples"][:5]]
print(json.dumps({"test_twitter": r["twitter"], "train_style_google": r["google"], "train_steps": t["steps"],
                  "train_seconds": int(sys.argv[2]), "final_loss": t["final_loss"]}))
PYEOF
log "results in $OUT"
