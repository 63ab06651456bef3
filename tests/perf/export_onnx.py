#!/usr/bin/python3
"""Exports each `clip bench` model benchmark to ONNX, with the weights of `clip bench`'s own checkpoints, for the
ONNX Runtime side-by-side (tests/perf/README.md; never in CI).

The computation is torch_reference.py's (bit-exact with transformers 4.37.2 on the fixtures: `torch_reference.py
--check`); the weights are read from the checkpoints that `Microsoft.ML.Clip.Benchmarks ort checkpoints DIR` writes
(DIR/xclip, DIR/altclip, DIR/altclip-vitl14: config.json + model.safetensors, the same seeds as `clip bench`), so ORT
and our side compute with the same numbers. For each benchmark it writes DIR/onnx/NAME/:

  model.onnx          torch.onnx.export, opset 17, fixed shapes (the benchmark's), constant folding; graphs over 2 GiB
                      (the AltCLIP text tower) keep their weights as external data files beside it
  check.safetensors   the graph's inputs (random, torch-generated) and the eager output on them (`output`): the C#
                      runner checks ORT on the file against it before timing (the export is right) and ORT against us

With `--precision int8` it then writes DIR/onnx-int8/NAME/ (exporting the float graph first when it is missing):

  model.onnx          the float graph as ONNX Runtime's `quantize_dynamic(..., weight_type=QInt8, per_channel=True,
                      op_types_to_quantize=["MatMul"], nodes_to_exclude=[the final projections])` rewrites it
                      (ort_dynamic_int8.py: the onnxruntime Python package cannot be installed here, python3-onnx can)
  check.safetensors   the float check's inputs, `output`: the same int8 arithmetic in eager PyTorch on them, and
                      `float_output`: the float32 eager output (from DIR/onnx/NAME/check.safetensors)

Usage: /usr/bin/python3 tests/perf/export_onnx.py DIR [--filter NAME[,NAME]] [--force] [--precision float32|int8]
"""
import argparse
import json
import os
import struct
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402

TEXT_LENGTH = 16  # clip bench's


def _video(b):
    return dict(inputs=lambda m: {"pixel_values": ref._pixels(b, 8, 3, 224, 224)}, call=lambda m, pixel_values: m.get_video_features(pixel_values))


def _image(b):
    return dict(inputs=lambda m: {"pixel_values": ref._pixels(b, 3, 224, 224)}, call=lambda m, pixel_values: m.get_image_features(pixel_values))


def _text(texts):
    return dict(inputs=lambda m: {"input_ids": ref._tokens(texts, m.vocab)[0]}, call=lambda m, input_ids: m.get_text_features(input_ids))


def _forward_inputs(m):
    ids, mask = ref._tokens(10, m.vocab)
    return {"input_ids": ids, "attention_mask": mask, "pixel_values": ref._pixels(1, 8, 3, 224, 224)}


# name -> (family, inputs(model) -> {name: tensor} in graph input order, call(model, *inputs) -> the benchmark's output)
CASES = {
    "xclip.video.b1": ("xclip", _video(1)),
    "xclip.video.b4": ("xclip", _video(4)),
    "xclip.forward.v1t10": ("xclip", dict(inputs=_forward_inputs, call=lambda m, input_ids, attention_mask, pixel_values:
                                          m(input_ids, attention_mask, pixel_values)["logits_per_video"])),
    "xclip.text.b32": ("xclip", _text(32)),
    "altclip.image.b1": ("altclip", _image(1)),
    "altclip.image.b4": ("altclip", _image(4)),
    "altclip.text.b32": ("altclip", _text(32)),
    "altclip-vitl14.image.b1": ("altclip-vitl14", _image(1)),
}


class Call(nn.Module):
    """The one call a benchmark times, as a module whose forward takes the benchmark's tensors."""

    def __init__(self, model, call):
        super().__init__()
        self.model, self.call = model, call

    def forward(self, *inputs):
        return self.call(self.model, *inputs)


_NP = {"F32": np.float32, "I64": np.int64}


