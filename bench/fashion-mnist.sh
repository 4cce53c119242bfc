#!/usr/bin/env bash
# Real data nobody here made: Debian's dataset-fashion-mnist (60k train / 10k test, 28x28 grey, 10 classes).
# Trains a tiny CLIP from scratch on the training images captioned "a photo of a {class}", then reports zero-shot
# top-1 on the 10k test images (class names through the same template) and the linear-probe accuracy of the same
# image tower (logistic regression on its frozen embeddings: 10k training images -> the 10k test images).
#
# Usage: bash bench/fashion-mnist.sh        (STEPS=1800 BATCH=64 LR=2e-3 THREADS=2; OUT=bench-out/fashion-mnist-*)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STEPS=${STEPS:-1800}; BATCH=${BATCH:-64}; LR=${LR:-2e-3}; THREADS=${THREADS:-2}; PROBE=${PROBE:-10000}
OUT=${OUT:-$root/bench-out/fashion-mnist-$(date +%Y%m%d-%H%M%S)}
FM=/usr/share/datasets/fashion-mnist
log() { echo "[fashion-mnist] $*" >&2; }
if [ ! -f "$FM/train-images-idx3-ubyte.gz" ]; then
  log "installing Debian's dataset-fashion-mnist"; apt-get install -y dataset-fashion-mnist >&2
fi
mkdir -p "$OUT"
v() { "$root/vlm4j" "$@"; }
CLASSES="T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"
v data idx --images "$FM/train-images-idx3-ubyte.gz" --labels "$FM/train-labels-idx1-ubyte.gz" --classes "$CLASSES" \
  --out "$OUT/data" --name train --json > "$OUT/train-data.json"
v data idx --images "$FM/t10k-images-idx3-ubyte.gz" --labels "$FM/t10k-labels-idx1-ubyte.gz" --classes "$CLASSES" \
  --out "$OUT/data" --name test --json > "$OUT/test-data.json"
v data idx --images "$FM/train-images-idx3-ubyte.gz" --labels "$FM/train-labels-idx1-ubyte.gz" --classes "$CLASSES" \
  --out "$OUT/data" --name probe --limit "$PROBE" --json > "$OUT/probe-data.json"
spec() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['data'])" "$1"; }
train=$(spec "$OUT/train-data.json"); test=$(spec "$OUT/test-data.json"); probe=$(spec "$OUT/probe-data.json")

# A vocabulary fitted to the ten captions, and the tiny CLIP at the data's own 28 px (patch 4: 7x7 tokens).
python3 -c "import sys; [print('a photo of a ' + c) for c in sys.argv[1].split(',')]" "$CLASSES" > "$OUT/captions.txt"
vocab=$(v tokenizer train --data "$OUT/captions.txt" --vocab-size 600 --min-frequency 1 --out "$OUT/tokenizer" --json \
  | python3 -c "import json,sys; print(json.load(sys.stdin)['vocab_size'])")
python3 - "$vocab" > "$OUT/model.json" <<'PYEOF'
import json, sys
block = {"width": 128, "layers": 3, "heads": 4, "mlp_hidden": 512, "activation": "GELU", "ln_eps": 1e-5,
         "output_dim": 128, "proj_bias": False, "qk_norm": False, "layer_scale_init": 0.0}
vision = dict(block, image_size=28, patch_size=4, class_token=True, patch_bias=False, ln_pre=True, pool="tok")
text = dict(block, vocab_size=int(sys.argv[1]), context_length=16, causal=True, pool="argmax")
pre = {"size": 28, "mean": [0.48145467, 0.4578275, 0.40821072], "std": [0.26862955, 0.2613026, 0.2757771],
       "interpolation": "bicubic", "resizeMode": "shortest", "rgbFirst": False}
print(json.dumps({"family": "clip", "embed_dim": 128, "vision": vision, "text": text, "logit_scale_init": 2.65926,
                  "logit_bias_init": None, "preprocess": pre, "tokenizer": "clip_bpe"}, indent=1))
PYEOF
start=$(date +%s)
VLM4J_THREADS=$THREADS v train --model "$OUT/model.json" --tokenizer "$OUT/tokenizer" --data "$train" --out "$OUT/run" \
  --steps "$STEPS" --batch-size "$BATCH" --lr "$LR" --weight-decay 0.1 --json > "$OUT/train.json"
train_s=$(( $(date +%s) - start ))
v eval zeroshot --model "$OUT/run/model" --data "$test" --label "{class}" --classes "$CLASSES" \
  --templates "a photo of a {}" --json > "$OUT/zeroshot.json"
v eval linear-probe --model "$OUT/run/model" --train "$probe" --test "$test" --label "{class}" --json > "$OUT/probe.json"
python3 - "$OUT" "$train_s" <<'PYEOF' | tee "$OUT/summary.json"
import json, sys, os
o = sys.argv[1]
t, z, p = (json.load(open(os.path.join(o, f))) for f in ("train.json", "zeroshot.json", "probe.json"))
print(json.dumps({"zeroshot_top1": z["top1"], "zeroshot_n": z["n"], "linear_probe_test_accuracy": p["test_accuracy"],
                  "linear_probe_n_train": p["n_train"], "train_steps": t["steps"], "train_seconds": int(sys.argv[2]),
                  "train_images_per_second": round(t["images_per_second"], 1), "final_loss": t["final_loss"]}))
PYEOF
log "results in $OUT"
