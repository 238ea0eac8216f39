#!/usr/bin/env bash
# Runs every Fuzz* target of every package for the given time each
# (default 60s), then prints a summary: per target the execs, the exec
# rate, the corpus ("interesting" inputs, the coverage the fuzzer kept)
# and the coverage bits the engine reports.
#
#   scripts/fuzz.sh [fuzztime] [package-pattern] [target-regexp]
#   FUZZ_PARALLEL=2 scripts/fuzz.sh 30s ./node/... 'Control'
#
# A target that fails (a crasher) is reported FAIL; its reproducer is
# under the package's testdata/fuzz/<Target>/ as go test writes it. The
# script exits non-zero if any target failed.
set -uo pipefail
t=${1:-60s}
pattern=${2:-./...}
only=${3:-.}
par=${FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 2)}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

summary=()
failed=0
for pkg in $(go list "$pattern"); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' | grep -E "$only" || true)
  for f in $targets; do
    log="$logdir/$(echo "$pkg.$f" | tr '/' '_').log"
    echo "== $pkg $f ($t)"
    # fuzzdebug=1 makes the engine print its coverage bits (DEBUG lines).
    if GODEBUG=fuzzdebug=1 go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -parallel "$par" "$pkg" >"$log" 2>&1; then
      status=ok
    else
      status=FAIL
      failed=1
      grep -v ' DEBUG ' "$log" | tail -30
    fi
    # The last progress line: "fuzz: elapsed: 60s, execs: 123 (2/sec), new interesting: 4 (total: 12)".
    last=$(grep -E '^fuzz: elapsed: .*execs:' "$log" | tail -1)
    execs=$(sed -nE 's/.*execs: ([0-9]+) \(([0-9]+)\/sec\).*/\1/p' <<<"$last")
    # The last line's rate covers only its last interval: average instead.
    el=$(sed -nE 's/^fuzz: elapsed: ([0-9hms]+),.*/\1/p' <<<"$last")
    secs=$(awk -v d="$el" 'BEGIN { s = 0; n = ""; for (i = 1; i <= length(d); i++) { c = substr(d, i, 1);
      if (c ~ /[0-9]/) n = n c; else { if (c == "h") s += n * 3600; if (c == "m") s += n * 60; if (c == "s") s += n; n = "" } }
      print s }')
    rate=""
    if [ -n "$execs" ] && [ "${secs:-0}" -gt 0 ]; then rate=$((execs / secs)); fi
    corpus=$(sed -nE 's/.*new interesting: ([0-9]+) \(total: ([0-9]+)\).*/\1 new, \2 total/p' <<<"$last")
    # Coverage bits (edges the engine counts): at the end of the baseline
    # pass, and after the last input that added coverage.
    bits0=$(grep -oE 'initial coverage bits: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    bits1=$(grep -oE 'total bits: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    bits="${bits0:-?} -> ${bits1:-${bits0:-?}}"
    summary+=("$(printf '%-4s %-22s %-26s execs %10s %7s/s  corpus %-16s cov-bits %s' \
      "$status" "${pkg#github.com/erlgo/erlgo/}" "$f" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "${bits:-?}")")
  done
done

echo
echo "== fuzz summary ($t per target)"
printf '%s\n' "${summary[@]}"
exit $failed
