"""Peer for `panoptes bench track`: py-motmetrics' scores of track files against a synthetic scene.

Usage: synth_motmetrics.py SCENE TRACKS_DIR [TRACKS_DIR ...]
For every TRACKS_DIR prints, as one JSON object keyed by the folder, per camera (<cam>.txt against
SCENE/<cam>.gt.txt) and for all cameras joined into one sequence (camera k's frames offset by the
largest frame number, ground truth or tracks, of the cameras before it, as Panoptes' multi-camera
metrics do): idf1, mota, motp, num_switches, num_false_positives, num_misses.
Ground truth loads as mot15-2D with min_confidence=1; IoU matching with distth=0.5.
"""
import json
import os
import sys

import motmetrics as mm
import pandas as pd

METRICS = ["idf1", "mota", "motp", "num_switches", "num_false_positives", "num_misses", "num_objects"]


def score(gt, ts):
    acc = mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5)
    summary = mm.metrics.create().compute(acc, metrics=METRICS, name="x")
    return {k: float(summary.loc["x", k]) for k in METRICS}


def load(path, **kw):
    if os.path.getsize(path) == 0:
        return pd.DataFrame(columns=["X", "Y", "Width", "Height", "Confidence", "ClassId", "Visibility"],
                            index=pd.MultiIndex.from_arrays([[], []], names=["FrameId", "Id"]))
    return mm.io.loadtxt(path, fmt="mot15-2D", **kw)


def main(scene, track_dirs):
    cams = [c["name"] for c in json.load(open(os.path.join(scene, "scene.json")))["cameras"]]
    out = {}
    for tdir in track_dirs:
        result, joined_gt, joined_ts, offset = {}, [], [], 0
        for cam in cams:
            gt = load(os.path.join(scene, cam + ".gt.txt"), min_confidence=1)
            ts = load(os.path.join(tdir, cam + ".txt"))
            result[cam] = score(gt, ts)
            raw_gt = mm.io.loadtxt(os.path.join(scene, cam + ".gt.txt"), fmt="mot15-2D")
            last = max([int(raw_gt.index.get_level_values(0).max())] +
                       ([int(ts.index.get_level_values(0).max())] if len(ts) else []))
            for df, acc in ((gt, joined_gt), (ts, joined_ts)):
                d = df.reset_index()
                d["FrameId"] = d["FrameId"] + offset
                acc.append(d)
            offset += last
        gt = pd.concat(joined_gt).set_index(["FrameId", "Id"])
        ts = pd.concat(joined_ts).set_index(["FrameId", "Id"])
        result["all"] = score(gt, ts)
        out[tdir] = result
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
