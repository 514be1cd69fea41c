"""Peer for Panoptes' Kalman filter: deep-sort-realtime's DeepSORT KalmanFilter (numpy/scipy only).

Reads JSON from stdin: {"initial": [cx, cy, a, h], "steps": [[cx, cy, a, h] or null, ...]}.
Each step predicts one frame, then (when a measurement is given) records the gating distance to it
and updates. Prints {"means": [...], "covariances": [...], "gating": [...]}, one entry per step.
Exits 3 when deep-sort-realtime is not installed (`make venv` installs it, pinned, without its dependencies).
"""
import importlib.util
import json
import os
import sys

import numpy as np


def load_filter():
    spec = importlib.util.find_spec("deep_sort_realtime")
    if spec is None or not spec.submodule_search_locations:
        sys.stderr.write("deep-sort-realtime is not installed; run `make venv`\n")
        sys.exit(3)
    path = os.path.join(list(spec.submodule_search_locations)[0], "deep_sort", "kalman_filter.py")
    module_spec = importlib.util.spec_from_file_location("ds_kalman_filter", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.KalmanFilter()


def main():
    problem = json.load(sys.stdin)
    kf = load_filter()
    mean, cov = kf.initiate(np.array(problem["initial"], dtype=float))
    means, covs, gating = [], [], []
    for z in problem["steps"]:
        mean, cov = kf.predict(mean, cov)
        if z is not None:
            z = np.array(z, dtype=float)
            gating.append(float(kf.gating_distance(mean, cov, z[None, :])[0]))
            mean, cov = kf.update(mean, cov, z)
        else:
            gating.append(None)
        means.append(mean.tolist())
        covs.append(cov.reshape(-1).tolist())
    print(json.dumps({"means": means, "covariances": covs, "gating": gating}))


if __name__ == "__main__":
    main()
