#!/usr/bin/env bash
# A/B of the oneMKL vendor shim on fp32 GEMM through DJL: separate JVMs, interleaved, medians.
# Usage (from the repository root): core/src/test/scripts/gemm-shim-ab.sh [runs=3] [N=1024] [seconds=3] [modes="auto off"]
# Threads: VLM4J_THREADS from the environment (default: physical cores).
# Modes: auto|on|off = -Dvlm4j.mklShim=<mode>; preload = shim off in Java but LD_PRELOAD of the same library.
# On a shared machine other builds halve or third the throughput for whole runs: run when idle (the "some avg10"
# of /proc/pressure/cpu near 0) and look at the paired ratios as well as the medians.
set -euo pipefail
runs=${1:-3}; n=${2:-1024}; secs=${3:-3}; modes=${4:-"auto off"}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
mvn -B -q -f "$root/pom.xml" -pl core test-compile
cpfile=$(mktemp)
mvn -B -q -f "$root/pom.xml" -pl core dependency:build-classpath -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test
cp="$root/core/target/test-classes:$root/core/target/classes:$(cat "$cpfile")"
rm -f "$cpfile"
shim="$root/core/target/classes/org/vlm4j/engine/native/linux-x86_64/libvlm4j_mklshim.so"
declare -A results bests
first=${modes%% *}; ratios=""
for ((r = 1; r <= runs; r++)); do
  for mode in $modes; do
    if [ "$mode" = preload ]; then
      line=$(LD_PRELOAD="$shim" java -Xmx4g -cp "$cp" -Dvlm4j.mklShim=off -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        org.vlm4j.engine.GemmBench "$n" "$secs" 2>/dev/null | grep '^GEMM')
    else
      line=$(java -Xmx4g -cp "$cp" -Dvlm4j.mklShim="$mode" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        org.vlm4j.engine.GemmBench "$n" "$secs" 2>/dev/null | grep '^GEMM')
    fi
    echo "run $r $mode: $line"
    results[$mode]+="$(echo "$line" | sed -E 's/.*: ([0-9.]+) GFLOP.*/\1/') "
    bests[$mode]+="$(echo "$line" | sed -E 's/.*best ([0-9.]+);.*/\1/') "
    value=$(echo "$line" | sed -E 's/.*: ([0-9.]+) GFLOP.*/\1/')
    if [ "$mode" = "$first" ]; then base=$value; else ratios+="$(awk -v a="$base" -v b="$value" 'BEGIN {printf "%.2f", a / b}') "; fi
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for mode in $modes; do
  echo "median $mode: $(echo ${results[$mode]} | median) GFLOP/s median-iteration (runs: ${results[$mode]});" \
    "best-iteration median $(echo ${bests[$mode]} | median) (runs: ${bests[$mode]})"
done
[ -n "$ratios" ] && echo "paired ratio $first / other (same run, median-iteration): median $(echo $ratios | median) (runs: $ratios)"
