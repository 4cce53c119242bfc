#!/usr/bin/env bash
# Image-embedding throughput: vlm4j (DJL + libtorch 2.7.1) against the same ViT in plain PyTorch (Debian's
# python3-torch), interleaved in one run, with the ratio measured round by round. See BENCHMARKS.md.
#
# Usage (any folder): bash bench/image-embed.sh
# Settings (environment):
#   ROUNDS=3        interleaved rounds per preset; each round runs every config once, in a rotated order
#   SECS=10         timed seconds per run (after WARMUP iterations)
#   WARMUP=3        warm-up iterations per run
#   PRESETS="vit-b-32:16 small:64"   preset:batch pairs
#   THREADS=2       intra-op threads for both sides
#   CONFIGS="vlm4j vlm4j-untuned pytorch"   add vlm4j-passive / pytorch-passive for OMP_WAIT_POLICY=PASSIVE runs
#                   (OpenMP threads sleep instead of spinning between ops: much faster on a shared, busy machine)
#   GEMM_ROUNDS=3   rounds of GemmBench (N=1024, 3 s) shim on / off; 0 skips it
#   REF_BLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp   the BLAS the PyTorch reference loads (LD_LIBRARY_PATH);
#                   "system" = whatever libblas.so.3 the alternatives system points to
#   FOREIGN_MAX=10  both benchmark programs time only the iterations during which other processes used at most this
#                   % of the machine (measured from /proc; other engineers share these cores), and go on until those
#                   add up to SECS, at most MAX_FACTOR=2 times SECS; a run with fewer than 3 such iterations is run again
#   RETRIES=1       at most this many re-runs per run; QUIET_WAIT=60: seconds to wait for a quiet machine before
#                   a run; QUIET_BUDGET=150: total seconds of such waits and re-runs, after which runs go ahead (the
#                   table shows each config's worst foreign CPU share)
#   OUT=bench-out/image-embed-<time>   where the raw JSON lines and logs go
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}; SECS=${SECS:-10}; WARMUP=${WARMUP:-3}; THREADS=${THREADS:-2}
PRESETS=${PRESETS:-"vit-b-32:16 small:64"}; GEMM_ROUNDS=${GEMM_ROUNDS:-3}
REF_BLAS=${REF_BLAS:-/usr/lib/x86_64-linux-gnu/openblas-openmp}
FOREIGN_MAX=${FOREIGN_MAX:-10}; RETRIES=${RETRIES:-1}; MAX_FACTOR=${MAX_FACTOR:-2}; QUIET_WAIT=${QUIET_WAIT:-60}; QUIET_BUDGET=${QUIET_BUDGET:-150}
OUT=${OUT:-$root/bench-out/image-embed-$(date +%Y%m%d-%H%M%S)}
PY=/usr/bin/python3   # Debian's python with python3-torch (the PATH python3 may be a pyenv without torch)
mkdir -p "$OUT"
results="$OUT/results.jsonl"; : >"$results"
log() { echo "[image-embed] $*" >&2; }

# --- prerequisites: Debian's torch and the OpenMP OpenBLAS (the fastest BLAS for it here, see BENCHMARKS.md) ---
need=()
$PY -c 'import torch' 2>/dev/null || need+=(python3-torch)
if [ "$REF_BLAS" != system ] && [ ! -e "$REF_BLAS/libblas.so.3" ]; then
  case "$REF_BLAS" in */openblas-openmp) need+=(libopenblas0-openmp) ;; */openblas-pthread) need+=(libopenblas0-pthread) ;; esac
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need[*]}"
    apt-get install -y "${need[@]}" >"$OUT/apt.log" 2>&1 || { apt-get update >>"$OUT/apt.log" 2>&1 && apt-get install -y "${need[@]}" >>"$OUT/apt.log" 2>&1; }
  else
    log "missing ${need[*]}: apt-get install -y ${need[*]}"; exit 1
  fi
