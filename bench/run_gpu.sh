#!/usr/bin/env bash
# The GPU checks and benchmarks, in one run (for a machine with CUDA and torch installed).
# Usage: OUT=/some/dir bash bench/run_gpu.sh
set -u
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
run() { echo "### $*"; timeout 150 python3 "$@" 2>&1 | grep -v "^W1\|^V1\|^  " | tee -a "$OUT/gpu.log"; }
run bench/gpu_check.py
run bench/bench_mlp.py --batches 300 --repeats 3
run bench/bench_lstm.py --samples 6400 --rounds 3
run bench/bench_transformer.py --steps 40 --rounds 3
run bench/bench_cnn.py --samples 12800 --rounds 3
