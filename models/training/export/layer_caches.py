"""Give an exported LM one KV-cache input per layer instead of one packed [L, B, H, C, Dh] input.

The exported graph took each layer's cache out of the packed input with a Gather, and
onnxruntime copies what a Gather selects: every generation step copied the whole cache, which was
47% of a coarse LM step on the 2-core CPU. With inputs cache_k_0 .. cache_k_{L-1} (each
[B, H, C, Dh]) the engine passes views of its one cache buffer and nothing is copied; the graph is
otherwise the same, and so are its outputs (equal to the bit in the engine's check).

An exported bundle is upgraded with its manifest by export/upgrade_bundle.py.
"""
from __future__ import annotations

from pathlib import Path

from .prune import drop_unused

PACKED = ("cache_k", "cache_v")


def layer_input_names(packed: str, layers: int) -> list[str]:
    return [f"{packed}_{layer}" for layer in range(layers)]


def split_layer_caches(path: Path) -> list[str]:
    """Rewrites `path` in place if it has packed cache inputs; returns the new input names ([] if none)."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    inputs = {i.name: i for i in graph.input}
    if not all(name in inputs for name in PACKED):
        return []
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            value = next((a.t for a in node.attribute if a.name == "value"), None)
            if value is not None:
                constants[node.output[0]] = numpy_helper.to_array(value)
    renamed: dict[str, str] = {}
    layer_inputs: dict[str, list] = {name: [] for name in PACKED}
    removed = []
    for node in graph.node:
        if node.input and node.input[0] in PACKED:
            axis = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "axis"), 0)
            if node.op_type != "Gather" or axis != 0 or node.input[1] not in constants or constants[node.input[1]].ndim != 0:
                raise ValueError(f"{path.name}: {node.input[0]} is read by {node.op_type} {node.name}, not by a Gather of one layer")
            packed = node.input[0]
            name = f"{packed}_{int(constants[node.input[1]])}"
            renamed[node.output[0]] = name
            removed.append(node)
            dims = [d.dim_param or d.dim_value for d in inputs[packed].type.tensor_type.shape.dim][1:]
            if name not in {i.name for i in layer_inputs[packed]}:
                layer_inputs[packed].append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims))
    for node in removed:
        graph.node.remove(node)
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name in renamed:
                node.input[index] = renamed[name]
    ordered = []
    for graph_input in graph.input:
        if graph_input.name in PACKED:
            ordered += sorted(layer_inputs[graph_input.name], key=lambda i: int(i.name.rsplit("_", 1)[1]))
        else:
            ordered.append(graph_input)
    del graph.input[:]
    graph.input.extend(ordered)
    # The layer indices fed only the Gathers.
    drop_unused(graph)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return [i.name for i in graph.input]


def layer_cache_specs(inputs: dict, layers: int) -> dict:
    """An export's input specs (name -> (dtype, shape)) with each packed cache as its per-layer inputs."""
    out = {}
    for name, (dtype, shape) in inputs.items():
        if name in PACKED:
            out.update({layer: (dtype, list(shape[1:])) for layer in layer_input_names(name, layers)})
        else:
            out[name] = (dtype, shape)
    return out
