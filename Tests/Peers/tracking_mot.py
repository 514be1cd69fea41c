"""Peer for Panoptes' MOT metrics: py-motmetrics 1.4 on MOTChallenge files.

usage: tracking_mot.py GT TRACKS [GT TRACKS ...]
       tracking_mot.py --rows FILE
One pair: that sequence. Several pairs: the cameras concatenated into one sequence, each camera's frames
offset by the largest frame number (ground truth or tracks) of the cameras before it (multi-camera IDF1).
Prints one JSON object with the metrics (NaN as null).
--rows: the records motmetrics reads from FILE, as a JSON list of [frame, id, x, y, w, h, conf] in
file order, x and y 1-based as written (motmetrics stores them 0-based).
"""
import io
import json
import math
import sys

import motmetrics as mm
import numpy as np
import pandas as pd


def read_rows(path):
    with open(path) as f:
        return [line for line in f.read().splitlines() if line.strip()]


def rows(path):
    df = mm.io.loadtxt(path, fmt="mot15-2D")
    out = []
    for (frame, oid), row in df.iterrows():
        out.append([int(frame), int(oid), float(row["X"]) + 1, float(row["Y"]) + 1, float(row["Width"]),
                    float(row["Height"]), float(row["Confidence"])])
    print(json.dumps(out))


def main(argv):
    if argv[:1] == ["--rows"]:
        rows(argv[1])
        return
    pairs = list(zip(argv[0::2], argv[1::2]))
    if len(pairs) == 1:
        gt_file, ts_file = pairs[0]
        gt = mm.io.loadtxt(gt_file, fmt="mot15-2D", min_confidence=1)
        ts = mm.io.loadtxt(ts_file, fmt="mot15-2D")
    else:
        gt_lines, ts_lines, offset = [], [], 0
        for gt_file, ts_file in pairs:
            last = 0
            for lines, path in ((gt_lines, gt_file), (ts_lines, ts_file)):
                for line in read_rows(path):
                    fields = line.split(",")
                    frame = int(float(fields[0]))
                    last = max(last, frame)
                    fields[0] = str(frame + offset)
                    lines.append(",".join(fields))
            offset += last
        gt = mm.io.loadtxt(io.StringIO("\n".join(gt_lines) + "\n"), fmt="mot15-2D", min_confidence=1)
        ts = mm.io.loadtxt(io.StringIO("\n".join(ts_lines) + "\n"), fmt="mot15-2D")
    acc = mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5)
    names = ["mota", "motp", "idf1", "idp", "idr", "num_switches", "num_fragmentations", "num_false_positives",
             "num_misses", "num_matches", "num_objects", "num_predictions", "idtp", "idfp", "idfn",
             "num_unique_objects"]
    summary = mm.metrics.create().compute(acc, metrics=names, name="seq", return_dataframe=False)
    out = {}
    for key in names:
        value = float(summary[key])
        out[key] = None if math.isnan(value) else value
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
