"""Make the supplied detections of the demo's two virtual cameras of vtest.avi with OpenCV's HOG people detector.

The demo pipeline splits Samples/data/vtest.avi (768x576, 795 frames, 10 fps) into two virtual cameras
that overlap by 64 px:

    left   crop x 0,   y 0, w 416, h 576
    right  crop x 352, y 0, w 416, h 576

This script decodes the video, crops every frame to each region, runs the HOG + linear SVM people
detector of Dalal and Triggs (``cv2.HOGDescriptor_getDefaultPeopleDetector``) on each camera's own
image and writes MOTChallenge det.txt files beside itself:

    Samples/vtest/left.det.txt   Samples/vtest/right.det.txt
    frame,-1,x,y,w,h,conf,-1,-1,-1      (1-based frame; x, y, w, h in the camera's own pixels, 2 decimals)

Rerun from the repository root (needs ``opencv-python-headless<4.11`` in the venv; takes ~20 min on
one busy core):

    .venv/bin/python Samples/vtest/make_detections.py
    .venv/bin/python Samples/vtest/make_detections.py --frames 1-50 --preview /tmp/preview   # look at boxes

Settings, and why:
  * Upscale 2x (bilinear) before HOG. The detector's window is 64x128 with the person about 96 px tall
    inside it, so at the native size it misses vtest's walkers, who are 50-170 px tall. At 2x the
    smallest window covers a 48 px person (at 1.5x, 64 px: too big for the far walkers on the back path).
  * detectMultiScale(winStride (8, 8), padding (8, 8), scale 1.05, hitThreshold 0, groupThreshold 2):
    a stride of 8 px in the 2x image is 4 px of the camera's own pixels; 1.05 between pyramid levels.
    groupThreshold 2 (OpenCV's default grouping) keeps only clusters of at least 3 raw windows, which
    removes most single-window false positives on the grass and the building.
  * Non-maximum suppression over the grouped boxes (grouping leaves boxes nested inside other boxes):
    greedy by confidence, dropping a box whose IoU with a kept box exceeds 0.4 or which lies more than
    80 % inside a kept box (or holds a kept box that much).
  * Boxes with an SVM score below 1.25 are dropped. With no floor, the right camera sees a "person" in
    the red door at the top right (behind the parked van) in 693 of 795 frames, scoring 0.23-1.23;
    1.25 removes every one of them and costs about 13 % of the other boxes, the weakest, mostly small
    walkers on the back path.
  * Windows taller than 250 px (200 px once tightened) are dropped before NMS: vtest's nearest walker
    is about 170 px tall, and the only such window (right camera, frame 6, score 1.27) spanned a whole
    stretch of road around a walker.
  * HOG windows are wider and taller than the person: each box is tightened as OpenCV's own
    samples/cpp/peopledetect.cpp does (x += 10 % w, w *= 0.8, y += 7 % h, h *= 0.8), then clipped to
    the camera's image.
  * conf is the SVM score that detectMultiScale reports for the grouped box.

Deterministic: OpenCV runs single-threaded (cv2.setNumThreads(1)) so the order of raw windows, and
hence grouping, never depends on thread timing; decoding is OpenCV's FFmpeg backend; NMS breaks ties
by position.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VIDEO = os.path.join(REPO, "Samples", "data", "vtest.avi")

# name -> (x, y, w, h) of the crop region in vtest's pixels.
REGIONS = {
    "left": (0, 0, 416, 576),
    "right": (352, 0, 416, 576),
}

UPSCALE = 2.0
WIN_STRIDE = (8, 8)
PADDING = (8, 8)
SCALE = 1.05
HIT_THRESHOLD = 0.0
GROUP_THRESHOLD = 2
MIN_SCORE = 1.25
MAX_HEIGHT = 250.0
NMS_IOU = 0.4
NMS_CONTAINMENT = 0.8


def tighten(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Shrinks a HOG window to the person inside it (OpenCV's peopledetect.cpp factors)."""
    x, y, w, h = box
    return (x + 0.1 * w, y + 0.07 * h, 0.8 * w, 0.8 * h)


