"""Reference for Panoptes' ReID evaluation: the standard Market-1501 protocol (CMC, mAP) written
plainly in numpy float64, and a transcription of Zhong et al.'s published re_ranking function
(person-re-ranking, python-version/re_ranking_ranklist.py) computing in float64 under Python 3.

usage: eval_reference.py DIR
DIR holds q_g.f64, q_q.f64, g_g.f64 (little-endian float64, row-major) and labels.json
({"query_pids", "query_cams", "gallery_pids", "gallery_cams", "max_rank", "k1", "k2", "lambda"}).
Writes DIR/reference.json (plain and re-ranked CMC and mAP, and the seconds each step took) and
DIR/reranked.f64.
"""
import json
import os
import sys
import time

import numpy as np


def evaluate(distmat, q_pids, g_pids, q_cams, g_cams, max_rank):
    """CMC (first match) and mAP, same-id-same-camera gallery entries removed, stable ranking."""
    num_q = distmat.shape[0]
    cmc_hits = np.zeros(max_rank)
    aps = []
    skipped = 0
    for i in range(num_q):
        order = np.argsort(distmat[i], kind="stable")
        keep = ~((g_pids[order] == q_pids[i]) & (g_cams[order] == q_cams[i]))
        matches = (g_pids[order] == q_pids[i])[keep]
        if q_pids[i] == 0:
            matches = np.zeros_like(matches)
        if not matches.any():
            skipped += 1
            continue
        positions = np.flatnonzero(matches)
        first = positions[0]
        if first < max_rank:
            cmc_hits[first:] += 1
        precisions = np.arange(1, len(positions) + 1) / (positions + 1.0)
        aps.append(precisions.mean())
    n = max(len(aps), 1)
    return {
        "cmc": (cmc_hits / n).tolist(),
        "mAP": float(np.sum(aps) / n),
        "evaluated": len(aps),
        "skipped": skipped,
    }


def re_ranking(q_g_dist, q_q_dist, g_g_dist, k1=20, k2=6, lambda_value=0.3):
    # Zhong et al.'s function, step for step; float32 replaced by float64 (PFSA.md asks for float64).
    original_dist = np.concatenate(
        [np.concatenate([q_q_dist, q_g_dist], axis=1),
         np.concatenate([q_g_dist.T, g_g_dist], axis=1)],
        axis=0)
    original_dist = np.power(original_dist, 2).astype(np.float64)
    original_dist = np.transpose(1. * original_dist / np.max(original_dist, axis=0))
    V = np.zeros_like(original_dist).astype(np.float64)
    initial_rank = np.argsort(original_dist).astype(np.int32)

    query_num = q_g_dist.shape[0]
    gallery_num = q_g_dist.shape[0] + q_g_dist.shape[1]
    all_num = gallery_num

    for i in range(all_num):
        forward_k_neigh_index = initial_rank[i, :k1 + 1]
        backward_k_neigh_index = initial_rank[forward_k_neigh_index, :k1 + 1]
        fi = np.where(backward_k_neigh_index == i)[0]
        k_reciprocal_index = forward_k_neigh_index[fi]
        k_reciprocal_expansion_index = k_reciprocal_index
        for j in range(len(k_reciprocal_index)):
            candidate = k_reciprocal_index[j]
            candidate_forward_k_neigh_index = initial_rank[candidate, :int(np.around(k1 / 2.)) + 1]
            candidate_backward_k_neigh_index = initial_rank[candidate_forward_k_neigh_index,
                                                            :int(np.around(k1 / 2.)) + 1]
            fi_candidate = np.where(candidate_backward_k_neigh_index == candidate)[0]
            candidate_k_reciprocal_index = candidate_forward_k_neigh_index[fi_candidate]
            if len(np.intersect1d(candidate_k_reciprocal_index, k_reciprocal_index)) > \
                    2. / 3 * len(candidate_k_reciprocal_index):
                k_reciprocal_expansion_index = np.append(k_reciprocal_expansion_index,
                                                         candidate_k_reciprocal_index)

        k_reciprocal_expansion_index = np.unique(k_reciprocal_expansion_index)
        weight = np.exp(-original_dist[i, k_reciprocal_expansion_index])
        V[i, k_reciprocal_expansion_index] = 1. * weight / np.sum(weight)
    original_dist = original_dist[:query_num, ]
    if k2 != 1:
        V_qe = np.zeros_like(V, dtype=np.float64)
        for i in range(all_num):
            V_qe[i, :] = np.mean(V[initial_rank[i, :k2], :], axis=0)
        V = V_qe
        del V_qe
    del initial_rank
    invIndex = []
    for i in range(gallery_num):
        invIndex.append(np.where(V[:, i] != 0)[0])

    jaccard_dist = np.zeros_like(original_dist, dtype=np.float64)

    for i in range(query_num):
        temp_min = np.zeros(shape=[1, gallery_num], dtype=np.float64)
        indNonZero = np.where(V[i, :] != 0)[0]
        indImages = [invIndex[ind] for ind in indNonZero]
        for j in range(len(indNonZero)):
            temp_min[0, indImages[j]] = temp_min[0, indImages[j]] + \
                np.minimum(V[i, indNonZero[j]], V[indImages[j], indNonZero[j]])
        jaccard_dist[i] = 1 - temp_min / (2. - temp_min)

    final_dist = jaccard_dist * (1 - lambda_value) + original_dist * lambda_value
    del original_dist
    del V
    del jaccard_dist
    final_dist = final_dist[:query_num, query_num:]
    return final_dist


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "labels.json")) as f:
        labels = json.load(f)
    q_pids = np.array(labels["query_pids"])
    q_cams = np.array(labels["query_cams"])
    g_pids = np.array(labels["gallery_pids"])
    g_cams = np.array(labels["gallery_cams"])
    nq, ng = len(q_pids), len(g_pids)

    def load(name, rows, cols):
        return np.fromfile(os.path.join(folder, name), dtype="<f8").reshape(rows, cols)

    q_g = load("q_g.f64", nq, ng)
    start = time.perf_counter()
    out = {"plain": evaluate(q_g, q_pids, g_pids, q_cams, g_cams, labels["max_rank"])}
    out["seconds_plain_metrics"] = time.perf_counter() - start
    if labels.get("k1") is not None:
        q_q = load("q_q.f64", nq, nq)
        g_g = load("g_g.f64", ng, ng)
        start = time.perf_counter()
        final = re_ranking(q_g, q_q, g_g, labels["k1"], labels["k2"], labels["lambda"])
        out["seconds_re_ranking"] = time.perf_counter() - start
        final.astype("<f8").tofile(os.path.join(folder, "reranked.f64"))
        out["reranked"] = evaluate(final, q_pids, g_pids, q_cams, g_cams, labels["max_rank"])
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
