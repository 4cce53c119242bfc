#!/usr/bin/env bash
# One family trained on the Google-style emoji (bench/emoji-data.sh's google-train.tsv) with the budget shared by
# bench/masking-emoji.sh and bench/emoji-families.sh, into OUT/runs/PRESET; skipped when OUT/runs/PRESET/model
# exists (the two scripts share their trained models when given the same OUT, STEPS, BATCH and LR).
#
# Usage: bash bench/emoji-train.sh OUT PRESET [extra vlm4j train flags]   (STEPS BATCH LR THREADS from the caller)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$1; PRESET=$2; shift 2
STEPS=${STEPS:-200}; BATCH=${BATCH:-64}; LR=${LR:-2e-3}; THREADS=${THREADS:-1}; DATA=${DATA:-$OUT/google-train.tsv}
run="$OUT/runs/$PRESET"
if [ -f "$run/model/config.json" ] && [ -f "$run/train.json" ]; then
  echo "[emoji-train] $PRESET: already trained in $run" >&2; exit 0
fi
echo "[emoji-train] $PRESET: $STEPS steps of $BATCH, lr $LR, $THREADS thread(s)" >&2
rm -rf "$run"; mkdir -p "$run"
start=$(date +%s)
VLM4J_THREADS=$THREADS "${VLM4J:-$root/vlm4j}" train --model "$PRESET" --data "$DATA" --out "$run" --steps "$STEPS" \
  --batch-size "$BATCH" --lr "$LR" --weight-decay 0.1 --vocab-size 4000 "$@" --json > "$run/train.part.json"
echo "$(( $(date +%s) - start ))" > "$run/seconds"
mv "$run/train.part.json" "$run/train.json"
