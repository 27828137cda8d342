#!/bin/sh
# Stop the Node-RED that start.sh started.
pid_file="$(cd "$(dirname "$0")" && pwd)/../../../../target/peers/node-red/pid"
[ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null && rm -f "$pid_file"
exit 0
