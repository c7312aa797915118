#!/usr/bin/env bash
# Builds SynthLab with every plugin, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SYNTHLAB_TEST_PACKAGES=(chromium munge slurmctld slurmd slurm-client)
source scripts/bootstrap.sh

swift build
export SYNTHLAB_BUILD_DIR="$(swift build --show-bin-path)"
export SYNTHLAB_DATA_DIR="${SYNTHLAB_DATA_DIR:-$(cd .. && pwd)/shared/data}"
swift test "$@"
