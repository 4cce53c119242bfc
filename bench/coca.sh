#!/usr/bin/env bash
# CoCa's costs (BENCHMARKS.md, "CoCa: captioning"), measured in one JVM so that each ratio shares the machine's state
# (bench/../core/src/test/java/org/vlm4j/bench/CocaBench.java):
#   1. training images/s of coca-tiny against clip-tiny (the same vision and text towers; CoCa adds the two
#      attentional poolers and the 3-layer multimodal decoder): forward + backward + AdamW on a fixed batch of Shapes
#      images, the two models interleaved;
#   2. greedy caption generation tokens/s with the KV cache against recomputing the whole prefix every step, the two
#      interleaved, 30 new tokens per image, and whether both give the same tokens.
# Iterations during which other processes used more than FOREIGN of the machine are left out (the cores are shared);
# medians of what is left; with KEEP_ALL=true every iteration is kept (a machine that is never quiet: the pairs are
# interleaved, so the ratios still compare like with like; the median share of the machine others used is printed).
# Prints one JSON line per round, then a summary of the medians over rounds.
#
# Usage: bash bench/coca.sh        (ROUNDS=3 ITERS=12 BATCH=64 GEN_BATCH=8 THREADS=2 FOREIGN=0.15 KEEP_ALL=false)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}; ITERS=${ITERS:-12}; BATCH=${BATCH:-64}; GEN_BATCH=${GEN_BATCH:-8}; THREADS=${THREADS:-2}
FOREIGN=${FOREIGN:-0.15}; KEEP_ALL=${KEEP_ALL:-false}
OUT=${OUT:-$root/bench-out/coca-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
log() { echo "[coca] $*" >&2; }
"$root/vlm4j" data shapes --out "$OUT/shapes" --count 1000 --json > "$OUT/shapes.json"
(cd "$root" && mvn -B -q -o -pl core test-compile >&2)
for r in $(seq 1 "$ROUNDS"); do
  (cd "$root" && VLM4J_THREADS=$THREADS mvn -B -q -o -pl core exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=org.vlm4j.bench.CocaBench \
    -Dexec.arguments="data=$OUT/shapes,batch=$BATCH,iters=$ITERS,genBatch=$GEN_BATCH,foreign=$FOREIGN,keepAll=$KEEP_ALL" \
    -Dstyle.color=never 2> "$OUT/round-$r.err") > "$OUT/round-$r.out" || { log "round $r failed:"; tail -5 "$OUT/round-$r.err" >&2; exit 1; }
  grep -o '{"clip_params.*}' "$OUT/round-$r.out" | tee -a "$OUT/rounds.jsonl"
done
python3 - "$OUT/rounds.jsonl" <<'PYEOF' | tee "$OUT/summary.json"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys = ["clip_train_images_per_second", "coca_train_images_per_second", "coca_over_clip_train",
        "kv_cache_tokens_per_second", "recompute_tokens_per_second", "kv_cache_speedup"]
out = {k: statistics.median(r[k] for r in rows) for k in keys}
out.update({"rounds": len(rows), "same_tokens": all(r["same_tokens"] for r in rows),
            "clean_rounds": sum(1 for r in rows if r["clean"]), "batch": rows[0]["train_batch"],
            "train_foreign_share": statistics.median(r["train_foreign_share_median"] for r in rows),
            "gen_foreign_share": statistics.median(r["gen_foreign_share_median"] for r in rows),
            "gen_batch": rows[0]["gen_batch"], "new_tokens": rows[0]["new_tokens"]})
print(json.dumps(out))
PYEOF
log "results in $OUT"
