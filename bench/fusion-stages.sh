#!/usr/bin/env bash
# CM3leon's two stages on Shapes (issue 4): the early-fusion model pretrained with and without retrieval
# augmentation (a clip-tiny as the dense retriever, one retrieved document per sequence), the same steps and batch
# each, then instruction tuning from the retrieval-augmented model. Reports each run's loss (mean of its last 20
# steps; the loss covers the pair's own tokens, not the retrieved document's, so the two are comparable) and, by
# FusionShapesEval, the greedy captions of held-out val images that name their colour and shape, images drawn from
# "a <colour> <shape>" judged by ShapesJudge, zero-shot top-1 by likelihood and, for the instruction-tuned model,
# edit-by-text ("make the circle blue": how often the edited image's dominant colour is the asked one).
#
# Usage: bash bench/fusion-stages.sh  (COUNT=2000 VQ_STEPS=300 CLIP_STEPS=100 STEPS=150 SFT_STEPS=40 BATCH=32
#        COLORS=3 SHAPES=3 GUIDANCE=3 SEED=0 THREADS=1; OUT=bench-out/fusion-stages-*): about 20 minutes of one
#        thread on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${COUNT:-2000}; VQ_STEPS=${VQ_STEPS:-300}; CLIP_STEPS=${CLIP_STEPS:-100}; STEPS=${STEPS:-150}
SFT_STEPS=${SFT_STEPS:-40}; BATCH=${BATCH:-32}; COLORS=${COLORS:-3}; SHAPES=${SHAPES:-3}; GUIDANCE=${GUIDANCE:-3}
SEED=${SEED:-0}; THREADS=${THREADS:-1}
OUT=${OUT:-$root/bench-out/fusion-stages-$(date +%Y%m%d-%H%M%S)}
log() { echo "[fusion-stages] $(date +%H:%M:%S) $*" >&2; }
mkdir -p "$OUT"
v() { VLM4J_THREADS=$THREADS "$root/vlm4j" "$@"; }
evaluate() { # MODEL_DIR TAG: FusionShapesEval (test scope) on the launcher's jar, compiled once below
  VLM4J_THREADS=$THREADS java -Xmx4g -Dai.djl.offline=true \
    -cp "$root/core/target/classes:$root/core/target/test-classes:$root/cli/target/vlm4j-cli.jar" \
    org.vlm4j.bench.FusionShapesEval "model=$1,data=$OUT/data/val.tsv,n=200,temperature=1,guidance=$GUIDANCE,zeroshot=100" \
    | grep '^{' > "$OUT/$2-eval.json"
}
v --version > /dev/null # builds the jar when stale
(cd "$root" && mvn -B -q -o -pl core test-compile)
v data shapes --out "$OUT/data" --count "$COUNT" --size 32 --colors "$COLORS" --shapes "$SHAPES" --seed "$SEED" \
  --json > "$OUT/data.json"
log "vqvae-tiny"
v train --model vqvae-tiny --data "$OUT/data/train.tsv" --out "$OUT/vq" --steps "$VQ_STEPS" --batch-size 32 \
  --lr 2e-3 --weight-decay 0 --seed "$SEED" --json > "$OUT/vq.json"
log "clip-tiny (the retriever)"
v train --model clip-tiny --data "$OUT/data/train.tsv" --out "$OUT/clip" --steps "$CLIP_STEPS" --batch-size 64 \
  --lr 2e-3 --seed "$SEED" --json > "$OUT/clip.json"
for run in plain rag; do
  preset=fusion-chameleon-tiny; extra=()
  [ "$run" = rag ] && preset=fusion-rag-tiny && extra=(--retriever "$OUT/clip/model")
  log "$preset"
  v train --model "$preset" --image-tokenizer "$OUT/vq/model" "${extra[@]}" --data "$OUT/data/train.tsv" \
    --out "$OUT/$run" --steps "$STEPS" --batch-size "$BATCH" --lr 2e-3 --weight-decay 0.1 --seed "$SEED" \
    --json > "$OUT/$run.json"
  evaluate "$OUT/$run/model" "$run"
done
log "fusion-instruct-tiny from the retrieval-augmented model"
v train --model fusion-instruct-tiny --init "$OUT/rag/model" --data "$OUT/data/train.tsv" --out "$OUT/sft" \
  --steps "$SFT_STEPS" --batch-size "$BATCH" --lr 5e-4 --weight-decay 0.1 --seed "$SEED" --json > "$OUT/sft.json"
evaluate "$OUT/sft/model" sft
python3 - "$OUT" <<'PYEOF' | tee "$OUT/summary.json"
import json, os, sys
o = sys.argv[1]
out = {}
for run in ("plain", "rag", "sft"):
    t = json.load(open(os.path.join(o, run + ".json")))
    rows = [json.loads(l) for l in open(os.path.join(o, run, "metrics.jsonl")) if '"loss"' in l]
    losses = [r["loss"] for r in rows]
    edit = [r["metrics"]["edit_loss"] for r in rows if "edit_loss" in r.get("metrics", {})]
    e = json.load(open(os.path.join(o, run + "-eval.json")))
    out[run] = {"steps": t["steps"], "seconds": round(t["seconds"]), "images_per_second": round(t["images_per_second"], 1),
                "loss_first10": round(sum(losses[:10]) / len(losses[:10]), 4),
                "loss_last20": round(sum(losses[-20:]) / len(losses[-20:]), 4), **{k: v for k, v in e.items() if k != "examples"}}
    if edit:
        out[run]["edit_loss_first10"] = round(sum(edit[:10]) / len(edit[:10]), 4)
        out[run]["edit_loss_last10"] = round(sum(edit[-10:]) / len(edit[-10:]), 4)
print(json.dumps(out))
PYEOF
log "results in $OUT"
