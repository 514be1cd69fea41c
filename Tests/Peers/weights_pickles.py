"""Writes the same Python structure as pickles of protocols 0-5 (and a hand-made Python 2 text pickle),
with Python's own rendering of what each pickle loads to, for WeightsUnpicklerTests.

usage: weights_pickles.py OUTDIR

For each NAME.pkl it writes NAME.txt: render(pickle.loads(...)), where render is the canonical text
the Swift test also produces: dicts {k: v, ...} in insertion order, lists [...], tuples (...), strings
JSON-quoted, ints, floats by repr, None/True/False.
"""
import collections
import json
import os
import pickle
import sys

import numpy as np

OUT = sys.argv[1]


def render(value):
    if isinstance(value, np.generic):  # numpy scalars load as plain numbers
        value = value.item()
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(render(v) for v in value) + ")"
    raise TypeError(type(value))


shared = ["shared", 1]
structure = collections.OrderedDict()
structure["ints"] = [0, 1, 255, 256, 65535, 65536, -1, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40), 2 ** 63 - 1]
structure["floats"] = [2.5, -0.125, 0.0, 1e100]
structure["strings"] = ["", "plain", "caf\u00e9", "line\nbreak", "back\\slash", "x" * 300]
structure["tuples"] = [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)]
structure["nested"] = {"a": {"b": [shared, shared]}, "none": None, "flags": [True, False]}
structure["many"] = list(range(1500))  # more than one APPENDS batch of 1000
structure["numpy"] = [np.float64(0.947), np.float32(0.1), np.float16(-2.5), np.int64(-5), np.int8(-7),
                      np.uint8(200), np.bool_(True)]

for protocol in range(6):
    data = pickle.dumps(structure, protocol=protocol)
    with open(os.path.join(OUT, f"proto{protocol}.pkl"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, f"proto{protocol}.txt"), "w") as f:
        f.write(render(pickle.loads(data)))

# Python 2 text opcodes that Python 3 never writes: STRING (quoted repr with escapes), INT as 00/01
# booleans, LONG with its trailing L, UNICODE raw-unicode-escape, DICT/LIST/TUPLE from marks.
py2 = (b"(dp0\nS'it\\'s \\x41\\n\\101'\np1\n(lp2\nI00\naI01\naI42\naL12345678901L\naF-0.5\na"
       b"Vcaf\\u00e9\np3\na(I1\nI2\ntp4\nas.")
with open(os.path.join(OUT, "py2text.pkl"), "wb") as f:
    f.write(py2)
with open(os.path.join(OUT, "py2text.txt"), "w") as f:
    f.write(render(pickle.loads(py2, encoding="latin1")))
print("ok")