def suppress(boxes: list[tuple[float, float, float, float]], scores: list[float]) -> list[int]:
    """Greedy NMS by descending score (ties broken by x, then y); returns indices of kept boxes."""
    order = sorted(range(len(boxes)), key=lambda i: (-scores[i], boxes[i][0], boxes[i][1]))
    kept: list[int] = []
    for i in order:
        xi, yi, wi, hi = boxes[i]
        ok = True
        for k in kept:
            xk, yk, wk, hk = boxes[k]
            iw = min(xi + wi, xk + wk) - max(xi, xk)
            ih = min(yi + hi, yk + hk) - max(yi, yk)
            if iw <= 0 or ih <= 0:
                continue
            inter = iw * ih
            union = wi * hi + wk * hk - inter
            if inter / union > NMS_IOU or inter / min(wi * hi, wk * hk) > NMS_CONTAINMENT:
                ok = False
                break
        if ok:
            kept.append(i)
    return kept


def detect(
    hog: cv2.HOGDescriptor, image: np.ndarray, min_score: float = MIN_SCORE
) -> list[tuple[float, float, float, float, float]]:
    """People in one camera image as (x, y, w, h, score) in the image's own pixels, best first."""
    height, width = image.shape[:2]
    big = cv2.resize(image, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_LINEAR)
    rects, weights = hog.detectMultiScale(
        big, hitThreshold=HIT_THRESHOLD, winStride=WIN_STRIDE, padding=PADDING, scale=SCALE,
        groupThreshold=GROUP_THRESHOLD)
    boxes, scores = [], []
    for (x, y, w, h), s in zip(np.asarray(rects).reshape(-1, 4), np.asarray(weights).reshape(-1)):
        if float(s) < min_score or h / UPSCALE > MAX_HEIGHT:
            continue
        boxes.append((x / UPSCALE, y / UPSCALE, w / UPSCALE, h / UPSCALE))
        scores.append(float(s))
    result = []
    for i in suppress(boxes, scores):
        x, y, w, h = tighten(boxes[i])
        left, top = max(0.0, x), max(0.0, y)
        right, bottom = min(float(width), x + w), min(float(height), y + h)
        if right - left < 4 or bottom - top < 8:
            continue
        result.append((left, top, right - left, bottom - top, scores[i]))
    return result


def parse_frames(text: str | None) -> range | None:
    if text is None:
        return None
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", help="1-based inclusive range such as 1-50 (default: all; writes no det.txt)")
    parser.add_argument("--preview", help="folder to write PNGs of each camera's frames with their boxes")
    parser.add_argument("--out", default=HERE, help="folder for left.det.txt and right.det.txt")
    parser.add_argument("--min-score", type=float, default=MIN_SCORE, help="drop boxes scoring below this")
    args = parser.parse_args()
    only = parse_frames(args.frames)

    cv2.setNumThreads(1)
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    capture = cv2.VideoCapture(VIDEO)
    if not capture.isOpened():
        print(f"cannot open {VIDEO}: run `make samples` first", file=sys.stderr)
        return 1
    if args.preview:
        os.makedirs(args.preview, exist_ok=True)

    lines: dict[str, list[str]] = {name: [] for name in REGIONS}
    counts: dict[str, list[int]] = {name: [] for name in REGIONS}
    frame_number = 0
    started = time.monotonic()
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frame_number += 1
        if only is not None and frame_number not in only:
            if frame_number > only.stop:
                break
            continue
        for name, (rx, ry, rw, rh) in REGIONS.items():
            view = np.ascontiguousarray(bgr[ry:ry + rh, rx:rx + rw])
            found = detect(hog, view, args.min_score)
            counts[name].append(len(found))
            for x, y, w, h, s in found:
                lines[name].append(f"{frame_number},-1,{x:.2f},{y:.2f},{w:.2f},{h:.2f},{s:.2f},-1,-1,-1")
            if args.preview:
                canvas = view.copy()
                for x, y, w, h, s in found:
                    cv2.rectangle(canvas, (round(x), round(y)), (round(x + w), round(y + h)), (0, 0, 255), 2)
                    cv2.putText(canvas, f"{s:.2f}", (round(x), round(y) - 3), cv2.FONT_HERSHEY_PLAIN, 1,
                                (0, 255, 255), 1)
                cv2.imwrite(os.path.join(args.preview, f"{name}_{frame_number:04d}.png"), canvas)
        if frame_number % 50 == 0:
            print(f"frame {frame_number}: {time.monotonic() - started:.0f} s", file=sys.stderr)

    for name in REGIONS:
        n = counts[name]
        if not n:
            continue
        print(f"{name}: {len(n)} frames, {sum(n)} boxes, mean {sum(n) / len(n):.2f}/frame, max {max(n)}, "
              f"frames without a box {n.count(0)}")
        if only is None:
            with open(os.path.join(args.out, f"{name}.det.txt"), "w") as out:
                out.write("\n".join(lines[name]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
