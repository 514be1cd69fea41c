"""Reads a legacy (pre-1.6) PyTorch file into numpy arrays without torch, for the engine's peer tests.

Only the globals a state dict needs are resolved; anything else raises (test-only code, never executes
a foreign global).
"""
import collections
import pickle
import struct

import numpy as np

_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ByteStorage": np.uint8,
}


class _Storage:
    def __init__(self, dtype):
        self.dtype = dtype


def _rebuild_tensor_v2(storage, offset, size, stride, *rest):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module in ("torch", "torch.cuda") and name in _DTYPES:
            return _Storage(_DTYPES[name])
        raise pickle.UnpicklingError(f"refused global {module}.{name}")

    def __init__(self, f, **kw):
        super().__init__(f, **kw)
        self.storage_dtypes = {}

    def persistent_load(self, pid):
        _, kind, key, _location, numel = pid[:5]
        self.storage_dtypes[key] = kind.dtype
        return {"key": key, "dtype": kind.dtype, "numel": numel}


def load(path):
    """Returns an OrderedDict name -> numpy array (float32 for float tensors)."""
    with open(path, "rb") as f:
        for _ in range(3):  # magic, protocol, sys info
            pickle.load(f)
        unpickler = _Unpickler(f, encoding="latin1")
        obj = unpickler.load()
        keys = pickle.load(f)
        data = {}
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            data[key] = f.read(count * np.dtype(unpickler.storage_dtypes[key]).itemsize)
    if isinstance(obj, dict) and "state_dict" in obj:
        obj = obj["state_dict"]
    out = collections.OrderedDict()
    for name, (_, st, offset, size, stride) in obj.items():
        raw = np.frombuffer(data[st["key"]], dtype=st["dtype"])
        item = raw.itemsize
        arr = np.lib.stride_tricks.as_strided(
            raw[offset:], shape=size, strides=[s * item for s in stride]) if size else raw[offset:offset + 1].reshape(())
        out[name] = np.array(arr, dtype=np.float32 if arr.dtype.kind == "f" else arr.dtype)
    return out


if __name__ == "__main__":
    import sys
    for k, v in load(sys.argv[1]).items():
        print(k, v.dtype, v.shape)
