"""Peer for VideoIO's image tests: decode an image with Pillow, print its size and mode, write raw RGB24.

usage: videoio_image.py IMAGE OUT.raw   -> prints "WIDTH HEIGHT FORMAT" and writes packed RGB24 bytes.
"""
import sys

from PIL import Image

image = Image.open(sys.argv[1])
fmt = image.format
rgb = image.convert("RGB")
with open(sys.argv[2], "wb") as out:
    out.write(rgb.tobytes())
print(rgb.width, rgb.height, fmt)
