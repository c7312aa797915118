#!/usr/bin/env bash
# Builds SynthLab with every plugin, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SYNTHLAB_TEST_PACKAGES=(chromium munge slurmctld slurmd slurm-client)
source scripts/bootstrap.sh

swift build
export SYNTHLAB_BUILD_DIR="$(swift build --show-bin-path)"
export SYNTHLAB_DATA_DIR="${SYNTHLAB_DATA_DIR:-$(cd .. && pwd)/shared/data}"
# The kernels SynthLab pins OpenBLAS to on a CPU with AVX2 and FMA, chosen before the tests start:
# pinning sets this variable, and in the test process that would happen at the first product,
# while other tests copy the environment for their child processes. (A test starts synthlab
# without it, to check the pin itself.)
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q -w avx2 /proc/cpuinfo && grep -q -w fma /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=Haswell
fi
swift test "$@"
