#!/usr/bin/env bash
# Side-by-side speed comparison with ONNX Runtime 1.32 on this machine: the same weights (clip bench's random
# checkpoints), the same inputs, the same thread count, rounds alternating between the two sides in one process.
# NOT part of CI (it takes tens of minutes, ~11 GB of disk and the whole machine). See tests/perf/README.md.
#
# Usage: tests/perf/ort-side-by-side.sh [--dir DIR] [--filter NAME[,NAME]] [--rounds R] [--runs N] [--threads N]
#                                      [--precision float32|int8]
#   --dir DIR          where checkpoints and graphs are kept between runs (default /tmp/clip-ort); all written once
#   --precision int8   our int8 mode against ORT on the graphs ORT's dynamic int8 quantization makes of the float ones
#                      (DIR/onnx-int8, needs Debian's python3-onnx) and against ORT float32 (DIR/onnx)
# Output: the runner's per-round lines and table on stdout, JSON lines of the results in DIR/results.jsonl
# (DIR/results-int8.jsonl with --precision int8).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR=/tmp/clip-ort FILTER="" ROUNDS=3 RUNS=5 THREADS=2 PRECISION=float32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --filter) FILTER="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --precision) PRECISION="$2"; shift 2 ;;
    *) echo "ort-side-by-side.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [[ $PRECISION != float32 && $PRECISION != int8 ]]; then
  echo "ort-side-by-side.sh: --precision '$PRECISION': expected float32 or int8" >&2; exit 2
fi
RESULTS="$DIR/results.jsonl"
if [[ $PRECISION == int8 ]]; then RESULTS="$DIR/results-int8.jsonl"; fi

PY=/usr/bin/python3  # Debian's interpreter: python3-torch (1.13) installs there
# The export runs each model eagerly (tracing, and the check output): without OpenBLAS, Debian's torch uses the
# reference BLAS (~7 GFLOP/s) and exporting takes an hour instead of minutes.
# The int8 graphs are written with the onnx package (python3-onnx): ORT's own quantizer needs the onnxruntime Python
# package, which is not installable here.
PACKAGES=(python3-torch python3-numpy libopenblas0-pthread)
IMPORTS="import torch, numpy"
if [[ $PRECISION == int8 ]]; then PACKAGES+=(python3-onnx); IMPORTS+=", onnx"; fi
if ! "$PY" -c "$IMPORTS" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "ort-side-by-side.sh: installing Debian's ${PACKAGES[*]} (for the ONNX export)" >&2
  if [[ $(id -u) -eq 0 ]]; then APT=(apt-get); else APT=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y "${PACKAGES[@]}" >&2
fi

dotnet build "$ROOT/tests/Microsoft.ML.Clip.Benchmarks" -c Release -v q -nologo >&2
BENCH=(dotnet "$ROOT/tests/Microsoft.ML.Clip.Benchmarks/bin/Release/net10.0/Microsoft.ML.Clip.Benchmarks.dll")

mkdir -p "$DIR"
"${BENCH[@]}" ort checkpoints "$DIR" >&2                                  # clip bench's weights, kept in DIR/<family>
# DIR/onnx/<benchmark>/model.onnx, and DIR/onnx-int8/<benchmark>/model.onnx with --precision int8 (skips existing)
"$PY" "$ROOT/tests/perf/export_onnx.py" "$DIR" ${FILTER:+--filter "$FILTER"} --precision "$PRECISION"
"${BENCH[@]}" ort compare "$DIR" ${FILTER:+--filter "$FILTER"} --rounds "$ROUNDS" --runs "$RUNS" --threads "$THREADS" \
  --precision "$PRECISION" --json "$RESULTS"
echo "ort-side-by-side.sh: load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
