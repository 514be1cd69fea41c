"""Reads a PyTorch checkpoint (legacy or zip) without torch, independently of Panoptes, and prints a JSON
summary for WeightsRealFileTests: per tensor (file order) its name, dtype, shape, element count, float64
sum, first and last 8 values; and the full values of the tensors named after the file.

usage: weights_read_torch.py FILE [NAME...]

Python's own pickle does the parsing; find_class hands back local stand-ins for the few torch globals
a state dict uses, persistent_load records each storage, and numpy reads the raw storages.
"""
import collections
import io
import json
import pickle
import struct
import sys
import zipfile

import numpy as np

DTYPES = {"FloatStorage": ("float32", "<f4"), "HalfStorage": ("float16", "<f2"), "DoubleStorage": ("float64", "<f8"),
          "LongStorage": ("int64", "<i8"), "IntStorage": ("int32", "<i4"), "ByteStorage": ("uint8", "u1")}


class StorageType:
    def __init__(self, name):
        self.name = name


class Tensor:
    def __init__(self, storage_id, offset, size, stride):
        self.storage_id, self.offset, self.size, self.stride = storage_id, offset, tuple(size), tuple(stride)


def rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    return Tensor(storage, offset, size, stride)


class Reader(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild_tensor_v2
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return lambda data, requires_grad, hooks: data
        if module in ("torch", "torch.cuda") and name in DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f"refused {module}.{name}")

    def persistent_load(self, pid):
        assert pid[0] == "storage"
        return (pid[1].name, str(pid[2]), pid[4])  # type, key, numel


def load(path):
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(0)
        if head.startswith(b"PK"):
            z = zipfile.ZipFile(io.BytesIO(f.read()))
            pkl = next(n for n in z.namelist() if n.endswith("data.pkl"))
            prefix = pkl[: -len("data.pkl")]
            obj = Reader(io.BytesIO(z.read(pkl))).load()
            raw = lambda key, numel, dt: np.frombuffer(z.read(prefix + "data/" + key), dt)[:numel]
            return "pytorch-zip", obj, raw
        magic = pickle.load(f)
        assert magic == 0x1950A86A20F9469CFC6C, magic
        assert pickle.load(f) == 1001
        pickle.load(f)
        obj = Reader(f).load()
        keys = pickle.load(f)
        storages = {}
        types = {}

        def walk(value):
            if isinstance(value, Tensor):
                types[value.storage_id[1]] = value.storage_id[0]
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)

        walk(obj)
        for key in keys:
            (numel,) = struct.unpack("<q", f.read(8))
            dt = np.dtype(DTYPES[types[key]][1])
            storages[key] = np.frombuffer(f.read(numel * dt.itemsize), dt)
        return "pytorch-legacy", obj, lambda key, numel, dt: storages[key]


def main():
    path, full = sys.argv[1], set(sys.argv[2:])
    fmt, obj, raw = load(path)
    state = obj["state_dict"] if isinstance(obj, dict) and "state_dict" in obj else obj
    out = []
    for name, t in state.items():
        if not isinstance(t, Tensor):
            continue
        type_name, key, numel = t.storage_id
        dtype_name, dt = DTYPES[type_name]
        data = raw(key, numel, np.dtype(dt))
        view = np.array(np.lib.stride_tricks.as_strided(
            data[t.offset:], shape=t.size, strides=[s * data.itemsize for s in t.stride])).reshape(-1)
        as32 = view.astype(np.float32)
        entry = {"name": name, "dtype": dtype_name, "shape": list(t.size), "count": int(view.size),
                 "sum": float(as32.astype(np.float64).sum()), "first": [float(v) for v in as32[:8]],
                 "last": [float(v) for v in as32[-8:]]}
        if name in full:
            entry["values"] = [float(v) for v in as32]
        out.append(entry)
    json.dump({"format": fmt, "tensors": out}, sys.stdout)


main()
