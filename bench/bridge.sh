#!/usr/bin/env bash
# The bridges' costs (BENCHMARKS.md, "Pretrained-backbone bridges"), in one JVM per round
# (core/src/test/java/org/vlm4j/model/backbone/BridgeBench.java), for minigpt4-tiny and blip2-tiny:
#   1. bridge training images/s with the frozen vision tower's outputs cached per image (FeatureCache, filled by a
#      first epoch) against recomputing them every step, the two runs back to back;
#   2. greedy generation tokens/s after the soft prompt with the KV cache against recomputing the whole sequence every
#      step, and whether both give the same tokens.
# Prints one JSON line per round and preset.
#
# Usage: bash bench/bridge.sh        (ROUNDS=3 STEPS=20 BATCH=32 GEN_BATCH=8 TOKENS=20 THREADS=2)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}; STEPS=${STEPS:-20}; BATCH=${BATCH:-32}; GEN_BATCH=${GEN_BATCH:-8}; TOKENS=${TOKENS:-20}
THREADS=${THREADS:-2}
(cd "$root" && mvn -B -q -o -pl core test-compile >&2)
cd "$root" && VLM4J_THREADS=$THREADS mvn -B -q -o -pl core exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.vlm4j.model.backbone.BridgeBench \
  -Dexec.arguments="rounds=$ROUNDS,steps=$STEPS,batch=$BATCH,genBatch=$GEN_BATCH,tokens=$TOKENS" \
  -Dstyle.color=never 2>/dev/null | grep '^{"preset"'
