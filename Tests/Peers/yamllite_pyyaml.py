"""Peer for Panoptes' YAML-lite parser: what PyYAML's safe_load makes of each document.

Usage: yamllite_pyyaml.py DOCUMENTS.json
DOCUMENTS.json holds a JSON list of document texts. Prints one JSON list with, per document, either
{"ok": VALUE} or {"error": "message"}, where VALUE is tagged so nothing is lost in JSON:
  {"t": "null"} | {"t": "bool", "v": b} | {"t": "int", "v": "123"} (decimal text: no 53-bit limit)
  | {"t": "float", "v": repr(x)} ("inf", "-inf", "nan" included) | {"t": "str", "v": s}
  | {"t": "seq", "v": [VALUE...]} | {"t": "map", "v": [[KEY, VALUE]...]} (file order; keys tagged too)
  | {"t": "other", "v": repr(x)} (dates, timestamps, anything else)
"""
import json
import sys

import yaml


def tag(x):
    if x is None:
        return {"t": "null"}
    if isinstance(x, bool):
        return {"t": "bool", "v": x}
    if isinstance(x, int):
        return {"t": "int", "v": str(x)}
    if isinstance(x, float):
        return {"t": "float", "v": repr(x)}
    if isinstance(x, str):
        return {"t": "str", "v": x}
    if isinstance(x, list):
        return {"t": "seq", "v": [tag(i) for i in x]}
    if isinstance(x, dict):
        return {"t": "map", "v": [[tag(k), tag(v)] for k, v in x.items()]}
    return {"t": "other", "v": repr(x)}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        documents = json.load(f)
    results = []
    for text in documents:
        try:
            results.append({"ok": tag(yaml.safe_load(text))})
        except Exception as e:  # every refusal is a result, not a crash of the peer
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    # ensure_ascii keeps lone surrogates (from "\ud800" escapes) representable in the JSON text.
    print(json.dumps(results, ensure_ascii=True))


if __name__ == "__main__":
    main()
