#!/usr/bin/python3
"""ONNX Runtime's dynamic int8 quantization of the exported float graphs, and the same arithmetic in PyTorch eager.

ONNX Runtime quantizes a float graph with `onnxruntime.quantization.quantize_dynamic`, a Python tool; the `onnxruntime`
Python package cannot be installed here (no PyPI, not in Debian), but Debian's `python3-onnx` can. So this file does,
with the `onnx` package, what

    quantize_dynamic(float_graph, int8_graph, weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"],          # reduce_range=False, MatMulConstBOnly=True (defaults)
                     nodes_to_exclude=[the final projections])

writes, following ONNX Runtime's quantizer source (onnxruntime/python/tools/quantization: onnx_quantizer.py,
base_quantizer.py, quant_utils.py, operators/matmul.py `MatMulInteger`):

  every MatMul whose B is a float initializer [K, N] becomes
      A ──DynamicQuantizeLinear──> A_q (uint8, one scale and zero point for the whole tensor), A_scale, A_zero_point
      MatMulInteger(A_q, B_q, A_zero_point, B_zero_point) ── Cast(float) ── Mul(·, Mul(A_scale, B_scale)) ──> output
  with B_q int8 per column (axis −1, symmetric: scale = 2·max|B[:, n]| / 254 computed in float64 then stored as
  float32, zero point 0, q = clip(round_half_even(B / scale), −128, 127)). One DynamicQuantizeLinear per activation
  tensor (q, k and v projections share theirs), named as ONNX Runtime names them. The Add of the bias that
  torch.onnx.export writes after the MatMul stays as it is.

Not quantized, as in quantize_dynamic: Gemm (not in its IntegerOps registry: torch exports nn.Linear on a 2-D input
with a bias, X-CLIP's message_fc, as Gemm) and MatMuls of two activations (attention; MatMulConstBOnly). Left out on
purpose, to quantize what our int8 mode (ComputePrecision.Int8) quantizes: Conv (the patch embedding) and Gather
(embedding tables), which quantize_dynamic's default op list would also take, and the final projections
(visual_projection, text_projection, AltCLIP's text `transformation`, X-CLIP's `@ prompts_visual_projection`), which
our int8 mode keeps in float32 (`FLOAT32_MODULES`, `FLOAT32_PARAMETERS`).

ONNX Runtime's graph optimizer then fuses MatMulInteger + Cast + Mul + Mul + the bias Add into MatMulIntegerToFloat,
and DynamicQuantizeLinear + MatMulIntegerToFloat into DynamicQuantizeMatMul when the DynamicQuantizeLinear feeds that
one node only (onnxruntime/core/optimizer/matmul_integer_to_float.cc, dynamic_quantize_matmul_fusion.cc). ORT 1.32's
profile of xclip.text.b32 shows it: per layer DynamicQuantizeMatMul for out_proj, fc1, fc2, one DynamicQuantizeLinear
and MatMulIntegerToFloat for q, k, v, and no bias Add left.

`probe()` is a two-layer graph on which ORT and this emulation agree bit for bit (measured: max |Δ| 0 over 102 400
values with ORT 1.32), the evidence that the emulation is ORT's arithmetic.

`int8_like_ort(model)` swaps torch_reference's nn.Linear modules (but the final projections) for modules that compute
exactly that arithmetic in eager PyTorch (integer products summed exactly in float64), so the eager output on the check
inputs is what the int8 graph should return, up to rounding flips (see the C# runner's Int8Accuracy).
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

# Kept in float32, as our int8 mode keeps them: the modules (torch.onnx.export names their MatMul `/…/NAME/MatMul`) and
# the parameters used as `x @ P` (the MatMul's B is the parameter itself).
FLOAT32_MODULES = ("visual_projection", "text_projection", "transformation")
FLOAT32_PARAMETERS = ("prompts_visual_projection",)


# ------------------------------------------------------------------------------------------------------ weights
def quantize_per_column(w):
    """ONNX Runtime's per-channel QInt8 weight quantization of a MatMul B [K, N] along axis −1 (quant_utils.quantize_data,
    symmetric, reduce_range=False). Returns (q int8 [K, N], scale float32 [N]); the zero points are 0."""
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 2:
        raise ValueError(f"weight of shape {w.shape}: expected a matrix [K, N]")
    rmin = np.minimum(w.min(axis=0), np.float32(0))
    rmax = np.maximum(w.max(axis=0), np.float32(0))
    absmax = np.maximum(np.abs(rmin), np.abs(rmax))
    scale = (absmax - (-absmax)).astype(np.float64) / 254.0  # (rmax − rmin) / (qmax − qmin), qmin = −127, qmax = 127
    scale = np.where(scale < np.finfo(np.float32).tiny, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -128, 127).astype(np.int8)  # float32 division, round half to even
    return q, scale


# -------------------------------------------------------------------------------------------------------- graph
def _excluded(node):
    """The final projections (quantize_dynamic's nodes_to_exclude)."""
    return node.name.split("/")[-2:-1] in [[m] for m in FLOAT32_MODULES] or node.input[1].split(".")[-1] in FLOAT32_PARAMETERS


def quantize_matmuls(model):
    """Rewrites, in place, every MatMul of `model` (onnx.ModelProto) whose B is a float matrix initializer, but the final
    projections, into quantize_dynamic's DynamicQuantizeLinear / MatMulInteger / Cast / Mul / Mul. Returns the number of
    MatMuls rewritten."""
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    activations = set()  # tensors that already have their DynamicQuantizeLinear
    weights = {}  # float initializer name -> its int8 initializer names
    nodes, rewritten = [], 0
    for node in graph.node:
        b = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if b is None or b.data_type != TensorProto.FLOAT or len(b.dims) != 2 or _excluded(node):
            nodes.append(node)
            continue
        a = node.input[0]
        a_q, a_scale, a_zero = a + "_quantized", a + "_scale", a + "_zero_point"
        if a not in activations:
            nodes.append(helper.make_node("DynamicQuantizeLinear", [a], [a_q, a_scale, a_zero], a + "_QuantizeLinear"))
            activations.add(a)
        if b.name not in weights:
            q, scale = quantize_per_column(numpy_helper.to_array(b))
            names = (b.name + "_quantized", b.name + "_scale", b.name + "_zero_point")
            graph.initializer.extend([numpy_helper.from_array(q, names[0]), numpy_helper.from_array(scale, names[1]),
                                      numpy_helper.from_array(np.zeros(q.shape[1], dtype=np.int8), names[2])])
            weights[b.name] = names
        b_q, b_scale, b_zero = weights[b.name]
        name = node.name + "_quant"
        product = node.output[0] + "_output_quantized"
        nodes += [
            helper.make_node("MatMulInteger", [a_q, b_q, a_zero, b_zero], [product], name),
            helper.make_node("Cast", [product], [product + "_cast_output"], product + "_cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [a_scale, b_scale], [name + "_scales_mul:0"], name + "_scales_mul"),
            helper.make_node("Mul", [product + "_cast_output", name + "_scales_mul:0"], [node.output[0]], name + "_output_scale_mul"),
        ]
        rewritten += 1
    del graph.node[:]
    graph.node.extend(nodes)
    used = {i for n in graph.node for i in n.input}
    kept = [i for i in graph.initializer if i.name in used]  # the float weights go, as quantize_dynamic drops them
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))  # quantize_dynamic adds it too
    model.producer_name = "onnx.quantize (tests/perf/ort_dynamic_int8.py)"
    return rewritten


