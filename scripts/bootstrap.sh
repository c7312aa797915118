#!/usr/bin/env bash
# Installs what SynthLab needs to build and test on a fresh Debian machine, when it is missing.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run again.
set -euo pipefail

# Debian packages the build and the tests use: the C compiler builds the C plugins in the tests,
# libedit is the REPL's line editor, tmux gives the REPL tests a real terminal, OpenBLAS and
# LAPACKE back the numerical engine, SQLite holds the results store, zlib reads and writes gzipped
# CSV files. scripts/test.sh adds SYNTHLAB_TEST_PACKAGES (Chromium renders the HTML report in a
# test; munge and Slurm make the local cluster of the Slurm tests, scripts/slurm-cluster.sh).
SYNTHLAB_DEBIAN_PACKAGES=(gcc libc6-dev pkg-config libedit-dev tmux libopenblas-dev liblapacke-dev libsqlite3-dev zlib1g-dev
                          ${SYNTHLAB_TEST_PACKAGES[@]+"${SYNTHLAB_TEST_PACKAGES[@]}"})

missing=()
for package in "${SYNTHLAB_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "error: no Swift toolchain found (need Swift 6.x on PATH or in /opt/swift)" >&2
        exit 1
    fi
fi

# One BLAS thread per process: parallelism comes from running trials side by side.
export OPENBLAS_NUM_THREADS=1
