#!/usr/bin/env bash
# README command 1: install what is missing, build Release, run `memlapse quickstart`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release
cmake --build --preset release
build/release/bin/memlapse quickstart "$@"
