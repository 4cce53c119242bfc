#!/usr/bin/env bash
# Serving: index build throughput, then load on /v1/search and /v1/embed with dynamic batching on and off.
#   1. Shapes (COUNT scenes, 64 px), a clip-tiny model (1 training step: the weights do not matter for speed);
#   2. `vlm4j index build` on the train split: images/s (embedding + Lucene HNSW), from its --json report;
#   3. for each ROUND and each mode (batching on, --no-batching): `vlm4j serve` on 127.0.0.1 (a free port), then
#      LoadBench (server/src/test/java/org/vlm4j/server/bench) with CLIENTS closed-loop clients for SECS seconds
#      (at most MAX_REQUESTS) on GET /v1/search?q=..&k=10, then on POST /v1/embed (one PNG per request); peak RSS
#      of the server (VmHWM) after both; the server is stopped between modes.
# Prints one JSON line per run (results.jsonl in OUT) and the batching/no-batching throughput ratios.
#
# Usage: bash bench/serve-load.sh     (COUNT=2500 CLIENTS=64 SECS=30 MAX_REQUESTS=1000000 ROUNDS=1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${COUNT:-2500}; CLIENTS=${CLIENTS:-64}; SECS=${SECS:-30}; MAX_REQUESTS=${MAX_REQUESTS:-1000000}; ROUNDS=${ROUNDS:-1}
OUT=${OUT:-$root/bench-out/serve-load-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
results="$OUT/results.jsonl"; : >"$results"
log() { echo "[serve-load] $*" >&2; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

(cd "$root" && mvn -q -B -o -pl core,server test-compile) >&2   # LoadBench
"$root/vlm4j" --version >/dev/null                               # builds the CLI jar if stale

"$root/vlm4j" data shapes --out "$OUT/shapes" --count "$COUNT" --size 64 --json >"$OUT/shapes.json"
train=$(json "$OUT/shapes.json" "d['data']['train']")
"$root/vlm4j" train --model clip-tiny --data "$train" --out "$OUT/run" --steps 1 --batch-size 8 --json >"$OUT/train.json"
model="$OUT/run/model"

log "index build: $train"
"$root/vlm4j" index build --model "$model" --images "$train" --out "$OUT/index" --json >"$OUT/index-build.json"
ips=$(json "$OUT/index-build.json" "d['images_per_second']")
n=$(json "$OUT/index-build.json" "d['total']")
echo "{\"bench\": \"index-build\", \"images\": $n, \"images_per_second\": $ips}" | tee -a "$results"

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=""; }
trap stop_server EXIT

for round in $(seq 1 "$ROUNDS"); do
  for mode in batching no-batching; do
    flag=(); [ "$mode" = no-batching ] && flag=(--no-batching)
    rm -f "$OUT/port"
    "$root/vlm4j" serve --model "$model" --index "$OUT/index" --port 0 --port-file "$OUT/port" "${flag[@]}" \
      >"$OUT/serve-$mode-$round.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do [ -s "$OUT/port" ] && break; sleep 0.1; done
    [ -s "$OUT/port" ] || { log "server did not start: $(tail -3 "$OUT/serve-$mode-$round.log")"; exit 1; }
    url="http://127.0.0.1:$(cat "$OUT/port")/"
    for endpoint in search embed; do
      log "round $round, $mode, $endpoint: $CLIENTS clients x ${SECS}s"
      line=$(java -cp "$root/server/target/test-classes" org.vlm4j.server.bench.LoadBench "$url" "$endpoint" \
        "$CLIENTS" "$SECS" "$MAX_REQUESTS" "$(dirname "$train")/images/train")
      echo "{\"bench\": \"load\", \"round\": $round, \"mode\": \"$mode\", ${line#\{}" | tee -a "$results"
    done
    rss=$(awk '/VmHWM/{print $2}' "/proc/$server_pid/status")
    echo "{\"bench\": \"rss\", \"round\": $round, \"mode\": \"$mode\", \"peak_rss_mb\": $((rss / 1024))}" | tee -a "$results"
    stop_server
  done
done

python3 - "$results" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for ep in ("search", "embed"):
    on = [r["throughput_rps"] for r in rows if r.get("bench") == "load" and r["endpoint"] == ep and r["mode"] == "batching"]
    off = [r["throughput_rps"] for r in rows if r.get("bench") == "load" and r["endpoint"] == ep and r["mode"] == "no-batching"]
    if on and off:
        print(json.dumps({"bench": "batching-gain", "endpoint": ep, "batching_rps": statistics.median(on),
                          "no_batching_rps": statistics.median(off), "ratio": round(statistics.median(on) / statistics.median(off), 2)}))
PYEOF