def mapped_safetensors(path):
    """The tensors of a safetensors file as views of a read-only memory map (no copy of a multi-GB file); load_state_dict
    copies them into the model, nothing writes them."""
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
    blob = np.memmap(path, dtype=np.uint8, mode="r")
    n = struct.unpack("<Q", blob[:8].tobytes())[0]
    header, base, out = json.loads(blob[8:8 + n].tobytes()), 8 + n, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _NP:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected F32 or I64")
        begin, end = info["data_offsets"]
        array = np.frombuffer(blob, dtype=_NP[info["dtype"]], count=(end - begin) // np.dtype(_NP[info["dtype"]]).itemsize, offset=base + begin)
        out[name] = torch.from_numpy(array.reshape(info["shape"]))
    return out


def write_safetensors(path, tensors):
    """A safetensors file (8-byte little-endian header length, JSON header, raw data), written to a temp name and renamed."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def load(folder, family):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = (ref.XClip if family == "xclip" else ref.AltClip)(config).eval()
    missing, unexpected = model.load_state_dict(mapped_safetensors(os.path.join(folder, "model.safetensors")), strict=False)
    if missing or unexpected:
        raise SystemExit(f"{folder}: the checkpoint does not match torch_reference's {family}: missing {missing}, unexpected {unexpected}")
    model.vocab = config["text_config"]["vocab_size"]
    return model


def export(root, name, family, case, model, force):
    folder = os.path.join(root, "onnx", name)
    path = os.path.join(folder, "model.onnx")
    if os.path.exists(os.path.join(folder, "check.safetensors")) and not force:
        print(f"{name}: {folder} exists (--force to export again)", file=sys.stderr)
        return
    os.makedirs(folder, exist_ok=True)
    inputs = case["inputs"](model)
    wrapper = Call(model, case["call"]).eval()
    start = time.perf_counter()
    with torch.no_grad():
        eager = wrapper(*inputs.values())
        torch.onnx.export(wrapper, tuple(inputs.values()), path, opset_version=17, do_constant_folding=True,
                          input_names=list(inputs), output_names=["output"])
    files = os.listdir(folder)
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in files)
    # check.safetensors last: its presence says the export is complete.
    write_safetensors(os.path.join(folder, "check.safetensors"), {**inputs, "output": eager})
    print(f"{name}: exported in {time.perf_counter() - start:.0f} s, {size / 2**20:.0f} MiB in {len(files)} file(s), "
          f"output {tuple(eager.shape)}", file=sys.stderr)


def export_int8(root, name, model, call, count_quantized, force):
    """DIR/onnx/NAME/model.onnx quantized as quantize_dynamic does, to DIR/onnx-int8/NAME/, with its eager check."""
    import onnx  # Debian's python3-onnx, needed for this mode only
    import ort_dynamic_int8 as int8

    source, folder = os.path.join(root, "onnx", name), os.path.join(root, "onnx-int8", name)
    if os.path.exists(os.path.join(folder, "check.safetensors")) and not force:
        print(f"{name}: {folder} exists (--force to quantize again)", file=sys.stderr)
        return
    start = time.perf_counter()
    graph = onnx.load(os.path.join(source, "model.onnx"))  # with its external data, if any
    external = any(f not in ("model.onnx", "check.safetensors") for f in os.listdir(source))
    rewritten = int8.quantize_matmuls(graph)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    if external:
        onnx.save_model(graph, path, save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx.data")
    else:
        onnx.save_model(graph, path)
    check = mapped_safetensors(os.path.join(source, "check.safetensors"))
    inputs = {i.name: check[i.name].clone() for i in graph.graph.input}
    del graph
    before = count_quantized()
    with torch.no_grad():
        output = Call(model, call).eval()(*inputs.values())
    if count_quantized() - before != rewritten:
        raise SystemExit(f"{name}: the eager emulation computed {count_quantized() - before} int8 products, the graph has "
                         f"{rewritten} quantized MatMuls: they do not quantize the same layers")
    reference = check["output"].clone()
    rows = output.reshape(-1, output.shape[-1]), reference.reshape(-1, reference.shape[-1])
    cosine = F.cosine_similarity(rows[0].double(), rows[1].double(), dim=-1).min().item()
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    write_safetensors(os.path.join(folder, "check.safetensors"), {**inputs, "output": output, "float_output": reference})
    print(f"{name}: {rewritten} MatMuls quantized in {time.perf_counter() - start:.0f} s, {size / 2**20:.0f} MiB; eager int8 "
          f"vs float32: min cosine {cosine:.6f}, max |Δ| {(output - reference).abs().max().item():.2e}", file=sys.stderr)


def export_probe(root, force):
    """DIR/onnx-int8/probe: ort_dynamic_int8.probe(), a two-layer graph ORT should compute as the eager emulation does."""
    import onnx
    import ort_dynamic_int8 as int8

    folder = os.path.join(root, "onnx-int8", "probe")
    if os.path.exists(os.path.join(folder, "check.safetensors")) and not force:
        return
    model, inputs, output = int8.probe()
    os.makedirs(folder, exist_ok=True)
    onnx.save_model(model, os.path.join(folder, "model.onnx"))
    write_safetensors(os.path.join(folder, "check.safetensors"), {**inputs, "output": output})
    print(f"probe: {folder}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", help="the folder `ort checkpoints` wrote (DIR/xclip, DIR/altclip, DIR/altclip-vitl14)")
    parser.add_argument("--filter", help="comma-separated parts of benchmark names")
    parser.add_argument("--force", action="store_true", help="export again even when the graph exists")
    parser.add_argument("--precision", choices=["float32", "int8"], default="float32",
                        help="int8: also write DIR/onnx-int8/NAME, the graphs quantize_dynamic makes of DIR/onnx/NAME")
    args = parser.parse_args()
    parts = [p.strip() for p in (args.filter or "").split(",") if p.strip()]
    names = [n for n in CASES if not parts or any(p in n for p in parts)]
    if not names:
        raise SystemExit(f"--filter '{args.filter}' matches none of {', '.join(CASES)}")
    torch.set_num_threads(2)
    if args.precision == "int8":
        export_probe(args.root, args.force)

    def done(name, kind):
        return os.path.exists(os.path.join(args.root, kind, name, "check.safetensors")) and not args.force

    for family in dict.fromkeys(CASES[n][0] for n in names):  # one full-size model at a time, in CASES' order
        if all(done(n, "onnx") and (args.precision == "float32" or done(n, "onnx-int8")) for n in names if CASES[n][0] == family):
            print(f"{family}: every graph exists (--force to export again)", file=sys.stderr)
            continue
        folder = os.path.join(args.root, family)
        if not os.path.exists(os.path.join(folder, "config.json")):
            raise SystemExit(f"{folder}: no checkpoint; run `Microsoft.ML.Clip.Benchmarks ort checkpoints {args.root}` first")
        model = load(folder, family)
        for name in (n for n in names if CASES[n][0] == family):
            export(args.root, name, family, CASES[name][1], model, args.force and args.precision == "float32")
        if args.precision == "int8":
            import ort_dynamic_int8 as int8

            count_quantized = int8.int8_like_ort(model)  # in place: the float graphs are written by now
            for name in (n for n in names if CASES[n][0] == family):
                export_int8(args.root, name, model, CASES[name][1]["call"], count_quantized, args.force)
        del model
    return 0


if __name__ == "__main__":
    sys.exit(main())
