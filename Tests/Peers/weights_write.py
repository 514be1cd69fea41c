"""Writes checkpoints in every format Panoptes reads, plus the values numpy expects, for WeightsLoaderTests.

usage: weights_write.py OUTDIR

No torch here (it is gigabytes): the files are written the way torch.save writes them, with Python's
own pickle (persistent ids for storages, GLOBAL names torch._utils._rebuild_tensor_v2, torch.FloatStorage
... via stand-in modules registered under those names) and zipfile, and one legacy file by a small
hand-written emitter of the Python 2 + GPU pickle dialect of the official PFSA checkpoint.

For each checkpoint NAME it writes NAME (the file) and NAME.expected.json:
{"tensors": [{"name", "dtype", "shape", "values"}...] in file order, "metadata": {...}}, where values
are the C-order tensor values as float32 (exact decimal of the float32), integers exact.
Also writes hostile files (bad-*) that must be refused; their expectations live in the Swift tests.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np
from safetensors.numpy import save_file

OUT = sys.argv[1]
RNG = np.random.default_rng(20181130)

# --- stand-ins carrying torch's global names (never called: only their names are pickled) ---------
torch_mod = types.ModuleType("torch")
utils_mod = types.ModuleType("torch._utils")
cuda_mod = types.ModuleType("torch.cuda")
torch_mod._utils = utils_mod
torch_mod.cuda = cuda_mod
sys.modules.update({"torch": torch_mod, "torch._utils": utils_mod, "torch.cuda": cuda_mod})


def _stand_in(module, name):
    def fn(*args):
        raise RuntimeError("stand-in, never called")

    fn.__module__ = module.__name__
    fn.__name__ = fn.__qualname__ = name
    setattr(module, name, fn)
    return fn


rebuild_tensor_v2 = _stand_in(utils_mod, "_rebuild_tensor_v2")
rebuild_parameter = _stand_in(utils_mod, "_rebuild_parameter")

STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "DoubleStorage": np.float64,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ByteStorage": np.uint8,
    "BFloat16Storage": None,  # raw uint16 bit patterns, see bf16()
}
STORAGE_CLASSES = {}
for module in (torch_mod, cuda_mod):
    for cls_name in STORAGE_DTYPES:
        cls = type(cls_name, (), {"__module__": module.__name__})
        setattr(module, cls_name, cls)
        STORAGE_CLASSES[(module.__name__, cls_name)] = cls


class Storage:
    """A storage: a flat numpy array (raw little-endian elements), a key, a location, a class."""

    def __init__(self, key, data, cls_name, location="cpu", module="torch"):
        self.key, self.data, self.location = str(key), np.ascontiguousarray(data), location
        self.cls = STORAGE_CLASSES[(module, cls_name)]
        self.cls_name = cls_name


class StorageView:
    """A legacy storage view (PyTorch < 0.4): elements [offset, offset + size) of a root storage."""

    def __init__(self, key, root, offset, size):
        self.key, self.root, self.view_offset, self.size = str(key), root, offset, size
        self.data = root.data[offset:offset + size]
        self.cls_name, self.cls, self.location = root.cls_name, root.cls, root.location


class Tensor:
    """A view of a storage, pickled the way torch pickles a tensor."""

    def __init__(self, storage, offset, shape, stride=None, parameter=False):
        shape = tuple(shape)
        if stride is None:
            stride, step = [], 1
            for dim in reversed(shape):
                stride.insert(0, step)
                step *= max(dim, 1)
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, tuple(stride)
        self.parameter = parameter

    def __reduce_ex__(self, protocol):
        tensor = (rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False, collections.OrderedDict()))
        if self.parameter:
            return (rebuild_parameter, (_Rebuilt(tensor), True, collections.OrderedDict()))
        return tensor

    def expected(self):
        """The C-order values as numpy reads the storage: [float values], [int values] or None."""
        data = self.storage.data
        if self.storage.cls_name == "BFloat16Storage":
            data = (data.astype(np.uint32) << 16).view(np.float32)
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.shape, strides=[s * data.itemsize for s in self.stride])
        view = np.array(view)
        if np.issubdtype(view.dtype, np.integer):
            ints = [int(v) for v in view.reshape(-1)]
            return [float(np.float32(v)) for v in ints], ints
        return [float(v) for v in view.astype(np.float32).reshape(-1)], None

    def dtype_name(self):
        return {"FloatStorage": "float32", "HalfStorage": "float16", "DoubleStorage": "float64",
                "LongStorage": "int64", "IntStorage": "int32", "ByteStorage": "uint8",
                "BFloat16Storage": "bfloat16"}[self.storage.cls_name]


class _Rebuilt:
    def __init__(self, reduced):
        self.reduced = reduced

    def __reduce_ex__(self, protocol):
        return self.reduced


def bf16(values):
    """bfloat16 bit patterns (truncated float32), as uint16."""
    return (np.asarray(values, np.float32).view(np.uint32) >> 16).astype(np.uint16)


class TorchPickler(pickle.Pickler):
    def __init__(self, file, legacy):
        super().__init__(file, protocol=2)
        self.legacy = legacy
        self.storages = collections.OrderedDict()

    def persistent_id(self, obj):
        if isinstance(obj, StorageView):
            assert self.legacy
            self.storages.setdefault(obj.root.key, obj.root)
            root = obj.root
            return ("storage", root.cls, root.key, root.location, root.data.size, (obj.key, obj.view_offset, obj.size))
        if isinstance(obj, Storage):
            self.storages.setdefault(obj.key, obj)
            numel = obj.data.size
            if self.legacy:
                return ("storage", obj.cls, obj.key, obj.location, numel, None)
            return ("storage", obj.cls, obj.key, obj.location, numel)
        return None


def write_expected(name, state, metadata=None):
    tensors = []
    for key, tensor in state.items():
        values, ints = tensor.expected()
        entry = {"name": key, "dtype": tensor.dtype_name(), "shape": list(tensor.shape), "values": values}
        if ints is not None:
            entry["integers"] = ints
        tensors.append(entry)
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump({"tensors": tensors, "metadata": metadata or {}}, f)


MAGIC = 0x1950A86A20F9469CFC6C
SYS_INFO = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}


def legacy_bytes(obj, magic=MAGIC):
    """torch.save's legacy layout, written by Python 3 (what PyTorch <= 1.5 produced)."""
    f = io.BytesIO()
    pickle.dump(magic, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump(SYS_INFO, f, protocol=2)
    pickler = TorchPickler(f, legacy=True)
    pickler.dump(obj)
    keys = sorted(pickler.storages.keys())
    pickle.dump(keys, f, protocol=2)
    for key in keys:
        data = pickler.storages[key].data
        f.write(struct.pack("<q", data.size))
        f.write(data.astype(data.dtype.newbyteorder("<")).tobytes())
    return f.getvalue()


def zip_bytes(obj, archive="archive"):
    """torch.save's zip layout (PyTorch >= 1.6): archive/data.pkl, archive/data/KEY, byteorder, version."""
    pkl = io.BytesIO()
    pickler = TorchPickler(pkl, legacy=False)
    pickler.dump(obj)
    f = io.BytesIO()
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(f"{archive}/data.pkl", pkl.getvalue())
        z.writestr(f"{archive}/.format_version", "1")
        z.writestr(f"{archive}/.storage_alignment", "64")
        z.writestr(f"{archive}/byteorder", "little")
        for key, storage in pickler.storages.items():
            # As torch does: an 'FB' extra field pads the local header so the data starts 64-byte aligned.
            info = zipfile.ZipInfo(f"{archive}/data/{key}", date_time=(1980, 1, 1, 0, 0, 0))
            header_end = f.tell() + 30 + len(info.filename.encode()) + 4
            pad = (64 - header_end % 64) % 64
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            z.writestr(info, storage.data.astype(storage.data.dtype.newbyteorder("<")).tobytes())
        z.writestr(f"{archive}/version", "3\n")
        z.writestr(f"{archive}/.data/serialization_id", "1234567890")
    return f.getvalue()


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def small_state(prefix="", module="torch", location="cpu"):
    """A small BatchNorm'd conv state dict with shared storages, offsets, a transposed view, fp16 and int64."""
    conv = Storage("0", RNG.standard_normal(4 * 3 * 3 * 3).astype(np.float32), "FloatStorage", location, module)
    # One storage shared by the four BatchNorm vectors, at offsets 0, 4, 8, 12 (as a flattened optimizer would).
    bn = Storage("1", RNG.standard_normal(16).astype(np.float32), "FloatStorage", location, module)
    bn.data[12:16] = np.abs(bn.data[12:16]) + 0.5
    tracked = Storage("2", np.array([12345], np.int64), "LongStorage", location, module)
    fc = Storage("3", RNG.standard_normal(5 * 4).astype(np.float32), "FloatStorage", location, module)
    half = Storage("4", RNG.standard_normal(6).astype(np.float16), "HalfStorage", location, module)
    state = collections.OrderedDict()
    state[prefix + "conv1.weight"] = Tensor(conv, 0, (4, 3, 3, 3), parameter=True)
    state[prefix + "bn1.weight"] = Tensor(bn, 0, (4,))
    state[prefix + "bn1.bias"] = Tensor(bn, 4, (4,))
    state[prefix + "bn1.running_mean"] = Tensor(bn, 8, (4,))
    state[prefix + "bn1.running_var"] = Tensor(bn, 12, (4,))
    state[prefix + "bn1.num_batches_tracked"] = Tensor(tracked, 0, ())
    # fc.weight stored transposed: a (4, 5) view with strides (1, 4) of a 20-element storage.
    state[prefix + "fc.weight"] = Tensor(fc, 0, (4, 5), (1, 4))
    state[prefix + "fc.bias"] = Tensor(fc, 3, (2, 2), (5, 2))
    state[prefix + "half.weight"] = Tensor(half, 1, (5,))
    return state


# --- good files -----------------------------------------------------------------------------------
# safetensors, through safetensors.numpy (f32, f16, f64, i64, u8), plus bf16 through a raw header.
st = collections.OrderedDict()
st["conv1.weight"] = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
st["bn1.running_var"] = (np.abs(RNG.standard_normal(4)) + 0.1).astype(np.float16)
st["fc.weight"] = RNG.standard_normal((5, 4)).astype(np.float64)
st["bn1.num_batches_tracked"] = np.array(7, np.int64)
st["mask"] = np.array([0, 1, 255], np.uint8)
save_file(dict(st), os.path.join(OUT, "plain.safetensors"), metadata={"epoch": "60", "source": "weights_write.py"})
with open(os.path.join(OUT, "plain.safetensors.expected.json"), "w") as f:
    tensors = []
    with open(os.path.join(OUT, "plain.safetensors"), "rb") as raw:
        (length,) = struct.unpack("<Q", raw.read(8))
        offsets = {k: v["data_offsets"][0] for k, v in json.loads(raw.read(length)).items() if k != "__metadata__"}
    for key, value in sorted(st.items(), key=lambda kv: offsets[kv[0]]):  # file (data) order
        entry = {"name": key, "dtype": {"float32": "float32", "float16": "float16", "float64": "float64",
                                        "int64": "int64", "uint8": "uint8"}[str(value.dtype)],
                 "shape": list(value.shape), "values": [float(v) for v in value.astype(np.float32).reshape(-1)]}
        if np.issubdtype(value.dtype, np.integer):
            entry["integers"] = [int(v) for v in value.reshape(-1)]
        tensors.append(entry)
    json.dump({"tensors": tensors, "metadata": {"epoch": "60", "source": "weights_write.py"}}, f)

bf = RNG.standard_normal((3, 2)).astype(np.float32)
header = json.dumps({"w": {"dtype": "BF16", "shape": [3, 2], "data_offsets": [0, 12]}}).encode()
save("bf16.safetensors", struct.pack("<Q", len(header)) + header + bf16(bf).tobytes())
with open(os.path.join(OUT, "bf16.safetensors.expected.json"), "w") as f:
    truncated = (bf16(bf).astype(np.uint32) << 16).view(np.float32)
    json.dump({"tensors": [{"name": "w", "dtype": "bfloat16", "shape": [3, 2],
                            "values": [float(v) for v in truncated.reshape(-1)]}], "metadata": {}}, f)

# zip (PyTorch >= 1.6), a bare state dict and a DataParallel one (module. prefix) with a bf16 tensor.
state = small_state()
save("plain_zip.pt", zip_bytes(state))
write_expected("plain_zip.pt", state)
state = small_state(prefix="module.")
bf_storage = Storage("9", bf16(RNG.standard_normal(4)), "BFloat16Storage")
state["module.bf.weight"] = Tensor(bf_storage, 0, (2, 2))
save("dataparallel_zip.pt", zip_bytes({"state_dict": state, "epoch": 12}, archive="dataparallel_zip"))
write_expected("dataparallel_zip.pt", state, {"epoch": "12"})

# legacy with storage views (PyTorch < 0.4): two views into one root storage, one tensor at an offset within its view.
root = Storage("70", RNG.standard_normal(40).astype(np.float32), "FloatStorage")
state = collections.OrderedDict()
state["a.weight"] = Tensor(StorageView("71", root, 4, 12), 2, (2, 5))
state["b.weight"] = Tensor(StorageView("72", root, 20, 20), 0, (5, 4), (1, 5))
save("views_legacy.pt", legacy_bytes(state))
write_expected("views_legacy.pt", state)

# legacy written by Python 3 (PyTorch 1.0-1.5), a bare state dict; and one from a GPU with module.
state = small_state()
save("plain_legacy.pt", legacy_bytes(state))
write_expected("plain_legacy.pt", state)
state = small_state(prefix="module.", module="torch.cuda", location="cuda:0")
save("dataparallel_legacy.pth", legacy_bytes(state))
write_expected("dataparallel_legacy.pth", state)


# --- the official PFSA dialect: Python 2 + GPU + torch 0.4, hand-emitted opcode by opcode -----------
class Py2Emitter:
    """Writes pickle protocol 2 the way Python 2.7's cPickle wrote torch 0.4's checkpoint dict."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = {}

    def put(self, key=None):
        index = len(self.memo)
        self.memo[key if key is not None else ("anon", index)] = index
        self.out += b"q" + bytes([index]) if index < 256 else b"r" + struct.pack("<I", index)

    def get(self, key):
        index = self.memo[key]
        self.out += b"h" + bytes([index]) if index < 256 else b"j" + struct.pack("<I", index)

    def string(self, text):  # a Python 2 str: SHORT_BINSTRING / BINSTRING, never BINUNICODE
        if ("str", text) in self.memo:
            return self.get(("str", text))
        raw = text.encode("ascii")
        self.out += (b"U" + bytes([len(raw)]) if len(raw) < 256 else b"T" + struct.pack("<i", len(raw))) + raw
        self.put(("str", text))

    def integer(self, value):
        if 0 <= value < 256:
            self.out += b"K" + bytes([value])
        elif 0 <= value < 65536:
            self.out += b"M" + struct.pack("<H", value)
        elif -(2 ** 31) <= value < 2 ** 31:
            self.out += b"J" + struct.pack("<i", value)
        else:  # Python 2 long: LONG1
            raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
            self.out += b"\x8a" + bytes([len(raw)]) + raw

    def real(self, value):
        self.out += b"G" + struct.pack(">d", value)

    def global_(self, module, name):
        if ("global", module, name) in self.memo:
            return self.get(("global", module, name))
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        self.put(("global", module, name))

    def int_tuple(self, values):
        self.out += b"("
        for v in values:
            self.integer(v)
        self.out += b"t"
        self.put()

    def tensor(self, tensor):
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.out += b"("  # the six arguments
        storage = tensor.storage
        self.out += b"("  # persistent id ('storage', type, key, location, numel, None)
        self.string("storage")
        self.global_("torch.cuda", storage.cls_name)
        self.string(storage.key)
        self.string(storage.location)
        self.integer(storage.data.size)
        self.out += b"N" + b"t"
        self.put()
        self.out += b"Q"
        self.integer(tensor.offset)
        self.int_tuple(tensor.shape)
        self.int_tuple(tensor.stride)
        self.out += b"\x89"  # requires_grad False
        self.global_("collections", "OrderedDict")
        self.out += b")R"  # backward_hooks = OrderedDict()
        self.put()
        self.out += b"t"
        self.put()
        self.out += b"R"
        self.put()

    def ordered_dict(self, items, metadata=None):
        """OrderedDict as Python 2 reduces it: OrderedDict([[k, v], ...]), then BUILD {'_metadata': ...}."""
        self.global_("collections", "OrderedDict")
        self.out += b"]"
        self.put()
        self.out += b"("
        for key, emit_value in items:
            self.out += b"]"
            self.put()
            self.out += b"("
            self.string(key)
            emit_value()
            self.out += b"e"
        self.out += b"e"
        self.out += b"\x85R"  # TUPLE1, REDUCE
        self.put()
        if metadata is not None:
            self.out += b"}"
            self.put()
            self.string("_metadata")
            metadata()
            self.out += b"s"
            self.out += b"b"  # BUILD: sets OrderedDict._metadata

    def numpy_float64(self, value):
        """numpy.float64 as Python 2 pickled it: scalar(dtype('f8') with BUILD state, 8 raw bytes as a str)."""
        self.global_("numpy.core.multiarray", "scalar")
        self.global_("numpy", "dtype")
        self.string("f8")
        self.out += b"\x89\x88\x87R"  # (False, True) TUPLE3 REDUCE
        self.put()
        self.out += b"(K\x03"
        self.string("<")
        self.out += b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        raw = struct.pack("<d", value)
        self.out += b"U" + bytes([len(raw)]) + raw  # a Python 2 str holding raw bytes
        self.out += b"\x86R"
        self.put()

    def version_dict(self):
        self.out += b"}"
        self.put()
        self.string("version")
        self.integer(1)
        self.out += b"s"


def pfsa_py2_gpu_checkpoint(state, epoch, best_top1, numpy_best=False):
    """The bytes of torch.save({'state_dict', 'epoch', 'best_top1'}) from Python 2 + torch 0.4 + a GPU."""
    f = io.BytesIO()
    f.write(b"\x80\x02\x8a\x0a" + MAGIC.to_bytes(10, "little") + b".")
    f.write(b"\x80\x02M\xe9\x03.")
    sysinfo = Py2Emitter()
    sysinfo.out += b"}"
    sysinfo.put()
    sysinfo.out += b"("
    sysinfo.string("protocol_version")
    sysinfo.integer(1001)
    sysinfo.string("little_endian")
    sysinfo.out += b"\x88"
    sysinfo.string("type_sizes")
    sysinfo.out += b"}"
    sysinfo.put()
    sysinfo.out += b"("
    for name, size in (("short", 2), ("int", 4), ("long", 8)):
        sysinfo.string(name)
        sysinfo.integer(size)
    sysinfo.out += b"uu."
    f.write(sysinfo.out)

    e = Py2Emitter()
    e.out += b"}"
    e.put()
    e.out += b"("
    e.string("epoch")
    e.integer(epoch)
    e.string("state_dict")
    modules = sorted({key.rsplit(".", 1)[0] for key in state} | {""})

    def metadata():
        e.ordered_dict([(m, e.version_dict) for m in modules])

    e.ordered_dict([(key, (lambda t=tensor: e.tensor(t))) for key, tensor in state.items()], metadata=metadata)
    e.string("best_top1")
    if numpy_best:
        e.numpy_float64(best_top1)
    else:
        e.real(best_top1)
    e.out += b"u."
    f.write(e.out)

    keys = []
    for tensor in state.values():
        if tensor.storage.key not in keys:
            keys.append(tensor.storage.key)
    k = Py2Emitter()
    k.out += b"]"
    k.put()
    k.out += b"("
    for key in keys:
        k.string(key)
    k.out += b"e."
    f.write(k.out)
    seen = {t.storage.key: t.storage for t in state.values()}
    for key in keys:
        data = seen[key].data
        f.write(struct.pack("<q", data.size))
        f.write(data.tobytes())
    return f.getvalue()


def pfsa_like_state():
    """A few keys of the official PFSA state dict (no module. prefix, base. backbone), from a GPU."""
    state = collections.OrderedDict()
    key = iter(str(94000000 + 16 * i) for i in range(1000))
    conv = Storage(next(key), RNG.standard_normal(8 * 3 * 7 * 7).astype(np.float32), "FloatStorage", "cuda:0", "torch.cuda")
    state["base.conv1.weight"] = Tensor(conv, 0, (8, 3, 7, 7))
    for field in ("weight", "bias", "running_mean", "running_var"):
        values = RNG.standard_normal(8).astype(np.float32)
        if field == "running_var":
            values = np.abs(values) + 0.5
        state["base.bn1." + field] = Tensor(Storage(next(key), values, "FloatStorage", "cuda:0", "torch.cuda"), 0, (8,))
    state["base.bn1.num_batches_tracked"] = Tensor(
        Storage(next(key), np.array([2 ** 33 + 5], np.int64), "LongStorage", "cuda:0", "torch.cuda"), 0, ())
    local = Storage(next(key), RNG.standard_normal(2 * 256 * 8).astype(np.float32), "FloatStorage", "cuda:0", "torch.cuda")
    # Two tensors in one storage, the second at an offset.
    state["local_conv.weight"] = Tensor(local, 0, (256, 8, 1, 1))
    state["local_conv_layer1.weight"] = Tensor(local, 256 * 8, (256, 8, 1, 1))
    inst = Storage(next(key), RNG.standard_normal(751 * 256).astype(np.float32), "FloatStorage", "cuda:0", "torch.cuda")
    state["instance0.weight"] = Tensor(inst, 0, (751, 256))
    state["fusion_conv.weight"] = Tensor(
        Storage(next(key), RNG.standard_normal(4).astype(np.float32), "FloatStorage", "cuda:0", "torch.cuda"), 0, (1, 4, 1))
    return state


state = pfsa_like_state()
save("checkpoint.pth.tar", pfsa_py2_gpu_checkpoint(state, epoch=60, best_top1=0.947))
write_expected("checkpoint.pth.tar", state, {"epoch": "60", "best_top1": "0.947"})
# open-reid style: best_top1 is a numpy.float64 (Python 2 str bytes), epoch a numpy.int64 in the Python 3 file.
save("openreid_py2.pth.tar", pfsa_py2_gpu_checkpoint(state, epoch=60, best_top1=0.947, numpy_best=True))
write_expected("openreid_py2.pth.tar", state, {"epoch": "60", "best_top1": "0.947"})
state = small_state()
save("openreid_py3.pth.tar", legacy_bytes({"state_dict": state, "epoch": np.int64(60), "best_top1": np.float64(0.947)}))
write_expected("openreid_py3.pth.tar", state, {"epoch": "60", "best_top1": "0.947"})


# --- hostile and broken files ---------------------------------------------------------------------
def legacy_with_object_pickle(object_pickle, keys=(), storages=b""):
    f = io.BytesIO()
    pickle.dump(MAGIC, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump(SYS_INFO, f, protocol=2)
    f.write(object_pickle)
    pickle.dump(list(keys), f, protocol=2)
    f.write(storages)
    return f.getvalue()


marker = os.path.join(OUT, "pwned")


def system_call(command):  # GLOBAL posix/os system + REDUCE: what pickle writes for os.system(command)
    raw = command.encode()
    return b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(raw)) + raw + b"\x85R."


save("bad-os-system.pt", legacy_with_object_pickle(system_call(f"touch {marker}")))
# The same call hidden inside a state dict value, in a zip checkpoint, through STACK_GLOBAL (protocol 4).
hidden = (b"\x80\x04}q\x00\x8c\x06weightq\x01\x8c\x05posixq\x02\x8c\x06systemq\x03\x93q\x04\x8c"
          + bytes([len(f"touch {marker}")]) + f"touch {marker}".encode() + b"\x85R\x73.")
with zipfile.ZipFile(os.path.join(OUT, "bad-os-system-zip.pt"), "w") as z:
    z.writestr("archive/data.pkl", hidden)
    z.writestr("archive/byteorder", "little")
save("bad-eval.pt", legacy_with_object_pickle(
    b"\x80\x02c__builtin__\neval\nq\x00X\x0e\x00\x00\x00__import__('os')\x85R."))

# Wrong magic number (a legacy layout whose first pickle is some other number).
save("bad-magic.pt", legacy_bytes(small_state(), magic=0x1950A86A20F9469CFC6D))

# A storage of 50 elements behind a tensor of 10x10.
short = Storage("0", np.zeros(50, np.float32), "FloatStorage")
save("bad-storage-small.pt", legacy_bytes(collections.OrderedDict(w=Tensor(short, 0, (10, 10)))))
# A tensor of 2^40 elements over a 4-element storage.
tiny = Storage("0", np.zeros(4, np.float32), "FloatStorage")
save("bad-huge-shape.pt", legacy_bytes(collections.OrderedDict(w=Tensor(tiny, 0, (2 ** 20, 2 ** 20)))))
save("bad-huge-shape_zip.pt", zip_bytes(collections.OrderedDict(w=Tensor(tiny, 0, (2 ** 20, 2 ** 20)))))
# safetensors whose shape claims 2^40 elements and whose data is shorter than declared.
header = json.dumps({"w": {"dtype": "F32", "shape": [1048576, 1048576], "data_offsets": [0, 16]}}).encode()
save("bad-huge-shape.safetensors", struct.pack("<Q", len(header)) + header + bytes(16))
header = json.dumps({"w": {"dtype": "F32", "shape": [10, 10], "data_offsets": [0, 400]}}).encode()
save("bad-short-data.safetensors", struct.pack("<Q", len(header)) + header + bytes(200))
# A zip whose central directory claims a stored storage entry inflates to 2 GiB (a zip bomb's lie).
bomb = bytearray(zip_bytes(small_state()))
record = bomb.index(b"PK\x01\x02")  # the first central directory record
while not bomb[record + 46:].startswith(b"archive/data/0"):
    record = bomb.index(b"PK\x01\x02", record + 4)
bomb[record + 24:record + 28] = struct.pack("<I", 0x7FFFFFFF)  # uncompressed size
save("bad-zip-bomb.pt", bytes(bomb))

# legacy whose pickles run past the reader's first read of 64 KiB, and its next of 512 KiB: 3,000 more
# tensors with long names (about 750 KB of pickles), then the storages; and a view that repeats one
# element of a six-element fp16 storage 40 times (stride 0), more than 16 times the one element it reaches.
LONG_RNG = np.random.default_rng(3000)  # its own: the fixtures above keep their values
state = small_state()
state["half.repeated"] = Tensor(state["half.weight"].storage, 2, (40,), (0,))
for i in range(3000):
    storage = Storage(str(100 + i), LONG_RNG.standard_normal(2).astype(np.float32), "FloatStorage")
    state["blocks.%04d.%s.weight" % (i, "a_long_module_name_" * 8)] = Tensor(storage, 0, (2,))
save("long_legacy.pt", legacy_bytes(state))
write_expected("long_legacy.pt", state)

print("ok")
