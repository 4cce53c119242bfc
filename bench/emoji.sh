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
mkdir -p "$OUT/npm"
if [ ! -d "$OUT/npm/node_modules/emojibase-data" ]; then
  (cd "$OUT/npm" && npm init -y > /dev/null && npm install --no-audit --no-fund emoji-datasource-google@16 \
    emoji-datasource-twitter@16 emojibase-data@16 >&2)
fi
nm="$OUT/npm/node_modules"
python3 - "$nm" "$OUT" <<'PYEOF'
import json, os, sys
nm, out = sys.argv[1], sys.argv[2]
names = {}
for e in json.load(open(os.path.join(nm, "emojibase-data/en/data.json"))):
    names[e["hexcode"].upper()] = (e["label"], e.get("tags", []))
    for s in e.get("skins", []) or []:
        names[s["hexcode"].upper()] = (s["label"], e.get("tags", []))
rows = {"google": [], "twitter": []}
seen = 0
for e in json.load(open(os.path.join(nm, "emoji-datasource-google/emoji.json"))):
    key = e["unified"].upper()
    hit = names.get(key) or names.get(key.replace("-FE0F", ""))
    if not hit or not (e.get("has_img_google") and e.get("has_img_twitter")):
        continue
    label, tags = hit
    label = label.replace("\t", " ")
    seen += 1
    for style in rows:
        img = os.path.join(nm, f"emoji-datasource-{style}/img/{style}/64", e["image"])
        if os.path.exists(img):  # tables name images relative to their folder (absolute paths are refused)
            rows[style].append((os.path.relpath(img, out), label, tags))
def write(path, lines):
    with open(path, "w") as f:
        f.write("image\ttext\n")
        for a, b in lines:
            f.write(f"{a}\t{b}\n")
g = rows["google"]
write(os.path.join(out, "google-train.tsv"), [(i, l) for i, l, _ in g] + [(i, l + ": " + ", ".join(t)) for i, l, t in g if t])
write(os.path.join(out, "google-names.tsv"), [(i, l) for i, l, _ in g])
write(os.path.join(out, "twitter-names.tsv"), [(i, l) for i, l, _ in rows["twitter"]])
print(json.dumps({"emoji": seen, "google": len(g), "twitter": len(rows["twitter"])}), file=sys.stderr)
PYEOF
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
