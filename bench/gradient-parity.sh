#!/usr/bin/env bash
# Training parity: from identical weights and one identical batch, vlm4j's CLIP loss and every parameter's gradient
# norm against the plain-PyTorch replica (bench/pytorch_clip_train.py) in Debian's python3-torch.
# Usage: bash bench/gradient-parity.sh     (BATCH=64; OUT=bench-out/gradient-parity-*)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BATCH=${BATCH:-64}
OUT=${OUT:-$root/bench-out/gradient-parity-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
"$root/vlm4j" data shapes --out "$OUT/shapes" --count 400 --json > /dev/null
(cd "$root" && mvn -B -q -o -pl core test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=org.vlm4j.bench.GradientDump -Dexec.arguments="$OUT/shapes/train.tsv,$OUT/dump,$BATCH" \
  > "$OUT/java.log" 2>&1) || { cat "$OUT/java.log" >&2; exit 1; }
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 "$root/bench/gradient_parity.py" "$OUT/dump" \
  | tee "$OUT/summary.json"
