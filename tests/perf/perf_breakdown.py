#!/usr/bin/python3
"""Where a forward pass spends its CPU time, by operation, from a `perf record -g` profile of our process.

CPU time (samples of both threads) rather than wall time, so that the breakdown holds on a loaded machine: other
processes change how long a forward takes, not which of our functions its cycles go to. Spin-waiting and hand-offs of
the worker pool are CPU time too and appear as their own rows; time a thread is blocked does not (it is idle).

    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 499 -g -o /tmp/x.data \\
        dotnet tests/Microsoft.ML.Clip.Benchmarks/bin/Release/net10.0/Microsoft.ML.Clip.Benchmarks.dll \\
        ort peak DIR xclip.video.b1 ours --runs 40
    perf script -i /tmp/x.data > /tmp/x.txt
    /usr/bin/python3 tests/perf/perf_breakdown.py /tmp/x.txt

Samples of loading and of the one-time weight packing (stacks through `EnsurePacked`, or packing with page faults on
a worker) are left out and counted apart: the table describes the steady-state forward pass.
"""
import collections
import re
import sys

def _kernel(st):
    """A sample in a GEMM micro-kernel: the 6-row tiles (GemmMicroKernels) or the last 1-5-row tile (GemmRowKernels)."""
    return "MicroKernels" in st or "GemmRowKernels" in st


# (row, test on the joined stack, leaf first): the first matching rule names a sample.
RULES = [
    ("one-time: load, weight packing", lambda leaf, st: "EnsurePacked" in st or "FromPretrained" in st or "Checkpoint" in st
     or ("PackPanel" in st and "page_fault" in st)
     # Linear packs its weight on first use with the worker pool (not through GemmPackJob, which packs per call).
     or ("PackPanel" in leaf and "GemmPackJob" not in st and "Gemm::Multiply" not in st)
     # ... and on the worker thread, where the packing is inlined into GemmPackJob::Execute and no caller is on the stack
     # (a large per-call Gemm.MatMul packed by the worker would land here too; the models pack per call only in attention,
     # inside AttentionWork items, on the thread that runs the item).
     or ("GemmPackJob" in leaf and "Gemm::Multiply" not in st)),
    ("GEMM kernel on the worker thread (its caller is not on its stack)", lambda leaf, st: _kernel(st) and "WorkerLoop" in st
     and "AttentionWork" not in st),
    ("GEMM kernel: attention QKᵀ, P·V", lambda leaf, st: _kernel(st) and "AttentionWork" in st),
    ("GEMM kernel: MLP fc1, fc2", lambda leaf, st: _kernel(st) and "Mlp::Forward" in st),
    ("GEMM kernel: q, k, v, out projections", lambda leaf, st: _kernel(st) and "Attention::Forward" in st),
    ("GEMM kernel: other (patch embedding, projections, message, prompts)", lambda leaf, st: _kernel(st)),
    ("B packing (per call: attention K, V)", lambda leaf, st: "GemmPacking" in leaf or "GemmPackJob" in leaf),
    ("GEMM edge tiles, driver loops", lambda leaf, st: "GemmDriver" in leaf),
    ("softmax", lambda leaf, st: "Softmax" in leaf),
    ("GELU / activations (GEMM epilogue)", lambda leaf, st: "Activations" in leaf or "VectorMath" in leaf),
    ("layer norm", lambda leaf, st: "LayerNorm" in leaf or "RowStatistics" in leaf),
    ("element-wise adds (residuals, embeddings)", lambda leaf, st: "TensorPrimitives" in leaf),
    ("copies (memmove, memset, Span copies, token gather/concat)", lambda leaf, st: "memmove" in leaf or "memset" in leaf or "Memmove" in leaf
     or "SpanHelpers" in leaf or "Clear" in leaf or "TakeTokens" in leaf),
    ("worker pool: spin, yield, wake-ups", lambda leaf, st: "WorkerPool" in leaf or "sched_yield" in leaf or "futex" in leaf
     or "Semaphore" in leaf or "SpinWait" in leaf or "Thread" in leaf
     or (leaf.startswith("[unknown]") and ("WorkerLoop" in st or "WorkerPool::Run" in st))),
    ("kernel (page faults, scheduler)", lambda leaf, st: "[k]" in leaf or "_kernel" in leaf or leaf.startswith("asm_") or "irq" in leaf),
]


def samples(path):
    """Yields each sample's frames (leaf first) from `perf script` output."""
    frames = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if frames:
                    yield frames
                frames = []
                continue
            if line.startswith((" ", "\t")):
                parts = line.strip().split(" ", 1)
                frames.append(parts[1] if len(parts) > 1 else parts[0])
    if frames:
        yield frames


def classify(frames):
    leaf = frames[0]
    stack = " < ".join(frames)
    for name, test in RULES:
        if test(leaf, stack):
            return name
    return "other"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    counts = collections.Counter(classify(f) for f in samples(sys.argv[1]))
    one_time = counts.pop("one-time: load, weight packing", 0)
    total = sum(counts.values())
    if total == 0:
        raise SystemExit(f"{sys.argv[1]}: no samples of the forward pass (was perf record run with -g?)")
    print(f"{'CPU time of the steady-state forward passes (both threads)':66} {'share':>6}")
    for name, n in counts.most_common():
        print(f"{name:66} {100 * n / total:5.1f}%")
    gemm = sum(n for name, n in counts.items() if name.startswith("GEMM kernel"))
    print(f"{'all GEMM micro-kernel time':66} {100 * gemm / total:5.1f}%")
    print(f"({total} samples; {one_time} more of loading and one-time weight packing left out)")


if __name__ == "__main__":
    main()
