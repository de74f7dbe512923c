#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build, run every test. Also builds the
# torch-free core with LibTorch switched off and runs its tests, proving the core needs no torch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset notorch
cmake --build --preset notorch
ctest --preset notorch
cmake --preset release
cmake --build --preset release
ctest --preset release
