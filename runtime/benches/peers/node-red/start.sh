#!/bin/sh
# Install Node-RED (the version package-lock.json pins) under target/peers/node-red,
# write its flows (gen.js: chain10 and fan50 answering the external benchmark's
# paths), start it on 127.0.0.1:1880 and wait until it answers. Then:
#   SCENA_BENCH_PEER=127.0.0.1:1880 SCENA_BENCH_PEER_PID=$(cat target/peers/node-red/pid) \
#     cargo bench -p scena --bench external
# Stop it with runtime/benches/peers/node-red/stop.sh.
set -e
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/../../../../target/peers/node-red"
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$here/gen.js" "$here/settings.js" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
node gen.js
node node_modules/node-red/red.js -s settings.js > nodered.log 2>&1 &
echo $! > pid
i=0
while [ $i -lt 120 ]; do # at most 60 s
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST -H 'content-type: application/json' \
        -d '{"input":{"n":0}}' 'http://127.0.0.1:1880/api/v1/tenants/default/flows/chain/runs') || true
    if [ "$code" = "200" ]; then echo "Node-RED listens on 127.0.0.1:1880 (pid $(cat pid))"; exit 0; fi
    kill -0 "$(cat pid)" 2>/dev/null || { echo "Node-RED exited; see $dir/nodered.log"; exit 1; }
    sleep 0.5
    i=$((i + 1))
done
echo "Node-RED did not answer within 60 s; see $dir/nodered.log"
exit 1
