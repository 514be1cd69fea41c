"""Peer for VideoIO's drawing tests: outline rectangles with Pillow's ImageDraw on a given picture.

usage: videoio_draw.py WIDTH HEIGHT IN.raw OUT.raw X,Y,W,H,THICKNESS,R,G,B ...

IN.raw holds WIDTH x HEIGHT packed RGB24 pixels. Each rectangle (top-left X, Y; W x H pixels, which
may stick out of the picture) is drawn in order with
ImageDraw.rectangle([X, Y, X + W - 1, Y + H - 1], outline=(R, G, B), width=THICKNESS); the result is
written to OUT.raw as packed RGB24.
"""
import sys

from PIL import Image, ImageDraw

width, height = int(sys.argv[1]), int(sys.argv[2])
with open(sys.argv[3], "rb") as source:
    image = Image.frombytes("RGB", (width, height), source.read())
draw = ImageDraw.Draw(image)
for spec in sys.argv[5:]:
    x, y, w, h, thickness, r, g, b = (int(v) for v in spec.split(","))
    draw.rectangle([x, y, x + w - 1, y + h - 1], outline=(r, g, b), width=thickness)
with open(sys.argv[4], "wb") as out:
    out.write(image.tobytes())
