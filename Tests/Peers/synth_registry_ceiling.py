"""Diagnostic for `panoptes bench track`: the best multi-camera IDF1 any identity registry could reach
with the per-camera tracks of the last run (uses ground truth, so evaluation only, never at run time).

Each per-camera track (work/run/panoptes/camera-tracks/<cam>.txt) keeps one identity for its whole
life, so at best every track gets the ground-truth person it covers most (boxes matched at IoU > 0.5,
frame by frame). Then IDTP <= sum of those majority counts, and IDF1 <= 2 IDTP / (GT boxes + track boxes).

Usage: .venv/bin/python Tests/Peers/synth_registry_ceiling.py SCENE_DIR TRACKS_DIR
(e.g. .build/bench-track/scene-default .build/bench-track/run/panoptes). Prints one line of JSON.
"""
import collections
import json
import sys

import numpy as np


def iou(a, b):
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


def main(scene, tracks):
    cameras = [c["name"] for c in json.load(open(f"{scene}/scene.json"))["cameras"]]
    cover = collections.defaultdict(collections.Counter)
    gt_boxes = track_boxes = 0
    for cam in cameras:
        gt = np.loadtxt(f"{scene}/{cam}.gt.txt", delimiter=",", ndmin=2)
        local = np.loadtxt(f"{tracks}/camera-tracks/{cam}.txt", delimiter=",", ndmin=2)
        gt_boxes += len(gt)
        track_boxes += len(local)
        by_frame = collections.defaultdict(list)
        for g in gt:
            by_frame[int(g[0])].append(g)
        for t in local:
            best, best_iou = None, 0.5
            for g in by_frame[int(t[0])]:
                v = iou(t[2:6], g[2:6])
                if v > best_iou:
                    best, best_iou = int(g[1]), v
            cover[(cam, int(t[1]))][best] += 1
    majority = sum(c.most_common(1)[0][1] for c in cover.values() if c.most_common(1)[0][0] is not None)
    print(json.dumps({
        "gt_boxes": gt_boxes, "track_boxes": track_boxes, "majority_boxes": majority,
        "idf1_ceiling": 2 * majority / (gt_boxes + track_boxes),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
