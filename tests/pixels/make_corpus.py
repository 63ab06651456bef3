#!/usr/bin/env python3
"""Differential corpus for the decoders: writes images and videos into OUT (with Pillow and ffmpeg), decodes each
the way Python users do, and writes the reference RGB bytes plus manifest.json.

    python3 make_corpus.py OUT

Images: transformers.image_utils.load_image semantics, PIL.Image.open + ImageOps.exif_transpose + convert("RGB")
(reference "rgb"), and the stored orientation, Image.open + convert("RGB") (reference "stored").
Videos: PyAV, every frame of the first video stream, frame.to_ndarray(format="rgb24") (as the X-CLIP documentation's
read_video_pyav does; no rotation applied).
References are raw uint8 H x W x 3 bytes (frames concatenated). Needs Pillow, numpy, PyAV and ffmpeg
(Debian: python3-pil python3-numpy python3-av ffmpeg).
"""
import json
import os
import subprocess
import sys

import av
import numpy as np
from PIL import Image, ImageOps

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
MANIFEST = []


def path(name):
    return os.path.join(OUT, name)


def base_rgb(width, height, seed=0):
    """Sharp colour edges (saturated blocks), smooth gradients and noise: what chroma subsampling gets wrong."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = (x * 255 // max(1, width - 1)).astype(np.uint8)
    img[..., 1] = (y * 255 // max(1, height - 1)).astype(np.uint8)
    img[..., 2] = ((x + y) * 3 % 256).astype(np.uint8)
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255], [0, 0, 0], [255, 255, 255]], np.uint8)
    for by in range(0, height // 2, 7):
        for bx in range(0, width, 9):
            img[by:by + 7, bx:bx + 9] = colours[(bx // 9 + by // 7) % len(colours)]
    noise = rng.integers(0, 256, (height // 4, width, 3), dtype=np.uint8)
    img[height - height // 4:, :] = noise
    return img


def load_image(file, transpose=True):
    image = Image.open(file)
    if transpose:
        image = ImageOps.exif_transpose(image)
    return np.asarray(image.convert("RGB"))


def add_image(name, notes="", orientation=None):
    file = path(name)
    rgb = load_image(file)
    stored = load_image(file, transpose=False)
    rgb_file, stored_file = name + ".rgb.raw", name + ".stored.raw"
    with open(path(rgb_file), "wb") as f:
        f.write(np.ascontiguousarray(rgb).tobytes())
    with open(path(stored_file), "wb") as f:
        f.write(np.ascontiguousarray(stored).tobytes())
    with Image.open(file) as image:
        mode = image.mode
    MANIFEST.append({"name": name, "kind": "image", "mode": mode, "notes": notes,
                     "width": rgb.shape[1], "height": rgb.shape[0], "frames": 1, "reference": rgb_file,
                     "stored_width": stored.shape[1], "stored_height": stored.shape[0], "stored_reference": stored_file})


def add_video(name, notes=""):
    file = path(name)
    with av.open(file) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        pix_fmt = stream.codec_context.pix_fmt
    data = np.stack(frames)
    ref = name + ".rgb.raw"
    with open(path(ref), "wb") as f:
        f.write(np.ascontiguousarray(data).tobytes())
    MANIFEST.append({"name": name, "kind": "video", "mode": pix_fmt, "notes": notes,
                     "width": data.shape[2], "height": data.shape[1], "frames": data.shape[0], "reference": ref})


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def has_encoder(name):
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return any(line.split()[1:2] == [name] for line in out.splitlines() if len(line.split()) > 1)


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif


# ---- JPEG -------------------------------------------------------------------------------------------------------
rgb = Image.fromarray(base_rgb(101, 67))
for sub, label in ((2, "420"), (1, "422"), (0, "444")):
    for q in ((2, 25, 75, 100) if sub == 2 else (75, 100)):
        name = f"jpeg_{label}_q{q}.jpg"
        rgb.save(path(name), quality=q, subsampling=sub)
        add_image(name, f"baseline 4:{label[1]}:{label[2]} quality {q}")
rgb.save(path("jpeg_progressive_420.jpg"), quality=85, subsampling=2, progressive=True)
add_image("jpeg_progressive_420.jpg", "progressive 4:2:0")
rgb.save(path("jpeg_progressive_444.jpg"), quality=90, subsampling=0, progressive=True)
add_image("jpeg_progressive_444.jpg", "progressive 4:4:4")
rgb.convert("L").save(path("jpeg_grey.jpg"), quality=80)
add_image("jpeg_grey.jpg", "greyscale")
rgb.convert("CMYK").save(path("jpeg_cmyk.jpg"), quality=90)
add_image("jpeg_cmyk.jpg", "CMYK (Adobe, inverted)")
ffmpeg("-f", "lavfi", "-i", "testsrc=size=99x61", "-frames:v", "1", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3",
       path("jpeg_ffmpeg_odd.jpg"))
add_image("jpeg_ffmpeg_odd.jpg", "written by ffmpeg's mjpeg encoder, odd size")
small = Image.fromarray(base_rgb(64, 40, seed=1))
for orientation in range(1, 9):
    name = f"jpeg_exif_orientation{orientation}.jpg"
    small.save(path(name), quality=90, exif=exif_with_orientation(orientation))
    add_image(name, f"EXIF orientation {orientation}", orientation)

# ---- PNG --------------------------------------------------------------------------------------------------------
rgba = np.dstack([base_rgb(77, 53, seed=2), np.tile(np.arange(77, dtype=np.uint8) * 3, (53, 1))])
Image.fromarray(rgba, "RGBA").save(path("png_rgba.png"))
add_image("png_rgba.png", "RGBA, alpha 0..228 (alpha dropped, colours kept)")
Image.fromarray(rgba[..., [0, 3]], "LA").save(path("png_la.png"))
add_image("png_la.png", "grey + alpha")
rgb.convert("L").save(path("png_grey.png"))
add_image("png_grey.png", "greyscale")
rgb.convert("P", palette=Image.ADAPTIVE, colors=37).save(path("png_palette.png"))
add_image("png_palette.png", "palette, 37 colours")
palette = rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
palette.save(path("png_palette_trns.png"), transparency=3)
add_image("png_palette_trns.png", "palette with a transparent index")
rgb.convert("1").save(path("png_1bit.png"))
add_image("png_1bit.png", "1 bit per pixel")
grey16 = (np.arange(61 * 45, dtype=np.uint32).reshape(45, 61) * 23 % 65536).astype(np.uint16)
Image.fromarray(grey16.astype(np.int32), "I").save(path("png_grey16.png"))
add_image("png_grey16.png", "16-bit greyscale (Pillow mode I: convert('RGB') clips to 255)")
ffmpeg("-f", "lavfi", "-i", "testsrc=size=63x41", "-frames:v", "1", "-pix_fmt", "rgb48be", path("png_rgb48.png"))
add_image("png_rgb48.png", "16-bit RGB (Pillow keeps the high byte)")
ffmpeg("-f", "lavfi", "-i", "testsrc=size=63x41", "-frames:v", "1", "-pix_fmt", "rgba64be", path("png_rgba64.png"))
add_image("png_rgba64.png", "16-bit RGBA")
small.save(path("png_exif_orientation6.png"), exif=exif_with_orientation(6))
add_image("png_exif_orientation6.png", "eXIf chunk, orientation 6")

# ---- WebP, GIF, BMP, TIFF ---------------------------------------------------------------------------------------
rgb.save(path("webp_lossy.webp"), quality=75)
add_image("webp_lossy.webp", "lossy")
rgb.save(path("webp_lossless.webp"), lossless=True)
add_image("webp_lossless.webp", "lossless")
Image.fromarray(rgba, "RGBA").save(path("webp_lossy_alpha.webp"), quality=80)
add_image("webp_lossy_alpha.webp", "lossy with alpha")
small.save(path("webp_exif_orientation6.webp"), quality=90, exif=exif_with_orientation(6))
add_image("webp_exif_orientation6.webp", "EXIF chunk, orientation 6")
palette.save(path("gif_palette.gif"))
add_image("gif_palette.gif", "one-frame GIF")
palette.save(path("gif_transparent.gif"), transparency=3)
add_image("gif_transparent.gif", "one-frame GIF with a transparent index")
rgb.save(path("bmp_rgb.bmp"))
add_image("bmp_rgb.bmp", "24-bit")
palette.save(path("bmp_palette.bmp"))
add_image("bmp_palette.bmp", "8-bit palette")
rgb.save(path("tiff_rgb.tif"))
add_image("tiff_rgb.tif", "uncompressed RGB (ffmpeg: Skia has no TIFF codec)")
rgb.save(path("tiff_lzw.tif"), compression="tiff_lzw")
add_image("tiff_lzw.tif", "LZW RGB")
rgb.convert("L").save(path("tiff_grey.tif"))
add_image("tiff_grey.tif", "greyscale")
Image.fromarray(rgba, "RGBA").save(path("tiff_rgba.tif"))
add_image("tiff_rgba.tif", "RGBA")
small.save(path("tiff_exif_orientation6.tif"), exif=exif_with_orientation(6))
add_image("tiff_exif_orientation6.tif", "orientation tag 6 (ffmpeg decodes, the orientation is undone afterwards)")

# ---- Videos -----------------------------------------------------------------------------------------------------
SRC = ["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-frames:v", "6"]
videos = [
    ("h264_yuv420p.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "libx264", "H.264 8-bit 4:2:0, limited range"),
    ("h264_yuvj420p.mp4", ["-c:v", "libx264", "-pix_fmt", "yuvj420p"], "libx264", "H.264 full range (decoded as yuvj420p)"),
    ("h264_yuv444p.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"], "libx264", "H.264 4:4:4"),
    ("h264_yuv420p10le.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"], "libx264", "H.264 10-bit"),
    ("h264_yuv420p10le_full.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le", "-color_range", "pc"], "libx264",
     "H.264 10-bit flagged full range (PyAV converts it as limited)"),
    ("h264_bt709.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
                        "-color_trc", "bt709"], "libx264", "H.264 tagged BT.709 (PyAV converts with BT.601)"),
    ("h264_yuv422p10le.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv422p10le"], "libx264", "H.264 10-bit 4:2:2"),
    ("hevc_yuv420p.mp4", ["-c:v", "libx265", "-pix_fmt", "yuv420p", "-x265-params", "log-level=error"], "libx265", "HEVC 8-bit"),
    ("hevc_yuv420p10le_bt2020.mp4", ["-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-colorspace", "bt2020nc",
                                     "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-x265-params", "log-level=error"],
     "libx265", "HEVC 10-bit BT.2020 PQ (HDR as phones record it)"),
    ("hevc_yuv422p12le.mp4", ["-c:v", "libx265", "-pix_fmt", "yuv422p12le", "-x265-params", "log-level=error"], "libx265", "HEVC 12-bit 4:2:2"),
    ("vp9_yuv420p.webm", ["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p"], "libvpx-vp9", "VP9"),
    ("vp9_yuv420p10le.webm", ["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p10le"], "libvpx-vp9", "VP9 10-bit"),
    ("av1_yuv420p.mkv", ["-c:v", "libaom-av1", "-cpu-used", "8", "-pix_fmt", "yuv420p"], "libaom-av1", "AV1"),
    ("mpeg4.avi", ["-c:v", "mpeg4", "-q:v", "4"], "mpeg4", "MPEG-4 part 2"),
    ("mjpeg_yuvj420p.avi", ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"], "mjpeg", "MJPEG 4:2:0"),
    ("mjpeg_yuvj422p.avi", ["-c:v", "mjpeg", "-pix_fmt", "yuvj422p", "-q:v", "3"], "mjpeg", "MJPEG 4:2:2"),
]
for name, args, encoder, notes in videos:
    if has_encoder(encoder):
        ffmpeg(*SRC, *args, path(name))
        add_video(name, notes)
ODD = ["-f", "lavfi", "-i", "testsrc2=size=97x61:rate=10", "-frames:v", "5"]
ffmpeg(*ODD, "-c:v", "libx264", "-pix_fmt", "yuv444p", path("h264_odd_97x61.mp4"))
add_video("h264_odd_97x61.mp4", "odd width and height (4:4:4)")
ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x61:rate=10", "-frames:v", "5", "-c:v", "mpeg4", path("mpeg4_odd_height.avi"))
add_video("mpeg4_odd_height.avi", "odd height, 4:2:0 (swscale's general path)")
ffmpeg(*SRC, "-c:v", "libx264", "-pix_fmt", "yuv420p", path("plain.mp4"))
ffmpeg("-i", path("plain.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", path("rotated90.mp4"))
os.remove(path("plain.mp4"))
add_video("rotated90.mp4", "display rotation 90 (PyAV returns the stored frames)")
ffmpeg("-f", "lavfi", "-i", "testsrc2=size=96x64:rate=30", "-frames:v", "12",
       "-vf", "setpts='if(lt(N,6),N,N*3)/30/TB'", "-fps_mode", "passthrough", "-c:v", "libx264", path("vfr.mkv"))
add_video("vfr.mkv", "variable frame rate")

with open(path("manifest.json"), "w") as f:
    json.dump(MANIFEST, f, indent=1)
print(f"{len(MANIFEST)} inputs in {OUT}")
