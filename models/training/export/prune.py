"""Drop what a rewritten ONNX graph no longer uses: nodes whose outputs nothing reads, then initializers."""
from __future__ import annotations


def drop_unused(graph) -> None:
    """In place; repeats until stable, since dropping a node can leave its inputs' producers unread."""
    outputs = {o.name for o in graph.output}
    while True:
        read = {name for node in graph.node for name in node.input} | outputs
        dead = [node for node in graph.node if not any(out in read for out in node.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name in read]
    del graph.initializer[:]
    graph.initializer.extend(kept)
