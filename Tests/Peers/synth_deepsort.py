"""Peer for `panoptes bench track`: deep-sort-realtime's tracker on the same detections and embeddings.

Reads WORK/peer-input/cameras.json, <cam>.det.txt (the detections Panoptes used, 1-based frames) and
<cam>.emb.f32 (their embeddings, float32 rows in the same order); runs DeepSort(embedder=None) per
camera with parameters matching Panoptes' tracker; writes WORK/deepsort/<cam>.txt (confirmed tracks
matched in the frame, their detection boxes, MOTChallenge format) and prints JSON timing: the seconds
spent inside update_tracks and the frames updated.
"""
import json
import os
import sys
import time

import numpy as np
from deep_sort_realtime.deepsort_tracker import DeepSort


def main(work, max_age, n_init, max_cosine, budget, max_iou):
    src = os.path.join(work, "peer-input")
    meta = json.load(open(os.path.join(src, "cameras.json")))
    dim = meta["dimension"]
    out_dir = os.path.join(work, "deepsort")
    os.makedirs(out_dir, exist_ok=True)
    total, frames = 0.0, 0
    per_camera = {}
    for cam in meta["cameras"]:
        name, n_frames = cam["name"], cam["frames"]
        dets = np.loadtxt(os.path.join(src, name + ".det.txt"), delimiter=",", ndmin=2)
        emb = np.fromfile(os.path.join(src, name + ".emb.f32"), dtype="<f4").reshape(-1, dim)
        assert len(dets) == len(emb), f"{name}: {len(dets)} detections, {len(emb)} embeddings"
        by_frame = {}
        for i, d in enumerate(dets):
            by_frame.setdefault(int(d[0]), []).append(i)
        tracker = DeepSort(max_age=max_age, n_init=n_init, max_cosine_distance=max_cosine,
                           nn_budget=budget, max_iou_distance=max_iou, embedder=None)
        lines = []
        spent = 0.0
        for f in range(1, n_frames + 1):
            idx = by_frame.get(f, [])
            raw = [([float(dets[i, 2]), float(dets[i, 3]), float(dets[i, 4]), float(dets[i, 5])], float(dets[i, 6]), "person") for i in idx]
            embeds = [emb[i] for i in idx]
            t0 = time.perf_counter()
            tracks = tracker.update_tracks(raw, embeds=embeds)
            spent += time.perf_counter() - t0
            for t in tracks:
                if not t.is_confirmed() or t.time_since_update > 0:
                    continue
                box = t.to_ltwh(orig=True, orig_strict=True)
                if box is None:
                    continue
                conf = t.det_conf if t.det_conf is not None else 1.0
                lines.append(f"{f},{t.track_id},{box[0]:.4f},{box[1]:.4f},{box[2]:.4f},{box[3]:.4f},{conf:.4f},-1,-1,-1\n")
        with open(os.path.join(out_dir, name + ".txt"), "w") as fh:
            fh.writelines(lines)
        per_camera[name] = {"seconds": spent, "frames": n_frames}
        total += spent
        frames += n_frames
    json.dump({"update_seconds": total, "frames": frames, "per_camera": per_camera}, sys.stdout)
    print()


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("work")
    p.add_argument("--max-age", type=int, default=30)
    p.add_argument("--n-init", type=int, default=3)
    p.add_argument("--max-cosine-distance", type=float, default=0.2)
    p.add_argument("--nn-budget", type=int, default=100)
    p.add_argument("--max-iou-distance", type=float, default=0.7)
    a = p.parse_args()
    main(a.work, a.max_age, a.n_init, a.max_cosine_distance, a.nn_budget, a.max_iou_distance)
