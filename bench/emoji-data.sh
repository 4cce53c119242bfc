#!/usr/bin/env bash
# The emoji data of bench/emoji.sh and bench/coca-emoji.sh, into OUT (the first argument): npm emoji-datasource-google
# and emoji-datasource-twitter (MIT package; images Apache-2.0 and CC-BY-4.0) and emojibase-data (MIT) installed into
# OUT/npm, and the tables OUT/google-train.tsv (each Google image with its name, and with its name and keywords),
# OUT/google-names.tsv and OUT/twitter-names.tsv (each image with its Unicode name). Nothing is committed.
#
# Usage: bash bench/emoji-data.sh OUT
set -euo pipefail
OUT=$1
log() { echo "[emoji-data] $*" >&2; }
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
