"""Pillow's side of the resize test: crops boxes out of an image and resizes them the way the
official PFSA pipeline does (RectScale: PIL bilinear), then normalises like torchvision.

  engine_pillow.py IMAGE HEIGHT WIDTH OUT_PREFIX x0,y0,x1,y1 [x0,y0,x1,y1 ...]

Writes OUT_PREFIX_pixels.npy (K, H, W, 3) float32 holding the 8-bit values, and
OUT_PREFIX_input.npy (K, 3, H, W) float32: (v / 255 - mean) / std.
"""
import sys

import numpy as np
from PIL import Image

image_path, height, width, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
image = Image.open(image_path).convert("RGB")
pixels, inputs = [], []
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
for spec in sys.argv[5:]:
    x0, y0, x1, y1 = (int(v) for v in spec.split(","))
    resized = np.asarray(image.crop((x0, y0, x1, y1)).resize((width, height), Image.BILINEAR))
    pixels.append(resized.astype(np.float32))
    tensor = resized.astype(np.float32) / np.float32(255)
    inputs.append(((tensor - mean) / std).transpose(2, 0, 1))
np.save(prefix + "_pixels.npy", np.stack(pixels))
np.save(prefix + "_input.npy", np.ascontiguousarray(np.stack(inputs), dtype=np.float32))
