#!/usr/bin/python3
"""PyTorch eager reference for `clip bench`: X-CLIP and AltCLIP written the way transformers 4.37.2 computes them.

Python `transformers` cannot be installed on the project machines (no PyPI), but Debian's python3-torch 1.13.1 is the
PyTorch build the published reference figures used. This file re-implements the two forward passes with the same
eager building blocks transformers uses (nn.Linear, nn.LayerNorm, bmm + softmax attention, quick_gelu, erf gelu), with
module names equal to the Hugging Face state-dict keys, so that:

  --check   loads tests/fixtures/models/{xclip-tiny,altclip-tiny}/model.safetensors and inputs.safetensors and compares
            every output to expected.safetensors (produced by transformers itself): proof that this file computes the
            same thing as transformers.
  (default) builds the full-size default configurations with random weights and times the same calls as `clip bench`
            (2 warm-ups, then the median of N), printing the same JSON lines.

Usage: /usr/bin/python3 tests/perf/torch_reference.py [--check] [--filter NAME[,NAME]] [--runs N] [--threads N]
"""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FINFO_MIN = torch.finfo(torch.float32).min


# ----------------------------------------------------------------------------------------------- shared CLIP pieces
class QuickGelu(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ClipAttention(nn.Module):
    """transformers' CLIPAttention/XCLIPAttention eager path: q scaled before QKᵀ, bmm, additive masks, softmax."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.scale = self.head_dim ** -0.5
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(dim, dim) for _ in range(4))

    def _shape(self, t, length, batch):
        return t.view(batch, length, self.heads, self.head_dim).transpose(1, 2).contiguous()

    def forward(self, x, causal_mask=None, padding_mask=None):
        batch, length, dim = x.shape
        q = self.q_proj(x) * self.scale
        k = self._shape(self.k_proj(x), -1, batch)
        v = self._shape(self.v_proj(x), -1, batch)
        shape = (batch * self.heads, -1, self.head_dim)
        q = self._shape(q, length, batch).view(*shape)
        k, v = k.view(*shape), v.view(*shape)
        w = torch.bmm(q, k.transpose(1, 2))
        if causal_mask is not None:
            w = w.view(batch, self.heads, length, length) + causal_mask
            w = w.view(batch * self.heads, length, length)
        if padding_mask is not None:
            w = w.view(batch, self.heads, length, length) + padding_mask
            w = w.view(batch * self.heads, length, length)
        w = F.softmax(w, dim=-1)
        out = torch.bmm(w, v).view(batch, self.heads, length, self.head_dim).transpose(1, 2).reshape(batch, length, dim)
        return self.out_proj(out)


class ClipMlp(nn.Module):
    def __init__(self, dim, intermediate):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(dim, intermediate), nn.Linear(intermediate, dim), QuickGelu()

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ClipLayer(nn.Module):
    """Pre-LN CLIP encoder layer (XCLIPEncoderLayer / CLIPEncoderLayer)."""

    def __init__(self, dim, intermediate, heads, eps):
        super().__init__()
        self.self_attn = ClipAttention(dim, heads)
        self.layer_norm1 = nn.LayerNorm(dim, eps=eps)
        self.mlp = ClipMlp(dim, intermediate)
        self.layer_norm2 = nn.LayerNorm(dim, eps=eps)

    def forward(self, h, causal_mask=None, padding_mask=None):
        h = h + self.self_attn(self.layer_norm1(h), causal_mask, padding_mask)
        return h + self.mlp(self.layer_norm2(h))


class XClipVisionLayer(ClipLayer):
    """XCLIPVisionEncoderLayer: a message token per frame (from its CLS), attended across the T frames of each video,
    appended last for the self-attention and dropped before the MLP."""

    def __init__(self, dim, intermediate, heads, eps, frames):
        super().__init__(dim, intermediate, heads, eps)
        self.frames = frames
        self.message_fc = nn.Linear(dim, dim)
        self.message_ln = nn.LayerNorm(dim, eps=eps)
        self.message_attn = ClipAttention(dim, heads)

    def forward(self, h, causal_mask=None, padding_mask=None):
        batch_time, length, dim = h.shape
        msg = self.message_fc(h[:, 0, :]).view(batch_time // self.frames, self.frames, dim)
        msg = msg + self.message_attn(self.message_ln(msg))
        x = torch.cat([h, msg.view(-1, 1, dim)], dim=1)
        x = x + self.self_attn(self.layer_norm1(x))
        h = x[:, :length, :]
        return h + self.mlp(self.layer_norm2(h))


class Encoder(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, h, causal_mask=None, padding_mask=None):
        states = [h]
        for layer in self.layers:
            h = layer(h, causal_mask, padding_mask)
            states.append(h)
        return h, states


class VisionEmbeddings(nn.Module):
    def __init__(self, dim, image, patch):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(dim))
        self.patch_embedding = nn.Conv2d(3, dim, kernel_size=patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, dim)

    def forward(self, pixels):
        patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixels.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight.unsqueeze(0)


class VisionTransformer(nn.Module):
    """CLIP ViT (AltCLIP: `pre_layrnorm`, sic) or X-CLIP's (`pre_layernorm`, message-token layers)."""

    def __init__(self, v, pre_name, frames=None):
        super().__init__()
        d, eps = v["hidden_size"], v.get("layer_norm_eps", 1e-5)
        self.pre_name = pre_name
        self.embeddings = VisionEmbeddings(d, v["image_size"], v["patch_size"])
        setattr(self, pre_name, nn.LayerNorm(d, eps=eps))
        make = (lambda: XClipVisionLayer(d, v["intermediate_size"], v["num_attention_heads"], eps, frames)) if frames \
            else (lambda: ClipLayer(d, v["intermediate_size"], v["num_attention_heads"], eps))
        self.encoder = Encoder([make() for _ in range(v["num_hidden_layers"])])
        self.post_layernorm = nn.LayerNorm(d, eps=eps)

    def forward(self, pixels):
        h = getattr(self, self.pre_name)(self.embeddings(pixels))
        last, states = self.encoder(h)
        return last, self.post_layernorm(last[:, 0, :]), states


# ------------------------------------------------------------------------------------------------------------ X-CLIP
class XClipText(nn.Module):
    def __init__(self, t):
        super().__init__()
        d, eps = t["hidden_size"], t.get("layer_norm_eps", 1e-5)
        self.embeddings = nn.Module()
        self.embeddings.token_embedding = nn.Embedding(t["vocab_size"], d)
        self.embeddings.position_embedding = nn.Embedding(t["max_position_embeddings"], d)
        self.encoder = Encoder([ClipLayer(d, t["intermediate_size"], t["num_attention_heads"], eps) for _ in range(t["num_hidden_layers"])])
        self.final_layer_norm = nn.LayerNorm(d, eps=eps)

    def forward(self, ids, mask):
        batch, length = ids.shape
        h = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding.weight[:length].unsqueeze(0)
        causal = torch.full((length, length), FINFO_MIN).triu(1)[None, None]
        padding = None
        if mask is not None:
            padding = (1.0 - mask[:, None, None, :].to(torch.float32).expand(batch, 1, length, length)) * FINFO_MIN
        last, states = self.encoder(h, causal, padding)
        last = self.final_layer_norm(last)
        pooled = last[torch.arange(batch), ids.to(torch.int).argmax(dim=-1)]
        return last, pooled, states


class Mit(nn.Module):
    def __init__(self, v):
        super().__init__()
        d, eps = v["mit_hidden_size"], v.get("layer_norm_eps", 1e-5)
        self.position_embedding = nn.Parameter(torch.randn(1, v["num_frames"], d))
        self.encoder = Encoder([ClipLayer(d, v["mit_intermediate_size"], v["mit_num_attention_heads"], eps) for _ in range(v["mit_num_hidden_layers"])])

    def forward(self, cls):
        last, states = self.encoder(cls + self.position_embedding)
        last = last + cls
        return last, last.mean(dim=1), states


class CrossAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.scale = heads, (d // heads) ** -0.5
        self.q_proj, self.k_proj, self.v_proj = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.proj = nn.Linear(d, d)

    def forward(self, q, k, v):
        b, n, c = q.shape
        m = k.shape[1]
        q = self.q_proj(q).reshape(b, n, self.heads, c // self.heads).permute(0, 2, 1, 3)
        k = self.k_proj(k).reshape(b, m, self.heads, c // self.heads).permute(0, 2, 1, 3)
        v = self.v_proj(v).reshape(b, m, self.heads, c // self.heads).permute(0, 2, 1, 3)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class PromptLayer(nn.Module):
    def __init__(self, d, heads, eps):
        super().__init__()
        self.cross_attn = CrossAttention(d, heads)
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.norm3 = nn.LayerNorm(d, eps=eps)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), QuickGelu(), nn.Dropout(0.0), nn.Linear(4 * d, d))

    def forward(self, x, visual):
        x = x + self.cross_attn(self.norm1(x), visual, visual)
        return x + self.mlp(self.norm3(x))


class PromptGenerator(nn.Module):
    def __init__(self, c, eps):
        super().__init__()
        d = c["projection_dim"]
        self.layernorm = nn.LayerNorm(d, eps=eps)
        self.decoder = nn.ModuleList([PromptLayer(d, c["prompt_num_attention_heads"], eps) for _ in range(c["prompt_layers"])])
        self.alpha = nn.Parameter(torch.ones(d) * c["prompt_alpha"])

    def forward(self, text, visual):
        visual = self.layernorm(visual)
        for layer in self.decoder:
            text = layer(text, visual)
        return self.alpha * text


class XClip(nn.Module):
    def __init__(self, c):
        super().__init__()
        v, t, d = c["vision_config"], c["text_config"], c["projection_dim"]
        eps = v.get("layer_norm_eps", 1e-5)
        self.frames = v["num_frames"]
        self.text_model = XClipText(t)
        self.vision_model = VisionTransformer(v, "pre_layernorm", frames=v["num_frames"])
        self.visual_projection = nn.Linear(v["hidden_size"], d, bias=False)
        self.text_projection = nn.Linear(t["hidden_size"], d, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(c.get("logit_scale_init_value", 2.6592)))
        self.prompts_visual_layernorm = nn.LayerNorm(v["hidden_size"], eps=eps)
        self.prompts_visual_projection = nn.Parameter(torch.randn(v["hidden_size"], d) * v["hidden_size"] ** -0.5)
        self.mit = Mit(v)
        self.prompts_generator = PromptGenerator(c, eps)

    def _video(self, pixels):
        b, t = pixels.shape[:2]
        last, pooled, states = self.vision_model(pixels.reshape(-1, *pixels.shape[2:]))
        cls = self.visual_projection(pooled).view(b, t, -1)
        mit = self.mit(cls)
        return (last, pooled, states), mit

    def get_video_features(self, pixels):
        return self._video(pixels)[1][1]

    def get_text_features(self, ids, mask=None):
        return self.text_projection(self.text_model(ids, mask)[1])

    def forward(self, ids, mask, pixels):
        b, t = pixels.shape[:2]
        vision, mit = self._video(pixels)
        video_embeds = mit[1]
        img = self.prompts_visual_layernorm(vision[0][:, 1:, :]) @ self.prompts_visual_projection
        img = img.view(b, t, -1, video_embeds.shape[-1]).mean(dim=1)
        text = self.text_model(ids, mask)
        text_embeds = self.text_projection(text[1]).unsqueeze(0).expand(b, -1, -1)
        text_embeds = text_embeds + self.prompts_generator(text_embeds, img)
        video_embeds = video_embeds / video_embeds.norm(p=2, dim=-1, keepdim=True)
        text_embeds = text_embeds / text_embeds.norm(p=2, dim=-1, keepdim=True)
        logits_per_video = torch.einsum("bd,bkd->bk", video_embeds, self.logit_scale.exp() * text_embeds)
        return dict(logits_per_video=logits_per_video, logits_per_text=logits_per_video.T, text_embeds=text_embeds,
                    video_embeds=video_embeds, vision=vision, mit=mit, text=text)


# ----------------------------------------------------------------------------------------------------------- AltCLIP
class RobertaLayer(nn.Module):
    """Post-LN XLM-R layer: scores divided by √d after QKᵀ, exact erf GELU."""

    def __init__(self, d, intermediate, heads, eps):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query, self.attention.self.key, self.attention.self.value = (nn.Linear(d, d) for _ in range(3))
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(d, d)
        self.attention.output.LayerNorm = nn.LayerNorm(d, eps=eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(d, intermediate)
        self.output = nn.Module()
        self.output.dense = nn.Linear(intermediate, d)
        self.output.LayerNorm = nn.LayerNorm(d, eps=eps)

    def _heads(self, x):
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, h, mask):
        s = self.attention.self
        q, k, v = self._heads(s.query(h)), self._heads(s.key(h)), self._heads(s.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        ctx = torch.matmul(F.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(h.shape[0], h.shape[1], -1)
        a = self.attention.output.LayerNorm(self.attention.output.dense(ctx) + h)
        i = F.gelu(self.intermediate.dense(a))
        return self.output.LayerNorm(self.output.dense(i) + a)


class AltText(nn.Module):
    def __init__(self, t):
        super().__init__()
        d, eps = t["hidden_size"], t.get("layer_norm_eps", 1e-5)
        self.pad = t.get("pad_token_id", 1)
        r = self.roberta = nn.Module()
        r.embeddings = nn.Module()
        r.embeddings.word_embeddings = nn.Embedding(t["vocab_size"], d)
        r.embeddings.position_embeddings = nn.Embedding(t["max_position_embeddings"], d)
        r.embeddings.token_type_embeddings = nn.Embedding(t.get("type_vocab_size", 1), d)
        r.embeddings.LayerNorm = nn.LayerNorm(d, eps=eps)
        r.encoder = nn.Module()
        r.encoder.layer = nn.ModuleList([RobertaLayer(d, t["intermediate_size"], t["num_attention_heads"], eps) for _ in range(t["num_hidden_layers"])])
        self.pre_LN = nn.LayerNorm(d, eps=eps)
        self.transformation = nn.Linear(d, t["project_dim"])

    def forward(self, ids, mask):
        e = self.roberta.embeddings
        not_pad = ids.ne(self.pad).int()
        positions = (torch.cumsum(not_pad, dim=1).type_as(not_pad) * not_pad).long() + self.pad
        h = e.word_embeddings(ids) + e.token_type_embeddings.weight[0]
        h = e.LayerNorm(h + e.position_embeddings(positions))
        if mask is None:
            mask = torch.ones_like(ids)
        ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * FINFO_MIN
        states = [h]
        for layer in self.roberta.encoder.layer:
            h = layer(h, ext)
            states.append(h)
        proj = self.transformation(self.pre_LN(h))
        return proj, proj[:, 0], states


class AltClip(nn.Module):
    def __init__(self, c):
        super().__init__()
        v, t, d = c["vision_config"], c["text_config"], c["projection_dim"]
        self.text_model = AltText(t)
        self.vision_model = VisionTransformer(v, "pre_layrnorm")
        self.visual_projection = nn.Linear(v["hidden_size"], d, bias=False)
        self.text_projection = nn.Linear(t["project_dim"], d, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(c.get("logit_scale_init_value", 2.6592)))

    def get_image_features(self, pixels):
        return self.visual_projection(self.vision_model(pixels)[1])

    def get_text_features(self, ids, mask=None):
        return self.text_projection(self.text_model(ids, mask)[1])

    def forward(self, ids, mask, pixels):
        vision = self.vision_model(pixels)
        text = self.text_model(ids, mask)
        image_embeds, text_embeds = self.visual_projection(vision[1]), self.text_projection(text[1])
        image_embeds = image_embeds / image_embeds.norm(p=2, dim=-1, keepdim=True)
        text_embeds = text_embeds / text_embeds.norm(p=2, dim=-1, keepdim=True)
        logits_per_text = torch.matmul(text_embeds, image_embeds.t()) * self.logit_scale.exp()
        return dict(logits_per_text=logits_per_text, logits_per_image=logits_per_text.t(), text_embeds=text_embeds,
                    image_embeds=image_embeds, vision=vision, text=text)


# ------------------------------------------------------------------------------------------------------ safetensors
_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    """Reads a .safetensors file (8-byte little-endian header length, JSON header, raw little-endian data)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: {len(blob)} bytes, too short for a safetensors header")
    n = struct.unpack("<Q", blob[:8])[0]
    if 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} exceeds the file size {len(blob)}")
    header, base, out = json.loads(blob[8:8 + n]), 8 + n, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if info["dtype"] not in _DTYPES or not 0 <= begin <= end <= len(blob) - base:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']} / offsets {begin}..{end} that cannot be read")
        array = np.frombuffer(blob, dtype=_DTYPES[info["dtype"]], count=(end - begin) // np.dtype(_DTYPES[info["dtype"]]).itemsize, offset=base + begin)
        out[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return out


# ------------------------------------------------------------------------------------------------------------ check
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _load(kind):
    folder = os.path.join(ROOT, "tests", "fixtures", "models", f"{kind}-tiny")
    with open(os.path.join(folder, "config_full.json")) as f:
        config = json.load(f)
    model = (XClip if kind == "xclip" else AltClip)(config).eval()
    state = read_safetensors(os.path.join(folder, "model.safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{kind}: state dict mismatch, missing {missing}, unexpected {unexpected}")
    return model, read_safetensors(os.path.join(folder, "inputs.safetensors")), read_safetensors(os.path.join(folder, "expected.safetensors"))


def _outputs(kind, model, x):
    ids, mask, pixels = x["input_ids"], x["attention_mask"], x["pixel_values"]
    out = model(ids, mask, pixels)
    got = {k: out[k] for k in out if not isinstance(out[k], tuple)}
    vision, text = out["vision"], out["text"]
    got["vision_model_output.last_hidden_state"], got["vision_model_output.pooler_output"] = vision[0], vision[1]
    got["text_model_output.last_hidden_state"], got["text_model_output.pooler_output"] = text[0], text[1]
    for i, s in enumerate(vision[2]):
        got[f"vision_model_output.hidden_states.{i}"] = s
    for i, s in enumerate(text[2]):
        got[f"text_model_output.hidden_states.{i}"] = s
    got["get_text_features"] = model.get_text_features(ids, mask)
    if kind == "xclip":
        got["vision_model.last_hidden_state"], got["vision_model.pooler_output"] = vision[0], vision[1]
        got["get_video_features"] = model.get_video_features(pixels)
        mit = out["mit"]
        got["mit_output.last_hidden_state"], got["mit_output.pooler_output"] = mit[0], mit[1]
        for i, s in enumerate(mit[2]):
            got[f"mit_output.hidden_states.{i}"] = s
    else:
        got["get_image_features"] = model.get_image_features(pixels)
    return got


def check():
    failures, compared = 0, 0
    for kind in ("xclip", "altclip"):
        model, inputs, expected = _load(kind)
        with torch.no_grad():
            got = _outputs(kind, model, inputs)
        for name in sorted(expected):
            if name.startswith("intermediate."):
                continue  # internal taps of the fixture generator; every model output is compared below
            if name not in got:
                print(f"FAIL {kind} {name}: not computed by the reference")
                failures += 1
                continue
            tolerance = 1e-3 if name.startswith("logits") else 1e-4
            diff = (got[name].to(torch.float32) - expected[name].to(torch.float32)).abs().max().item()
            ok = got[name].shape == expected[name].shape and diff <= tolerance
            compared += 1
            failures += 0 if ok else 1
            print(f"{'ok  ' if ok else 'FAIL'} {kind:8} {name:45} max|Δ| {diff:.2e} (≤ {tolerance:g})")
    print(f"{compared} outputs compared, {failures} failure(s)")
    return 1 if failures else 0


# ------------------------------------------------------------------------------------------------------------ bench
XCLIP_DEFAULT = dict(
    projection_dim=512, prompt_layers=2, prompt_num_attention_heads=8, prompt_alpha=0.1, logit_scale_init_value=2.6592,
    text_config=dict(vocab_size=49408, hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8, max_position_embeddings=77),
    vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, image_size=224, patch_size=32,
                       num_frames=8, mit_hidden_size=512, mit_intermediate_size=2048, mit_num_hidden_layers=1, mit_num_attention_heads=8))
ALTCLIP_VISION_B32 = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, image_size=224, patch_size=32)
ALTCLIP_DEFAULT = dict(
    projection_dim=768, logit_scale_init_value=2.6592, vision_config=ALTCLIP_VISION_B32,
    text_config=dict(vocab_size=250002, hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                     max_position_embeddings=514, type_vocab_size=1, project_dim=768, pad_token_id=1))
# The released BAAI/AltCLIP vision tower; the text tower is shrunk exactly as `clip bench` does (only images are timed).
ALTCLIP_VITL14 = dict(
    projection_dim=768, vision_config=dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16, image_size=224, patch_size=14),
    text_config=dict(vocab_size=1000, hidden_size=64, intermediate_size=64, num_hidden_layers=1, num_attention_heads=1, max_position_embeddings=514, project_dim=768))

TEXT_LENGTH = 16


def _pixels(*shape):
    g = torch.Generator().manual_seed(7)
    return torch.rand(*shape, generator=g) * 4 - 2


def _tokens(texts, vocab):
    """Like `clip bench`: random ids in [3, vocab-2), the last token the largest id (CLIP pools there); mask all ones."""
    g = torch.Generator().manual_seed(11)
    ids = torch.randint(3, vocab - 2, (texts, TEXT_LENGTH), generator=g)
    ids[:, -1] = vocab - 1
    return ids, torch.ones_like(ids)


_MODELS = {}


def _model(key):
    if key not in _MODELS:
        torch.manual_seed(0)
        config = {"xclip": XCLIP_DEFAULT, "altclip": ALTCLIP_DEFAULT, "altclip-vitl14": ALTCLIP_VITL14}[key]
        _MODELS.clear()  # one full-size model at a time keeps the reference's memory comparable to ours
        _MODELS[key] = (XClip if key == "xclip" else AltClip)(config).eval()
    return _MODELS[key]


def _bench_cases():
    def xclip_video(b):
        return lambda: (lambda m, p: lambda: m.get_video_features(p))(_model("xclip"), _pixels(b, 8, 3, 224, 224))

    def altclip_image(key, b):
        return lambda: (lambda m, p: lambda: m.get_image_features(p))(_model(key), _pixels(b, 3, 224, 224))

    def xclip_forward():
        m = _model("xclip")
        ids, mask = _tokens(10, 49408)
        p = _pixels(1, 8, 3, 224, 224)
        return lambda: m(ids, mask, p)

    def text(key, vocab):
        def prepare():
            m = _model(key)
            ids, _ = _tokens(32, vocab)
            return lambda: m.get_text_features(ids)
        return prepare

    return [
        ("xclip.video.b1", xclip_video(1)), ("xclip.video.b4", xclip_video(4)), ("xclip.forward.v1t10", xclip_forward),
        ("xclip.text.b32", text("xclip", 49408)), ("altclip.image.b1", altclip_image("altclip", 1)),
        ("altclip.image.b4", altclip_image("altclip", 4)), ("altclip.text.b32", text("altclip", 250002)),
        ("altclip-vitl14.image.b1", altclip_image("altclip-vitl14", 1)),
    ]


def _peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return -1


def bench(filter_, runs, warmups):
    cases = _bench_cases()
    if filter_:
        parts = [p.strip().lower() for p in filter_.split(",") if p.strip()]
        cases = [c for c in cases if any(p in c[0].lower() for p in parts)]
        if not cases:
            raise SystemExit(f"--filter '{filter_}' matches no benchmark")
    for name, prepare in cases:
        with torch.no_grad():
            run = prepare()
            for _ in range(warmups):
                run()
            seconds = []
            for _ in range(runs):
                start = time.perf_counter()
                run()
                seconds.append(time.perf_counter() - start)
        print(json.dumps({"name": name, "median_s": round(statistics.median(seconds), 6), "min_s": round(min(seconds), 6),
                          "max_s": round(max(seconds), 6), "peak_working_set_mib": _peak_rss_mib()}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare against the transformers fixtures and exit")
    parser.add_argument("--filter", help="comma-separated parts of benchmark names")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        return check()
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", file=sys.stderr)
    bench(args.filter, args.runs, args.warmups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
