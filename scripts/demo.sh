#!/usr/bin/env bash
# make demo: builds the erlgo demo node, starts it (it starts a detached EPMD
# when none runs, which keeps running afterwards like the one erl starts),
# tours it from a real erl node, then stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
COOKIE=${ERLGO_COOKIE:-erlgo_demo_$RANDOM$RANDOM}
GONODE=${GONODE:-go@127.0.0.1}
work=$(mktemp -d)
log="$work/node.log"
cleanup() {
  [ -n "${node_pid:-}" ] && kill -INT "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building erlgo"
go build -o "$work/erlgo" ./cmd/erlgo
echo "== starting: erlgo node -name $GONODE -cookie <cookie>"
"$work/erlgo" node -name "$GONODE" -cookie "$COOKIE" >"$log" 2>&1 &
node_pid=$!
for _ in $(seq 1 150); do
  grep -q ready "$log" && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$log"; echo "demo: node exited"; exit 1; }
  sleep 0.1
done
grep -q ready "$log" || { cat "$log"; echo "demo: node not ready after 15 s"; exit 1; }
sed 's/^/  node| /' "$log"

echo "== touring it from a real erl node"
erlc -o "$work" integration/erl/demo_tour.erl
status=0
erl -noshell -pa "$work" -name "tour_$$@127.0.0.1" -setcookie "$COOKIE" \
    -eval "demo_tour:main(['$GONODE'])" || status=$?
echo "== stopping the node (SIGINT)"
kill -INT "$node_pid"; wait "$node_pid" || true; node_pid=
tail -n 5 "$log" | sed 's/^/  node| /'
exit $status