fi
ref_env=()
if [ "$REF_BLAS" != system ]; then
  [ -e "$REF_BLAS/libblas.so.3" ] || { log "no $REF_BLAS/libblas.so.3"; exit 1; }
  ref_env=(env "LD_LIBRARY_PATH=$REF_BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
fi

# --- build (core only) ---
log "building core test classes"
mvn -B -q -f "$root/pom.xml" -pl core test-compile
cpfile="$OUT/classpath.txt"
mvn -B -q -f "$root/pom.xml" -pl core dependency:build-classpath -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
cp="$root/core/target/test-classes:$root/core/target/classes:$(cat "$cpfile")"
JAVA=(java -Xmx6g -cp "$cp" -Dvlm4j.threads="$THREADS" -Dorg.slf4j.simpleLogger.defaultLogLevel=error
  -Dbench.foreignMax="$(awk -v f="$FOREIGN_MAX" 'BEGIN { print f / 100 }')" -Dbench.maxFactor="$MAX_FACTOR")

# --- machine-load monitor (wait_quiet, run_monitored, measure) ---
# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
# bench TAG CONFIG PRESET ROUND CMD... : one image-embedding measurement; appends its JSON line to the results.
bench() {
  local tag=$1 config=$2 preset=$3 round=$4; shift 4
  local line
  measure "$tag" '{' "$@"
  line=$LINE
  $PY - "$line" "$config" "$preset" "$round" "$FOREIGN" "$TRIES" >>"$results" <<'EOF'
import json, sys
rec = json.loads(sys.argv[1])
rec.update(config=sys.argv[2], preset_key=sys.argv[3], round=int(sys.argv[4]), foreign_pct=float(sys.argv[5]),
           retries=int(sys.argv[6]))
print(json.dumps(rec))
EOF
  log "$(printf '%-28s ' "$tag")$(echo "$line" | $PY -c 'import json,sys; r=json.load(sys.stdin); print("%.1f img/s (%.1f ms/batch; %d of %d iterations clean)" % (r["images_per_s"], r["ms_per_batch_median"], r["clean_iterations"], r["iterations"]))'), foreign $FOREIGN% over the run"
}

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model[[:space:]]' /proc/cpuinfo | cut -d: -f2 | xargs)), $ncpu logical CPUs"
log "machine: $cpu; threads $THREADS; out $OUT"
echo "{\"impl\":\"machine\",\"cpu\":\"$cpu\",\"threads\":$THREADS,\"secs\":$SECS,\"rounds\":$ROUNDS,\"foreign_max\":$FOREIGN_MAX}" >>"$results"

# --- GEMM: shim on / off ---
for ((r = 1; r <= GEMM_ROUNDS; r++)); do
  for mode in auto off; do
    tag="gemm-r$r-$mode"
    measure "$tag" GEMM "${JAVA[@]}" -Dvlm4j.mklShim=$mode org.vlm4j.engine.GemmBench 1024 3
    line=$LINE
    gf=$(echo "$line" | sed -E 's/.*: ([0-9.]+) GFLOP.*/\1/')
    log "$tag: $gf GFLOP/s, foreign $FOREIGN%"
    echo "{\"impl\":\"gemm\",\"config\":\"shim-$mode\",\"round\":$r,\"gflops\":$gf,\"foreign_pct\":$FOREIGN,\"line\":\"$line\"}" >>"$results"
  done
done

# --- image embedding: rounds x {vlm4j default, vlm4j shim+malloc off, pytorch}, order rotated per round ---
read -r -a configs <<<"${CONFIGS:-vlm4j vlm4j-untuned pytorch}"
for pb in $PRESETS; do
  preset=${pb%%:*}; batch=${pb##*:}
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < ${#configs[@]}; i++)); do
      cfg=${configs[$(((i + r - 1) % ${#configs[@]}))]}
      tag="$preset-r$r-$cfg"
      case $cfg in
        vlm4j) bench "$tag" "$cfg" "$preset" "$r" "${JAVA[@]}" \
          org.vlm4j.bench.ImageEmbedBench "$preset" "$batch" "$SECS" "$WARMUP" ;;
        vlm4j-untuned) bench "$tag" "$cfg" "$preset" "$r" "${JAVA[@]}" -Dvlm4j.mklShim=off -Dvlm4j.mallocTuning=off \
          org.vlm4j.bench.ImageEmbedBench "$preset" "$batch" "$SECS" "$WARMUP" ;;
        vlm4j-passive) bench "$tag" "$cfg" "$preset" "$r" env OMP_WAIT_POLICY=PASSIVE "${JAVA[@]}" \
          org.vlm4j.bench.ImageEmbedBench "$preset" "$batch" "$SECS" "$WARMUP" ;;
        pytorch | pytorch-passive) bench "$tag" "$cfg" "$preset" "$r" "${ref_env[@]}" \
          $([ "$cfg" = pytorch-passive ] && echo env OMP_WAIT_POLICY=PASSIVE) $PY "$root/bench/pytorch_clip_vision.py" \
          "$preset" "$batch" "$SECS" "$WARMUP" --threads "$THREADS" \
          --foreign-max "$(awk -v f="$FOREIGN_MAX" 'BEGIN { print f / 100 }')" --max-factor "$MAX_FACTOR" ;;
        *) log "unknown config $cfg"; exit 2 ;;
      esac
    done
  done
done

$PY "$root/bench/image_embed_table.py" "$results" "$FOREIGN_MAX" | tee "$OUT/table.md"
log "raw results: $results"