# ------------------------------------------------------------------------------------------------- eager emulation
def dynamic_int8_matmul(x, q, scale):
    """x [..., K] float32 @ B as the int8 graph computes it: DynamicQuantizeLinear(x) (uint8, per tensor: ONNX Runtime's
    kernel), MatMulInteger with the int8 B `q` [K, N] (summed exactly: |sum| < 2^53), Cast, × (x_scale · scale[n])."""
    lo = torch.clamp(x.min(), max=0.0)
    hi = torch.clamp(x.max(), min=0.0)
    x_scale = (hi - lo) / 255.0 if bool(hi != lo) else torch.tensor(1.0)
    zero = torch.round(torch.clamp(0.0 - lo / x_scale, 0.0, 255.0))  # RoundHalfToEven(clamp(qmin − min / scale))
    x_q = torch.clamp(torch.round(x / x_scale) + zero, 0.0, 255.0)
    products = torch.matmul((x_q - zero).double(), q.double()).float()
    return products * (x_scale * scale)


class DynamicInt8Linear(nn.Module):
    """An nn.Linear as quantize_dynamic leaves it: int8 when torch.onnx.export writes it as MatMul (input of rank > 2,
    or no bias), float32 when it writes Gemm (a 2-D input with a bias)."""

    def __init__(self, linear):
        super().__init__()
        q, scale = quantize_per_column(linear.weight.detach().t().numpy())  # the graph's B is weightᵀ [in, out]
        self.register_buffer("q", torch.from_numpy(q.astype(np.float32)))
        self.register_buffer("scale", torch.from_numpy(scale))
        self.weight, self.bias = linear.weight, linear.bias
        self.quantized_calls = 0

    def forward(self, x):
        if x.dim() == 2 and self.bias is not None:
            return F.linear(x, self.weight, self.bias)
        self.quantized_calls += 1
        y = dynamic_int8_matmul(x, self.q, self.scale)
        return y if self.bias is None else self.bias + y


