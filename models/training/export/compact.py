"""Store an ONNX file's float32 weights as float16, each behind a Cast back to float32.

The shipped weights are fp16 already (the checkpoints are), so this halves a bundle's size on disk
and in git at no cost in accuracy, while onnxruntime folds the casts once when it loads the model
and computes in float32 as before. Needs the `onnx` package (Debian: python3-onnx).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SMALLEST = 256  # elements; smaller tensors (scales, biases of a few values) stay float32


def store_weights_fp16(path: Path) -> tuple[int, int]:
    """Rewrites `path` in place; returns (bytes before, bytes after)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    before = path.stat().st_size
    model = onnx.load(str(path))
    graph = model.graph
    # Buffers the exporter writes as Constant nodes (a fixed DFT basis, say) become initializers
    # first, so that they shrink like the weights.
    for node in [n for n in graph.node if n.op_type == "Constant"]:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        if value is not None and value.data_type == TensorProto.FLOAT and int(np.prod(value.dims)) >= SMALLEST:
            tensor = numpy_helper.from_array(numpy_helper.to_array(value), node.output[0])
            graph.node.remove(node)
            graph.initializer.append(tensor)
    casts = []
    kept = []
    for tensor in graph.initializer:
        if tensor.data_type != TensorProto.FLOAT or int(np.prod(tensor.dims)) < SMALLEST:
            kept.append(tensor)
            continue
        values = numpy_helper.to_array(tensor)
        if np.max(np.abs(values), initial=0.0) > 60000:
            kept.append(tensor)  # beyond float16's range: left as it is
            continue
        half_name = f"{tensor.name}__fp16"
        kept.append(numpy_helper.from_array(values.astype(np.float16), half_name))
        casts.append(helper.make_node("Cast", [half_name], [tensor.name], to=TensorProto.FLOAT, name=f"{tensor.name}__to_fp32"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return before, path.stat().st_size
