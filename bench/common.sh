# Shared by the bench/ scripts: a machine-load monitor, because other engineers share these cores. A run that other
# processes disturbed is measured (their share of the machine while it ran) and run again, within a budget.
# Expects: OUT, FOREIGN_MAX, RETRIES, QUIET_WAIT, QUIET_BUDGET, SECS and a log function.
ncpu=$(nproc)
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
hz=$(getconf CLK_TCK)
spent=0  # seconds spent waiting for quiet and re-running, against QUIET_BUDGET
wait_quiet() { # until the machine is < FOREIGN_MAX % busy over one second, at most QUIET_WAIT s
  local waited=0 b0 b1 pct
  while :; do
    b0=$(busy_jiffies); sleep 1; b1=$(busy_jiffies)
    pct=$(( (b1 - b0) * 100 / (hz * ncpu) ))
    [ "$pct" -lt "$FOREIGN_MAX" ] && break
    if [ "$waited" -ge "$QUIET_WAIT" ] || [ "$spent" -ge "$QUIET_BUDGET" ]; then
      log "machine still ${pct}% busy (waited ${waited}s, ${spent}s of the ${QUIET_BUDGET}s budget); running anyway"; break
    fi
    sleep 2; waited=$((waited + 3)); spent=$((spent + 3))
  done
  [ "$waited" -gt 0 ] && log "waited ${waited}s for other processes to finish"
  return 0
}
# run_monitored TAG CMD... : prints the command's stdout; sets FOREIGN (% of all cores used by other processes
# while it ran: machine busy time minus this command's own CPU time, over cores x wall time).
run_monitored() {
  local tag=$1; shift
  local b0 b1 t0 t1 own
  wait_quiet
  b0=$(busy_jiffies); t0=$(date +%s.%N)
  { TIMEFORMAT='%U %S'; time "$@" >"$OUT/$tag.out" 2>"$OUT/$tag.err"; } 2>"$OUT/$tag.time"
  t1=$(date +%s.%N); b1=$(busy_jiffies)
  own=$(awk '{print $1 + $2}' "$OUT/$tag.time")
  FOREIGN=$(awk -v b="$((b1 - b0))" -v hz="$hz" -v own="$own" -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v n="$ncpu" \
    'BEGIN { f = (b / hz - own) / (w * n) * 100; if (f < 0) f = 0; printf "%.1f", f }')
}
# measure TAG PATTERN CMD... : runs CMD; sets LINE to its last output line starting with PATTERN, FOREIGN, and TRIES
# (re-runs). A run is accepted when its line is JSON with "clean": true (the program itself left out the iterations
# that other processes disturbed and had enough left), or, for other lines, when FOREIGN <= FOREIGN_MAX; otherwise
# it is run again while RETRIES and the QUIET_BUDGET allow, and the last try is kept (flagged in the tables).
measure() {
  local tag=$1 pattern=$2; shift 2
  local try ok
  for ((try = 0; try <= RETRIES; try++)); do
    run_monitored "$tag.try$try" "$@"
    LINE=$(grep "^$pattern" "$OUT/$tag.try$try.out" | tail -1 || true)
    if [ -z "$LINE" ]; then log "$tag produced no result:"; tail -5 "$OUT/$tag.try$try.err" >&2; exit 1; fi
    if [[ $LINE == "{"* ]]; then
      ok=$(echo "$LINE" | /usr/bin/python3 -c 'import json,sys; print("yes" if json.load(sys.stdin).get("clean", True) else "no")')
    else
      ok=$(awk -v f="$FOREIGN" -v m="$FOREIGN_MAX" 'BEGIN { print (f <= m) ? "yes" : "no" }')
    fi
    [ "$ok" = yes ] && break
    if [ "$try" -lt "$RETRIES" ] && [ "$spent" -lt "$QUIET_BUDGET" ]; then
      log "$tag: disturbed by other processes (${FOREIGN}% of the machine during the run); running it again"
      spent=$((spent + ${SECS%.*} + 5))
    else
      log "$tag: disturbed by other processes (${FOREIGN}% of the machine during the run); keeping it (flagged)"; break
    fi
  done
  TRIES=$try
}