def int8_like_ort(model):
    """Swaps, in place, every nn.Linear of a torch_reference model but the final projections for the int8 emulation
    above (the parameters in FLOAT32_PARAMETERS are used as they are). Returns a function giving the number of
    quantized products computed so far."""
    swapped = []
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear) and name not in FLOAT32_MODULES:
                setattr(parent, name, DynamicInt8Linear(child))
                swapped.append(getattr(parent, name))
    return lambda: sum(s.quantized_calls for s in swapped)


# ---------------------------------------------------------------------------------------------------------- probe
def probe():
    """A two-layer float graph small enough that ORT and the eager emulation should agree to a few rounding flips
    (no depth for them to spread): y = x·W0 + b0 + x·W1 + b1 (one DynamicQuantizeLinear shared by two MatMuls: ORT's
    MatMulIntegerToFloat path), z = y·W2 + b2 (ORT's DynamicQuantizeMatMul path). Returns (quantized onnx.ModelProto,
    {"x": input}, eager int8 output z) for `ort compare --precision int8` to run first (DIR/onnx-int8/probe)."""
    g = torch.Generator().manual_seed(17)
    x = torch.randn(4, 50, 768, generator=g)
    w = [torch.randn(768, 1024, generator=g) * 0.03, torch.randn(768, 1024, generator=g) * 0.03, torch.randn(1024, 512, generator=g) * 0.03]
    b = [torch.randn(n, generator=g) for n in (1024, 1024, 512)]
    init = [numpy_helper.from_array(t.numpy(), f"w{k}") for k, t in enumerate(w)] + [numpy_helper.from_array(t.numpy(), f"b{k}") for k, t in enumerate(b)]
    node = helper.make_node
    nodes = [node("MatMul", ["x", "w0"], ["m0"], "/probe/l0/MatMul"), node("Add", ["b0", "m0"], ["y0"], "/probe/l0/Add"),
             node("MatMul", ["x", "w1"], ["m1"], "/probe/l1/MatMul"), node("Add", ["b1", "m1"], ["y1"], "/probe/l1/Add"),
             node("Add", ["y0", "y1"], ["y"], "/probe/Add"),
             node("MatMul", ["y", "w2"], ["m2"], "/probe/l2/MatMul"), node("Add", ["b2", "m2"], ["output"], "/probe/l2/Add")]
    f = TensorProto.FLOAT
    graph = helper.make_graph(nodes, "probe", [helper.make_tensor_value_info("x", f, [4, 50, 768])],
                              [helper.make_tensor_value_info("output", f, [4, 50, 512])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if quantize_matmuls(model) != 3:
        raise AssertionError("the probe's three MatMuls should all be quantized")

    def layer(v, k):
        q, scale = quantize_per_column(w[k].numpy())
        return b[k] + dynamic_int8_matmul(v, torch.from_numpy(q.astype(np.float32)), torch.from_numpy(scale))

    return model, {"x": x}, layer(layer(x, 0) + layer(x, 1), 2)


# ------------------------------------------------------------------------------------------------------ self-test
def _ort_quantize_column(column):
    """ONNX Runtime's compute_scale_zp + quantize_nparray for one channel (QInt8, symmetric), transcribed scalar by
    scalar: the reference quantize_per_column's vectorised form is checked against."""
    rmin, rmax = np.minimum(column.min(), np.float32(0)), np.maximum(column.max(), np.float32(0))
    absmax = np.maximum(np.abs(rmin), np.abs(rmax))
    rmin, rmax = -absmax, +absmax
    scale = np.array(np.array(rmax - rmin, dtype=np.float64) / (np.float64(127) - np.float64(-127)))
    scale = np.array(1.0, dtype=np.float32) if scale < np.finfo(np.float32).tiny else scale.astype(np.float32)
    return np.clip((column.astype(np.float32) / scale).round() + 0, -128, 127).astype(np.int8), scale


def _test_weights():
    rng = np.random.default_rng(7)
    w = rng.standard_normal((37, 11)).astype(np.float32) * rng.uniform(0.01, 3, 11).astype(np.float32)
    w[:, 3] = 0  # an all-zero column: scale 1, all zeros
    w[:, 5] = np.abs(w[:, 5])  # a column without negative values
    q, scale = quantize_per_column(w)
    for n in range(w.shape[1]):
        expected_q, expected_scale = _ort_quantize_column(w[:, n])
        assert np.array_equal(q[:, n], expected_q) and scale[n] == expected_scale, f"column {n} differs from ORT's per-channel loop"
    # By hand: max |·| 127 → scale 1; 2.5 and −3.5 are ties, rounded to even.
    q, scale = quantize_per_column(np.array([[127.0], [2.5], [-3.5], [0.4]], dtype=np.float32))
    assert scale.tolist() == [1.0] and q[:, 0].tolist() == [127, 2, -4, 0], (q[:, 0], scale)


def _test_graph():
    f = TensorProto.FLOAT
    init = [numpy_helper.from_array(np.arange(20, dtype=np.float32).reshape(4, 5) - 7 * k, f"w{k}") for k in range(3)]
    init.append(numpy_helper.from_array(np.ones(5, dtype=np.float32), "b"))
    nodes = [
        helper.make_node("MatMul", ["x", "w0"], ["q"], "/layer/q_proj/MatMul"),
        helper.make_node("Add", ["b", "q"], ["q_biased"], "/layer/q_proj/Add"),
        helper.make_node("MatMul", ["x", "w1"], ["k"], "/layer/k_proj/MatMul"),
        helper.make_node("MatMul", ["x", "w2"], ["projected"], "/model/visual_projection/MatMul"),
        helper.make_node("Transpose", ["x"], ["xt"], "/layer/Transpose", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["x", "xt"], ["scores"], "/layer/MatMul"),
    ]
    outputs = [helper.make_tensor_value_info(n, f, [2, 3, 3 if n == "scores" else 5]) for n in ("q_biased", "k", "projected", "scores")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", f, [2, 3, 4])], outputs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    assert quantize_matmuls(model) == 2, "q_proj and k_proj only: the projection is excluded, the scores have no constant B"
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("DynamicQuantizeLinear") == 1 and ops.count("MatMulInteger") == 2 and ops.count("MatMul") == 2, ops
    names = {i.name for i in model.graph.initializer}
    assert {"w0", "w1"}.isdisjoint(names) and {"w2", "w0_quantized", "w0_scale", "w0_zero_point"} <= names, names
    q = next(n for n in model.graph.node if n.name == "/layer/q_proj/MatMul_quant")
    assert list(q.input) == ["x_quantized", "w0_quantized", "x_zero_point", "w0_zero_point"], q.input
    onnx.checker.check_model(model)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    types = {v.name: v.type.tensor_type.elem_type for v in inferred.graph.value_info}
    assert types["x_quantized"] == TensorProto.UINT8 and types["q_output_quantized"] == TensorProto.INT32, types


def _test_eager():
    # x spans [−85, 170]: scale exactly 1, zero point 85; 0.5 and 1.5 are ties, rounded to even (0 and 2).
    x = torch.tensor([[-85.0, 0.5, 1.5, 170.0]])
    y = dynamic_int8_matmul(x, torch.ones(4, 1), torch.tensor([2.0]))
    assert y.tolist() == [[174.0]], y  # (−85 + 0 + 2 + 170) · 1 · 2


def self_test():
    _test_weights()
    _test_graph()
    _test_eager()
    print("ort_dynamic_int8 self-test: OK")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--self-test"]:
        raise SystemExit("usage: /usr/bin/python3 tests/perf/ort_dynamic_int8.py --self-test (the export is export_onnx.py --precision int8)")
    self_test()
