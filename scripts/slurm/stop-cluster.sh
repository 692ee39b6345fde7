#!/usr/bin/env bash
# Stops the daemons scripts/slurm/start-cluster.sh started (by their pid files; munged stays).
set -euo pipefail
state=${1:-/tmp/prlab-slurm}
for d in slurmd slurmctld; do
  if [ -s "$state/$d.pid" ] && kill -0 "$(cat "$state/$d.pid")" 2>/dev/null; then
    kill "$(cat "$state/$d.pid")"
  fi
done
