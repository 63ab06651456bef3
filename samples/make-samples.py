#!/usr/bin/env python3
"""Makes the offline samples of the repository (see samples/README.md):

  samples/models/xclip-tiny, samples/models/altclip-tiny   complete tiny model folders
  samples/media/testsrc2.mp4, samples/media/smptebars.png  a 2-second video and an image

The model folders take the random-weight fixture checkpoints of tests/fixtures/models (made by transformers) and add
what a real checkpoint folder has besides: a preprocessor_config.json (the real checkpoint's settings at the fixture's
32-pixel image size) and a tokenizer whose ids fit the tiny vocabulary of 1000:

  X-CLIP:  the real CLIP BPE cut to its first 998 ids (256 bytes, 256 end-of-word bytes and the first 486 merges,
           which create ids 512..997 in order), with <|startoftext|> = 998 and <|endoftext|> = 999, the fixture's
           bos/eos (eos is the largest id, as text pooling needs).
  AltCLIP: the XLM-R-style surrogate Unigram model cut to its first 999 pieces, <mask> = 999, model_max_length 38
           (max_position_embeddings 40 minus the padding offset 2).

The media are ffmpeg's synthetic test sources (no third-party content).

Usage: python3 samples/make-samples.py [--models-only] [OUTPUT]   (OUTPUT defaults to samples/ beside this script)
Needs python3; the media also need ffmpeg with libx264.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")


def fixture(relative):
    return os.path.join(FIXTURES, relative)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))


def copy_checkpoint(name, folder):
    for file in ("config.json", "model.safetensors"):
        shutil.copyfile(fixture(f"models/{name}/{file}"), os.path.join(folder, file))


def make_xclip(folder):
    copy_checkpoint("xclip-tiny", folder)
    processor = read_json(fixture("processors/configs/xclip-base-patch32/preprocessor_config.json"))
    processor["size"] = 32
    processor["crop_size"] = {"height": 32, "width": 32}
    write_json(os.path.join(folder, "preprocessor_config.json"), processor)

    bos, eos = 998, 999
    merges = bos - 512
    tokenizer = read_json(fixture("tokenizers/clip/tokenizer.json"))
    model = tokenizer["model"]
    vocab = {piece: i for piece, i in model["vocab"].items() if i < bos}
    vocab["<|startoftext|>"] = bos
    vocab["<|endoftext|>"] = eos
    model["vocab"] = vocab
    model["merges"] = model["merges"][:merges]
    for added in tokenizer["added_tokens"]:
        added["id"] = bos if added["content"] == "<|startoftext|>" else eos
    tokenizer["post_processor"]["sep"] = ["<|endoftext|>", eos]
    tokenizer["post_processor"]["cls"] = ["<|startoftext|>", bos]
    write_json(os.path.join(folder, "tokenizer.json"), tokenizer)

    # The same vocabulary as vocab.json + merges.txt, for loaders that prefer those.
    write_json(os.path.join(folder, "vocab.json"), vocab)
    with open(fixture("tokenizers/clip/merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")[1:1 + merges]
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(["#version: 0.2"] + lines) + "\n")
    for file in ("tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(fixture(f"tokenizers/clip/{file}"), os.path.join(folder, file))


def make_altclip(folder):
    copy_checkpoint("altclip-tiny", folder)
    processor = read_json(fixture("processors/configs/altclip/preprocessor_config.json"))
    processor["size"] = {"shortest_edge": 32}
    processor["crop_size"] = {"height": 32, "width": 32}
    write_json(os.path.join(folder, "preprocessor_config.json"), processor)

    mask = 999
    tokenizer = read_json(fixture("tokenizers/xlm-roberta-surrogate/tokenizer.json"))
    model = tokenizer["model"]
    model["vocab"] = model["vocab"][:mask] + [["<mask>", 0.0]]
    for added in tokenizer["added_tokens"]:
        if added["content"] == "<mask>":
            added["id"] = mask
    write_json(os.path.join(folder, "tokenizer.json"), tokenizer)
    config = read_json(fixture("tokenizers/xlm-roberta-surrogate/tokenizer_config.json"))
    config["model_max_length"] = 38  # max_position_embeddings 40 - padding_idx offset 2
    write_json(os.path.join(folder, "tokenizer_config.json"), config)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_media(folder):
    # 2 s of ffmpeg's testsrc2 pattern (moving shapes and a frame counter), 320x240 at 25 frames/s, H.264.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
           "-c:v", "libx264", "-preset", "medium", "-crf", "28", "-pix_fmt", "yuv420p", "-threads", "1",
           "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
           os.path.join(folder, "testsrc2.mp4"))
    # SMPTE colour bars, 320x240, one PNG frame.
    ffmpeg("-f", "lavfi", "-i", "smptebars=size=320x240", "-frames:v", "1", "-map_metadata", "-1",
           "-fflags", "+bitexact", "-flags:v", "+bitexact", os.path.join(folder, "smptebars.png"))


def main(argv):
    models_only = "--models-only" in argv
    rest = [a for a in argv if a != "--models-only"]
    out = os.path.abspath(rest[0]) if rest else HERE
    for name, make in (("xclip-tiny", make_xclip), ("altclip-tiny", make_altclip)):
        folder = os.path.join(out, "models", name)
        os.makedirs(folder, exist_ok=True)
        make(folder)
    if not models_only:
        media = os.path.join(out, "media")
        os.makedirs(media, exist_ok=True)
        make_media(media)
    print(f"samples written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
