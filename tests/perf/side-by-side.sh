#!/usr/bin/env bash
# Side-by-side speed comparison: `clip bench --json` against our PyTorch eager reference (tests/perf/torch_reference.py,
# bit-exact with transformers 4.37.2 on the fixtures), on this machine, same thread count, interleaved per benchmark so
# that load from other processes hits both sides alike. NOT part of CI (it takes minutes and needs apt).
#
# Usage: tests/perf/side-by-side.sh [--filter NAME[,NAME]] [--runs N] [--rounds R] [--threads N] [--framework net10.0]
#   --rounds R   repeat the whole interleaved sequence R times (order alternates: ours first, then PyTorch first);
#                the table reports, per benchmark, the median over rounds of each side's median and the ratio of those.
# Output: JSON lines of every run in $OUT (default /tmp/clip-side-by-side.jsonl) and a table on stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILTER="" RUNS=7 ROUNDS=2 THREADS=2 FRAMEWORK=net10.0
OUT="${OUT:-/tmp/clip-side-by-side.jsonl}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --filter) FILTER="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --framework) FRAMEWORK="$2"; shift 2 ;;
    *) echo "side-by-side.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done

PY=/usr/bin/python3  # Debian's interpreter: python3-torch installs there, not into pyenv/venv interpreters
# The reference figures used OpenBLAS: without libopenblas0-pthread, Debian's torch falls back to the reference BLAS
# (~7 GFLOP/s instead of ~200) and the comparison would be meaningless.
if ! "$PY" -c "import torch, numpy" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "side-by-side.sh: installing Debian's python3-torch (PyTorch 1.13.1, the reference build), python3-numpy, OpenBLAS" >&2
  if [[ $(id -u) -eq 0 ]]; then APT=(apt-get); else APT=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y python3-torch python3-numpy libopenblas0-pthread >&2
fi

CLIP_DLL="$ROOT/src/Microsoft.ML.Clip.Cli/bin/Release/$FRAMEWORK/clip.dll"
dotnet build "$ROOT/src/Microsoft.ML.Clip.Cli" -c Release -f "$FRAMEWORK" -v q -nologo >&2

ALL="xclip.video.b1 xclip.video.b4 xclip.forward.v1t10 xclip.text.b32 altclip.image.b1 altclip.image.b4 altclip.text.b32 altclip-vitl14.image.b1"
NAMES=()
for name in $ALL; do
  if [[ -z "$FILTER" ]]; then NAMES+=("$name"); continue; fi
  IFS=',' read -ra parts <<< "$FILTER"
  for p in "${parts[@]}"; do [[ "$name" == *"$p"* ]] && { NAMES+=("$name"); break; }; done
done
[[ ${#NAMES[@]} -gt 0 ]] || { echo "side-by-side.sh: --filter '$FILTER' matches none of: $ALL" >&2; exit 2; }

: > "$OUT"
ours() { dotnet "$CLIP_DLL" bench --json --filter "$1" --runs "$RUNS" --threads "$THREADS" 2>/dev/null | sed "s/^{/{\"side\":\"ours\",\"round\":$2,/" >> "$OUT"; }
torch_side() { "$PY" "$ROOT/tests/perf/torch_reference.py" --filter "$1" --runs "$RUNS" --threads "$THREADS" 2>/dev/null | sed "s/^{/{\"side\":\"torch\",\"round\":$2,/" >> "$OUT"; }
dotnet "$CLIP_DLL" bench --json --filter gemm.peak --runs 3 2>/dev/null | sed 's/^{/{"side":"ours","round":0,/' >> "$OUT"

for ((r = 1; r <= ROUNDS; r++)); do
  for name in "${NAMES[@]}"; do
    echo "side-by-side.sh: round $r/$ROUNDS $name" >&2
    if (( r % 2 == 1 )); then ours "$name" "$r"; torch_side "$name" "$r"; else torch_side "$name" "$r"; ours "$name" "$r"; fi
  done
done

"$PY" - "$OUT" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
peak = next((r["gflops"] for r in rows if r["name"] == "gemm.peak"), None)
names = list(dict.fromkeys(r["name"] for r in rows if r["name"] != "gemm.peak"))
print(f"{'name':24} {'ours s':>8} {'torch s':>8} {'ratio':>6} {'ratios/round':>18} {'GFLOP/s':>8} {'ours WS':>8} {'torch WS':>8}")
for n in names:
    o = [r for r in rows if r["name"] == n and r["side"] == "ours"]
    t = [r for r in rows if r["name"] == n and r["side"] == "torch"]
    if not o or not t:
        continue
    om, tm = statistics.median(r["median_s"] for r in o), statistics.median(r["median_s"] for r in t)
    per_round = [a["median_s"] / b["median_s"] for a in o for b in t if a["round"] == b["round"]]
    gf = statistics.median(r["gflops"] for r in o)
    print(f"{n:24} {om:8.3f} {tm:8.3f} {om / tm:6.2f} {','.join(f'{x:.2f}' for x in per_round):>18} {gf:8.1f} "
          f"{max(r['peak_working_set_mib'] for r in o):6d}Mi {max(r['peak_working_set_mib'] for r in t):6d}Mi")
if peak:
    print(f"gemm.peak (one core, FMA): {peak:.1f} GFLOP/s")
EOF
