"""Peer for Panoptes' linear assignment: SciPy's linear_sum_assignment.

Reads JSON from stdin: a list of {"rows": r, "columns": c, "costs": [row-major numbers or null]}.
null marks a forbidden pair. For each matrix prints {"pairs": k, "cost": total}, where the problem is
solved as py-motmetrics does (forbidden pairs priced so high that avoiding one more always wins,
then dropped from the result), and, when SciPy finds a complete assignment that uses no forbidden
pair, "complete_cost" is SciPy's own optimum on the matrix with forbidden pairs as +inf.
"""
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment
from motmetrics.lap import add_expensive_edges


def main():
    problems = json.load(sys.stdin)
    results = []
    for p in problems:
        costs = np.array([np.nan if v is None else v for v in p["costs"]], dtype=float).reshape(p["rows"], p["columns"])
        priced = add_expensive_edges(costs)
        r, c = linear_sum_assignment(priced)
        keep = np.isfinite(costs[r, c])
        result = {"pairs": int(keep.sum()), "cost": float(costs[r[keep], c[keep]].sum())}
        try:
            r2, c2 = linear_sum_assignment(np.where(np.isfinite(costs), costs, np.inf))
            result["complete_cost"] = float(costs[r2, c2].sum())
        except ValueError:
            result["complete_cost"] = None
        results.append(result)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
