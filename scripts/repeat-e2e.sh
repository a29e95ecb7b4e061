#!/usr/bin/env bash
# Runs e2e specs several times in a row, each run on a fresh control plane, and reports the pass
# count and the slowest run: a flaky spec is a bug to find, not a timeout to raise.
#   scripts/repeat-e2e.sh RUNS SPEC...     e.g. scripts/repeat-e2e.sh 10 examples natscluster rotation identities
# Each run's output is kept in .scratch/repeat/run-N.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: repeat-e2e.sh RUNS SPEC...}
shift
[ $# -gt 0 ] || { echo "usage: repeat-e2e.sh RUNS SPEC..." >&2; exit 2; }
mkdir -p .scratch/repeat
passed=0 slowest=0 times=()
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  if npm run -s test:e2e -- "$@" > ".scratch/repeat/run-$i.log" 2>&1; then
    result=pass; passed=$((passed + 1))
  else
    result=FAIL
  fi
  took=$(( $(date +%s) - started ))
  times+=("$took")
  [ "$took" -gt "$slowest" ] && slowest=$took
  echo "run $i/$runs: $result in ${took} s ($(grep -E '^Tests:' ".scratch/repeat/run-$i.log" | tail -1))"
done
echo "repeat: $passed of $runs runs passed; slowest ${slowest} s; each: ${times[*]} s; specs: $*"
[ "$passed" -eq "$runs" ]
