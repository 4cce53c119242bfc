#!/usr/bin/env bash
# The masking family on real data nobody here made (the emoji of bench/emoji.sh, from bench/emoji-data.sh): FLAVA and
# VisualBERT trained from scratch on the Google-style emoji (each image with its Unicode name, and with its name and
# keywords), then image->text and text->image R@1/R@10 on the Twitter style (never seen in training) against the
# 1,911 names, and on the Google images for comparison:
#   - FLAVA by its embeddings (`vlm4j eval retrieval --model FLAVA`);
#   - VisualBERT (one stream, no embeddings) by ITM reranking: a clip-tiny trained on the same data with the same
#     budget shortlists the top RERANK_TOP candidates per query, VisualBERT's ITM probability reorders them
#     (`vlm4j eval retrieval --model VISUALBERT --first-stage CLIP --rerank-top 20`); the first stage alone is
#     reported beside it.
# One budget for the three models (bench/emoji-train.sh: STEPS x BATCH, lr LR, one thread). Models land in
# OUT/runs/PRESET and are reused by bench/emoji-families.sh given the same OUT. Nothing is committed.
#
# An evaluation whose result is already in OUT/masking is not run again (delete it to rerun).
#
# Usage: bash bench/masking-emoji.sh     (STEPS=200 BATCH=64 LR=2e-3 THREADS=1 RERANK_TOP=20 STYLES="twitter google"
#                                         RERANK_STYLES=twitter: VisualBERT's reranking costs 2 x 1,911 x 20 ITM passes)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export STEPS=${STEPS:-200} BATCH=${BATCH:-64} LR=${LR:-2e-3} THREADS=${THREADS:-1}
RERANK_TOP=${RERANK_TOP:-20}; STYLES=${STYLES:-twitter google}; RERANK_STYLES=${RERANK_STYLES:-twitter}
OUT=${OUT:-$root/bench-out/emoji-$(date +%Y%m%d-%H%M%S)}
V=${VLM4J:-$root/vlm4j}
log() { echo "[masking-emoji] $*" >&2; }
bash "$root/bench/emoji-data.sh" "$OUT"
for p in clip-tiny flava-tiny visualbert-tiny; do bash "$root/bench/emoji-train.sh" "$OUT" "$p"; done
mkdir -p "$OUT/masking"
timed() { # timed NAME CMD...: CMD's stdout into OUT/masking/NAME.json, its seconds into NAME.seconds
  local name=$1 start; shift; start=$(date +%s)
  if [ -f "$OUT/masking/$name.seconds" ]; then log "$name: already measured"; return 0; fi
  VLM4J_THREADS=$THREADS "$@" > "$OUT/masking/$name.json"; echo $(( $(date +%s) - start )) > "$OUT/masking/$name.seconds"
}
for s in $STYLES; do
  log "retrieval on the $s style"
  timed "flava-$s" "$V" eval retrieval --model "$OUT/runs/flava-tiny/model" --data "$OUT/$s-names.tsv" --json
  timed "clip-$s" "$V" eval retrieval --model "$OUT/runs/clip-tiny/model" --data "$OUT/$s-names.tsv" --json
done
for s in $RERANK_STYLES; do
  log "VisualBERT reranking on the $s style"
  timed "visualbert-$s" "$V" eval retrieval --model "$OUT/runs/visualbert-tiny/model" --first-stage \
    "$OUT/runs/clip-tiny/model" --rerank-top "$RERANK_TOP" --data "$OUT/$s-names.tsv" --json
done
python3 - "$OUT" "$STYLES" <<'PYEOF' | tee "$OUT/masking/summary.json"
import json, os, sys
o, styles = sys.argv[1], sys.argv[2].split()
keys = ("image_to_text_R@1", "image_to_text_R@10", "text_to_image_R@1", "text_to_image_R@10")
def run(p):
    t = json.load(open(os.path.join(o, "runs", p, "train.json")))
    return {"steps": t["steps"], "final_loss": round(t["final_loss"], 4),
            "train_seconds": int(open(os.path.join(o, "runs", p, "seconds")).read())}
out = {"train": {p: run(p) for p in ("flava-tiny", "visualbert-tiny", "clip-tiny")}}
for s in styles:
    row = {}
    for name, label in (("flava", "flava_embeddings"), ("visualbert", "visualbert_itm_rerank"),
                        ("clip", "clip_first_stage_alone")):
        if not os.path.exists(os.path.join(o, "masking", f"{name}-{s}.seconds")):
            continue  # not measured on this style (RERANK_STYLES)
        j = json.load(open(os.path.join(o, "masking", f"{name}-{s}.json")))
        row[label] = {k: round(j[k], 4) for k in keys}
        row[label]["seconds"] = int(open(os.path.join(o, "masking", f"{name}-{s}.seconds")).read())
        if "pair_scores" in j:
            row[label]["pair_scores"] = j["pair_scores"]; row[label]["rerank_top"] = j["rerank_top"]
            row[label]["tied_queries"] = j["image_to_text_tied_queries"] + j["text_to_image_tied_queries"]
        n = j["n_images"]
    row["chance"] = {"R@1": round(1 / n, 5), "R@10": round(10 / n, 5), "n": n}
    out[s] = row
print(json.dumps(out))
PYEOF
log "results in $OUT/masking"
