#!/usr/bin/env bash
# One CTGAN-sized training step (adult's encoded width, batch 500, pac 10, WGAN-GP penalty,
# residual generator with batch norm), SynthNN against PyTorch on CPU, one thread each, in one
# run: the two alternate ROUNDS times and the medians are compared.
#   bench/ctgan-step.sh [STEPS] [ROUNDS]
# Needs `pip install torch` for the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
steps="${1:-20}"
rounds="${2:-5}"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

swift build -c release --product synthnn-bench >/dev/null
bin="$(swift build -c release --show-bin-path)/synthnn-bench"
python3 -c "import torch" 2>/dev/null || { echo "PyTorch is not installed: pip install torch" >&2; exit 1; }

ours=(); theirs=()
for round in $(seq "$rounds"); do
    line="$("$bin" "$steps")"; echo "$line"
    ours+=("$(sed -E 's/^synthnn: ([0-9.]+) ms.*/\1/' <<<"$line")")
    line="$(python3 bench/ctgan_step_torch.py "$steps" 1 2>/dev/null)"; echo "$line"
    theirs+=("$(sed -E 's/^torch [^:]*: ([0-9.]+) ms.*/\1/' <<<"$line")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_ours="$(median "${ours[@]}")"; m_theirs="$(median "${theirs[@]}")"
echo "median ms per step: synthnn $m_ours, torch $m_theirs"
awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN { printf "ratio ours/torch = %.3f\n", a / b }'
