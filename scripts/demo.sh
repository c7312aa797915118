#!/usr/bin/env bash
# Builds SynthLab (release) and runs the lab: on a terminal, the interactive REPL (try
# `.read notebooks/01-quickstart.synth`); without one, or with a script argument, a replay of that
# script (default notebooks/01-quickstart.synth: the Adult census table synthesized, validated and
# compared across generators, privacy budgets and seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

swift build -c release
bin="$(swift build -c release --show-bin-path)"
mkdir -p notebooks/out

if [ $# -eq 0 ] && [ -t 0 ] && [ -t 1 ]; then
    echo "Starting the SynthLab REPL. Try: .read notebooks/01-quickstart.synth   (.help lists everything)"
    exec "$bin/synthlab"
fi
exec "$bin/synthlab" --bail "${1:-notebooks/01-quickstart.synth}"
