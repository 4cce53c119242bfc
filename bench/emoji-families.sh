#!/usr/bin/env bash
# Every family on the emoji cross-style task (issue 8's real-data table). Protocol, stated once:
#   - data: the 1,911 emoji both npm emoji-datasource-google and -twitter draw (bench/emoji-data.sh), captioned with
#     their Unicode names (emojibase-data);
#   - training: each family from scratch on the Google style only (google-train.tsv: each image with its name, and
#     with its name and keywords), with one common budget: STEPS x BATCH pairs, lr LR, weight decay 0.1, a BPE of
#     4,000 fitted to the captions, one thread (bench/emoji-train.sh);
#   - test: 100-way zero-shot on a fixed subset (OUT/twitter-subset.tsv) of 100 Twitter-style emoji (Python random.Random(SEED).sample over the
#     emoji whose name is unique and has no comma, SEED=0), the classes their 100 names, the prompt the name alone
#     ('{}'); top-1 (chance 1%), top-5 beside it;
#   - each family classifies by what it has: embeddings (CLIP, SigLIP, Llip, FLAVA, CoCa), its pair score
#     (`--by-score`: Llip's caption-conditioned score, FLAVA's and VisualBERT's ITM), caption likelihood
#     (`--likelihood text`: CoCa, log p(name | image)), the diffusion classifier (`vlm4j diffusion-classify`, shared
#     noise, adaptive elimination ROUNDS), the early-fusion model by log p(name | image) (FUSION=0 leaves it out;
#     it also trains a vqvae-tiny tokenizer with the same budget), and the pretrained-backbone family by a bridge's
#     log p(name | image) (BRIDGE=0 leaves it out): lm-tiny pretrained with the same budget on the Google captions'
#     text alone (no images), then frozen with clip-tiny's vision tower, and only qwenvl-tiny's resampler (16 learned
#     queries) trained; MiniGPT-4's 65 image tokens do not fit lm-tiny's 64 positions.
# Models are reused from OUT/runs/PRESET when there (bench/masking-emoji.sh trains clip, flava and visualbert there
# with the same budget), and an evaluation already in OUT/families is not run again (delete it to rerun). Writes
# OUT/families/summary.json and prints it. Nothing is committed.
#
# Usage: bash bench/emoji-families.sh   (STEPS=200 BATCH=64 LR=2e-3 THREADS=1 SEED=0 N=100 ROUNDS=10:20,25:5,50:1 FUSION=1
#        BRIDGE=1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export STEPS=${STEPS:-200} BATCH=${BATCH:-64} LR=${LR:-2e-3} THREADS=${THREADS:-1}
SEED=${SEED:-0}; N=${N:-100}; ROUNDS=${ROUNDS:-10:20,25:5,50:1}; FUSION=${FUSION:-1}; BRIDGE=${BRIDGE:-1}
OUT=${OUT:-$root/bench-out/emoji-$(date +%Y%m%d-%H%M%S)}
V=${VLM4J:-$root/vlm4j}
log() { echo "[emoji-families] $*" >&2; }
bash "$root/bench/emoji-data.sh" "$OUT"
F="$OUT/families"; mkdir -p "$F"
python3 - "$OUT" "$SEED" "$N" <<'PYEOF'
import collections, random, sys, os
o, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(o, "twitter-names.tsv"))][1:]
count = collections.Counter(t for _, t in rows)
ok = sorted((i, t) for i, t in rows if count[t] == 1 and "," not in t)
pick = random.Random(seed).sample(ok, n)
with open(os.path.join(o, "twitter-subset.tsv"), "w") as f:  # beside npm/: tables name images below their folder
    f.write("image\ttext\n")
    for i, t in pick:
        f.write(f"{i}\t{t}\n")
with open(os.path.join(o, "families", "classes.txt"), "w") as f:
    f.write("".join(t + "\n" for _, t in pick))
with open(os.path.join(o, "families", "images.txt"), "w") as f:
    f.write("".join(os.path.join(o, i) + "\n" for i, _ in pick))
PYEOF
for p in clip-tiny siglip-tiny llip-tiny flava-tiny visualbert-tiny coca-tiny diffusion-tiny; do
  bash "$root/bench/emoji-train.sh" "$OUT" "$p"
done
if [ "$FUSION" = 1 ]; then
  bash "$root/bench/emoji-train.sh" "$OUT" vqvae-tiny
  bash "$root/bench/emoji-train.sh" "$OUT" fusion-tiny --image-tokenizer "$OUT/runs/vqvae-tiny/model"
fi
if [ "$BRIDGE" = 1 ]; then
  if [ ! -f "$OUT/runs/lm-tiny/train.json" ]; then
    log "lm-tiny on the Google captions' text"
    cut -f2 "$OUT/google-train.tsv" | tail -n +2 > "$OUT/google-text.txt"
    rm -rf "$OUT/runs/lm-tiny"; mkdir -p "$OUT/runs/lm-tiny"; start=$(date +%s)
    VLM4J_THREADS=$THREADS "$V" train --model lm-tiny --text-data "$OUT/google-text.txt" --out "$OUT/runs/lm-tiny" \
      --steps "$STEPS" --batch-size "$BATCH" --lr "$LR" --weight-decay 0.1 --vocab-size 4000 --json \
      > "$OUT/runs/lm-tiny/train.part.json"
    echo "$(( $(date +%s) - start ))" > "$OUT/runs/lm-tiny/seconds"
    mv "$OUT/runs/lm-tiny/train.part.json" "$OUT/runs/lm-tiny/train.json"
  fi
  bash "$root/bench/emoji-train.sh" "$OUT" qwenvl-tiny --vision "$OUT/runs/clip-tiny/model" \
    --lm "$OUT/runs/lm-tiny/model"
