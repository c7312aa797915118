#!/usr/bin/env bash
# Builds SynthLab (release) and runs a short demo on the Adult census table: the plugins found,
# the table's columns, a synthetic copy made by the independent baseline (once plain, once with
# ε = 1 Laplace noise), and both validated against the real table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

swift build -c release
bin="$(swift build -c release --show-bin-path)"
data="${SYNTHLAB_DATA_DIR:-$(cd .. && pwd)/shared/data}"
out="$(mktemp -d)"

set -x
"$bin/synthlab" plugins
"$bin/synthlab" describe "$data/adult.csv"
"$bin/synthlab" synth --generator independent --data "$data/adult.csv" --rows 32561 --seed 7 --out "$out/adult-independent.csv"
"$bin/synthlab" validate --real "$data/adult.csv" --synthetic "$out/adult-independent.csv"
"$bin/synthlab" synth --generator independent --privacy laplace --param epsilon=1 --data "$data/adult.csv" --rows 32561 --seed 7 --out "$out/adult-dp.csv"
"$bin/synthlab" validate --real "$data/adult.csv" --synthetic "$out/adult-dp.csv" --validator column_shapes
