"""Rewrite an ONNX file's 1-D ConvTranspose nodes as polyphase Convs: the same sums, faster on CPU.

onnxruntime's CPU ConvTranspose runs a GEMM and then scatters its columns back (col2im); in our
codec decoder that made its four upsampling layers 40% of the decoder's time. A transposed
convolution with stride s and a kernel of k = T * s taps is s ordinary convolutions of T taps, one
per output phase, whose outputs interleave: output sample m = q * s + r (before the padding is cut)
is sum_t W[:, :, t * s + r] . x[q - t]. So each node becomes one Conv with s * Cout output channels
(the phases stacked, kernels flipped, T - 1 zeros of padding either side), a Reshape/Transpose/
Reshape that interleaves the phases, and a Slice that cuts the padding. The weights are only
rearranged, so fp16-stored weights stay exactly what they were; outputs agree to float rounding.

An exported bundle is upgraded with its manifest by export/upgrade_bundle.py.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .prune import drop_unused

INT64_MAX = 2**63 - 1


def _attributes(node) -> dict:
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def polyphase_weights(weight: np.ndarray, stride: int) -> np.ndarray:
    """ConvTranspose weights [Cin, Cout, T * s] -> Conv weights [s * Cout, Cin, T], phase-major, taps flipped."""
    cin, cout, k = weight.shape
    taps = k // stride
    out = np.zeros((stride, cout, cin, taps), dtype=weight.dtype)
    for r in range(stride):
        for u in range(taps):
            out[r, :, :, u] = weight[:, :, (taps - 1 - u) * stride + r].T
    return out.reshape(stride * cout, cin, taps)


def rewrite_conv_transposes(path: Path) -> list[str]:
    """Rewrites `path` in place; returns the names of the nodes rewritten (others are left as they were, and a file with none is not touched)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}

    def constant(name: str) -> tuple[np.ndarray, bool] | None:
        """An input's value and whether it is stored fp16 behind a Cast (compact.py), or None if computed."""
        if name in initializers:
            return numpy_helper.to_array(initializers[name]), False
        node = producers.get(name)
        if node is not None and node.op_type == "Cast" and node.input[0] in initializers:
            return numpy_helper.to_array(initializers[node.input[0]]), True
        return None

    def add_constant(name: str, values: np.ndarray, as_fp16: bool) -> list:
        if not as_fp16:
            graph.initializer.append(numpy_helper.from_array(values, name))
            return []
        graph.initializer.append(numpy_helper.from_array(values.astype(np.float16), f"{name}__fp16"))
        return [helper.make_node("Cast", [f"{name}__fp16"], [name], to=TensorProto.FLOAT, name=f"{name}__to_fp32")]

    rewritten: list[str] = []
    nodes = []
    for node in graph.node:
        attrs = _attributes(node)
        weight = constant(node.input[1]) if node.op_type == "ConvTranspose" else None
        bias = constant(node.input[2]) if weight is not None and len(node.input) > 2 and node.input[2] else None
        kernel = attrs.get("kernel_shape", [weight[0].shape[2]] if weight is not None and weight[0].ndim == 3 else [])
        stride = (attrs.get("strides") or [1])[0]
        pads = attrs.get("pads", [0, 0])
        output_padding = (attrs.get("output_padding") or [0])[0]
        usable = (weight is not None and weight[0].ndim == 3 and len(kernel) == 1 and attrs.get("group", 1) == 1
                  and attrs.get("dilations", [1]) == [1] and "output_shape" not in attrs
                  and attrs.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET") and kernel[0] % stride == 0
                  and output_padding <= pads[1] and (len(node.input) < 3 or not node.input[2] or bias is not None))
        if not usable:
            nodes.append(node)
            continue
        values, fp16 = weight
        cin, cout, k = values.shape
        taps = k // stride
        base = f"{node.name}__polyphase"
        nodes += add_constant(f"{base}_weight", polyphase_weights(values, stride), fp16)
        conv_inputs = [node.input[0], f"{base}_weight"]
        if bias is not None:
            nodes += add_constant(f"{base}_bias", np.tile(bias[0], stride).astype(bias[0].dtype), bias[1])
            conv_inputs.append(f"{base}_bias")
        graph.initializer.extend([
            numpy_helper.from_array(np.array([0, stride, cout, -1], dtype=np.int64), f"{base}_phases"),
            numpy_helper.from_array(np.array([0, cout, -1], dtype=np.int64), f"{base}_interleaved"),
            numpy_helper.from_array(np.array([pads[0]], dtype=np.int64), f"{base}_start"),
            numpy_helper.from_array(np.array([-(pads[1] - output_padding) if pads[1] > output_padding else INT64_MAX], dtype=np.int64), f"{base}_end"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), f"{base}_axis"),
        ])
        nodes += [
            helper.make_node("Conv", conv_inputs, [f"{base}_z"], name=f"{base}_conv", kernel_shape=[taps], pads=[taps - 1, taps - 1], strides=[1]),
            helper.make_node("Reshape", [f"{base}_z", f"{base}_phases"], [f"{base}_zp"], name=f"{base}_reshape"),
            helper.make_node("Transpose", [f"{base}_zp"], [f"{base}_zt"], name=f"{base}_transpose", perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", [f"{base}_zt", f"{base}_interleaved"], [f"{base}_y"], name=f"{base}_interleave"),
            helper.make_node("Slice", [f"{base}_y", f"{base}_start", f"{base}_end", f"{base}_axis"], [node.output[0]], name=f"{base}_cut"),
        ]
        rewritten.append(node.name)
    if not rewritten:
        return rewritten
    del graph.node[:]
    graph.node.extend(nodes)
    # The Casts of the old weights now feed nothing.
    drop_unused(graph)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return rewritten