fi
zs() { # zs NAME PRESET [flags]: 100-way zero-shot of OUT/runs/PRESET into F/NAME.json, seconds into F/NAME.seconds
  local name=$1 preset=$2 start; shift 2; start=$(date +%s)
  if [ -f "$F/$name.seconds" ]; then log "$name: already measured"; return 0; fi
  log "$name"
  VLM4J_THREADS=$THREADS "$V" eval zeroshot --model "$OUT/runs/$preset/model" --data "$OUT/twitter-subset.tsv" \
    --classes "$F/classes.txt" --templates '{}' "$@" --json > "$F/$name.json"
  echo $(( $(date +%s) - start )) > "$F/$name.seconds"
}
zs clip clip-tiny
zs siglip siglip-tiny
zs llip llip-tiny
zs llip-score llip-tiny --by-score
zs flava flava-tiny
zs flava-itm flava-tiny --by-score
zs visualbert-itm visualbert-tiny --by-score
zs coca coca-tiny
zs coca-likelihood coca-tiny --likelihood text
[ "$FUSION" = 1 ] && zs fusion-likelihood fusion-tiny --likelihood text
[ "$BRIDGE" = 1 ] && zs qwenvl-likelihood qwenvl-tiny --likelihood text
if [ ! -f "$F/diffusion.seconds" ]; then
  log diffusion
  start=$(date +%s)
  labels=$(paste -sd, "$F/classes.txt")
  mapfile -t images < "$F/images.txt"
  VLM4J_THREADS=$THREADS "$V" diffusion-classify --model "$OUT/runs/diffusion-tiny/model" --labels "$labels" \
    --rounds "$ROUNDS" --seed "$SEED" --json "${images[@]}" > "$F/diffusion.json"
  echo $(( $(date +%s) - start )) > "$F/diffusion.seconds"
fi
python3 - "$OUT" "$FUSION" "$ROUNDS" "$BRIDGE" <<'PYEOF' | tee "$F/summary.json"
import json, os, sys
o, fusion, rounds, bridge = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4] == "1"
F = os.path.join(o, "families")
classes = [l.rstrip("\n") for l in open(os.path.join(F, "classes.txt"))]
def run(p):
    t = json.load(open(os.path.join(o, "runs", p, "train.json")))
    return {"steps": t["steps"], "final_loss": round(t["final_loss"], 4),
            "train_seconds": int(open(os.path.join(o, "runs", p, "seconds")).read())}
rows = [("CLIP", "clip-tiny", "embeddings", "clip"), ("SigLIP", "siglip-tiny", "embeddings", "siglip"),
        ("Llip", "llip-tiny", "embeddings", "llip"), ("Llip", "llip-tiny", "caption-conditioned score", "llip-score"),
        ("FLAVA", "flava-tiny", "embeddings", "flava"), ("FLAVA", "flava-tiny", "ITM", "flava-itm"),
        ("VisualBERT", "visualbert-tiny", "ITM", "visualbert-itm"), ("CoCa", "coca-tiny", "embeddings", "coca"),
        ("CoCa", "coca-tiny", "log p(name | image)", "coca-likelihood")]
if fusion:
    rows.append(("early fusion", "fusion-tiny", "log p(name | image)", "fusion-likelihood"))
if bridge:
    rows.append(("Qwen-VL resampler (frozen clip-tiny tower + frozen lm-tiny)", "qwenvl-tiny", "log p(name | image)",
                 "qwenvl-likelihood"))
table = []
for fam, preset, how, name in rows:
    j = json.load(open(os.path.join(F, name + ".json")))
    table.append({"family": fam, "preset": preset, "by": how, "top1": round(j["top1"], 4), "top5": round(j["top5"], 4),
                  "n": j["n"], "tied_images": j["tied_images"],
                  "eval_seconds": int(open(os.path.join(F, name + ".seconds")).read()), "train": run(preset)})
d = json.load(open(os.path.join(F, "diffusion.json")))
right = sum(r["label"] == c for r, c in zip(d["results"], classes))
top5 = sum(c in r["ranking"][:5] for r, c in zip(d["results"], classes))
table.append({"family": "diffusion", "preset": "diffusion-tiny", "by": "diffusion classifier, rounds " + rounds,
              "top1": round(right / len(classes), 4), "top5": round(top5 / len(classes), 4), "n": len(classes),
              "evaluations_per_image": d["evaluations_per_image"],
              "eval_seconds": int(open(os.path.join(F, "diffusion.seconds")).read()), "train": run("diffusion-tiny")})
print(json.dumps({"protocol": {"test": "Twitter style, 100 emoji, 100-way", "classes": len(classes), "chance_top1": 0.01,
                               "chance_top5": 0.05}, "table": table}))
PYEOF
log "results in $F"
