"""Autograd card: the graph of y = (w·x + b)² read from its real ``grad_fn`` chain, and what ``backward()`` did.

The card computes y with real tensors, walks ``y.grad_fn`` and each node's ``next_functions`` down to the leaves
(``AccumulateGrad`` nodes, whose ``variable`` is the leaf tensor; ``None`` where an input needs no gradient), hooks
every node to record the gradient it receives, runs ``y.backward()`` and reads ``.grad``. The drawing, the text
tree and every number come from that one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from ..render.common import escape
from .base import Card
from .settings import Aliases, ChoiceSetting, FloatSetting

#: The leaves that always require grad: a weight and a bias.
W, B = 2.0, -1.0
DEFAULT_X = 1.5


@dataclass
class GraphNode:
    """One node of the backward graph: its class name, the leaf it stands for, the gradient it received."""

    key: int
    kind: str  # the node's class name (MulBackward0, AccumulateGrad), or "None" for an input without a gradient
    depth: int
    children: list[int] = field(default_factory=list)
    leaf: str | None = None  # the leaf's name, for AccumulateGrad nodes (and the input's name for a None slot)
    received: float | None = None  # the gradient flowing into the node during backward()


@dataclass
class Graph:
    nodes: list[GraphNode]

    def node(self, key: int) -> GraphNode:
        return self.nodes[key]

    def edges(self) -> list[tuple[int, int]]:
        return [(node.key, child) for node in self.nodes for child in node.children]


def walk(root: Any, leaves: dict[str, torch.Tensor], slots: dict[tuple[str, int], str]) -> tuple[Graph, list[Any]]:
    """The graph under ``root`` (a ``grad_fn``), one ``GraphNode`` per autograd node, in depth-first order.

    ``leaves`` names the leaf tensors (matched to ``AccumulateGrad.variable`` by identity); ``slots`` names the
    input behind a ``None`` entry of ``next_functions`` (keyed by the node's class name and the slot's position),
    which the graph itself cannot say. Each node gets a pre-hook that writes the gradient it receives into its
    ``GraphNode``; the hooks are returned so they can be removed.
    """
    nodes: list[GraphNode] = []
    seen: dict[int, int] = {}
    handles: list[Any] = []

    def visit(function: Any, depth: int, parent: GraphNode | None, position: int) -> None:
        if function is None:
            name = slots.get((parent.kind, position)) if parent is not None else None
            nodes.append(GraphNode(len(nodes), "None", depth, leaf=name))
            if parent is not None:
                parent.children.append(len(nodes) - 1)
            return
        if id(function) in seen:  # a node reached twice (a value used twice): one node, two edges
            if parent is not None:
                parent.children.append(seen[id(function)])
            return
        kind = type(function).__name__
        variable = getattr(function, "variable", None)
        leaf = next((name for name, tensor in leaves.items() if tensor is variable), None)
        node = GraphNode(len(nodes), kind, depth, leaf=leaf)
        nodes.append(node)
        seen[id(function)] = node.key
        if parent is not None:
            parent.children.append(node.key)

        def record(grad_outputs: tuple[torch.Tensor | None, ...], node: GraphNode = node) -> None:
            first = grad_outputs[0]
            node.received = None if first is None else float(first.item())

        handles.append(function.register_prehook(record))
        for index, (child, _) in enumerate(function.next_functions):
            visit(child, depth + 1, node, index)

    visit(root, 0, None, 0)
    return Graph(nodes), handles


def number(value: float) -> str:
    """A value in a sentence: four significant digits, a real minus sign, no "-0"."""
    return f"{value + 0.0:.4g}".replace("-", "−")


def factor(value: float) -> str:
    """A value as a factor of a written-out product: negative ones in brackets, 2 · (−2)."""
    text = number(value)
    return f"({text})" if text.startswith("−") else text


def literal(value: float) -> str:
    """A Python float literal for the code shown: a slider's 0.30000000000000004 is written 0.3 (same float32)."""
    return repr(float(f"{value:.12g}"))


# -- drawing ----------------------------------------------------------------------------------------------------
NODE_WIDTH, NODE_HEIGHT, COLUMN, ROW = 128, 34, 140, 62
_BLUE = "rgb(49,104,214)"


def _columns(graph: Graph) -> dict[int, float]:
    """Horizontal place of each node: leaves side by side in depth-first order, a parent above its children."""
    place: dict[int, float] = {}
    next_slot = 0.0

    def assign(key: int) -> float:
        nonlocal next_slot
        if key in place:
            return place[key]
        children = graph.node(key).children
        if not children:
            place[key] = next_slot
            next_slot += 1
        else:
            spots = [assign(child) for child in children]
            place[key] = (min(spots) + max(spots)) / 2
        return place[key]

    assign(0)
    return place


def draw(graph: Graph, node_text: dict[int, tuple[str, str]], title: str) -> str:
    """The graph as inline SVG: the output's node on top, the leaves at the bottom, arrows the way backward() goes."""
    place = _columns(graph)
    width = (max(place.values()) + 1) * COLUMN + 8
    depth = max(node.depth for node in graph.nodes)
    top = 18  # room for the "y.grad_fn" label over the output's node
    height = top + (depth + 1) * ROW

    def centre(key: int) -> tuple[float, float]:
        return 4 + place[key] * COLUMN + COLUMN / 2, top + graph.node(key).depth * ROW + NODE_HEIGHT / 2

    parts = [
        '<defs><marker id="tm-autograd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>'
    ]
    root_x, _ = centre(0)
    parts.append(f'<text x="{root_x:.1f}" y="{top - 5}" text-anchor="middle">y.grad_fn</text>')
    for parent, child in graph.edges():
        (x1, y1), (x2, y2) = centre(parent), centre(child)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1 + NODE_HEIGHT / 2:.1f}" x2="{x2:.1f}" y2="{y2 - NODE_HEIGHT / 2 - 1:.1f}" '
            'stroke="#888" marker-end="url(#tm-autograd-arrow)"/>'
        )
    for node in graph.nodes:
        x, y = centre(node.key)
        left, box_top = x - NODE_WIDTH / 2, y - NODE_HEIGHT / 2
        empty = node.kind == "None"
        style = ('fill="none" stroke="#999" stroke-dasharray="4 3"' if empty else
                 f'fill="rgba(49,104,214,0.12)" stroke="{_BLUE}"')
        parts.append(f'<rect x="{left:.1f}" y="{box_top:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
                     f'{style}/>')
        name, detail = node_text[node.key]
        parts.append(f'<text x="{x:.1f}" y="{box_top + 14:.1f}" text-anchor="middle" font-weight="bold">'
                     f"{escape(name)}</text>")
        parts.append(f'<text x="{x:.1f}" y="{box_top + 27:.1f}" text-anchor="middle">{escape(detail)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" style="font-family:sans-serif;font-size:10px;fill:currentColor">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def tree_rows(graph: Graph, node_text: dict[int, tuple[str, str]]) -> list[str]:
    """The graph as an indented tree, one node per row, with the same labels as the drawing."""
    rows: list[str] = []

    def add(key: int, prefix: str, branch: str) -> None:
        name, detail = node_text[key]
        rows.append(f"{prefix}{branch}{name}  {detail}")
        children = graph.node(key).children
        inner = prefix + ("   " if branch in ("└─ ", "") else "│  ")
        for index, child in enumerate(children):
            add(child, inner if branch else prefix, "└─ " if index == len(children) - 1 else "├─ ")

    add(0, "", "")
    return rows


class AutogradCard(Card):
    topic = "autograd"
    order = 210
    group = "training"
    aliases = Aliases(
        en=("backward", "grad-fn", "computation-graph", "backpropagation", "backprop", "gradients"),
        zh=("自动求导", "计算图", "反向传播", "梯度"),
    )
    settings = (
        FloatSetting("x", DEFAULT_X, -3.0, 3.0, 0.1),
        ChoiceSetting("x_requires_grad", False, (("False", False), ("True", True))),
    )

    def code(self, x: float, track_x: bool) -> list[str]:
        """The code the card runs, as a student would type it."""
        grad = ", requires_grad=True" if track_x else ""
        return [
            f"w = torch.tensor({W!r}, requires_grad=True)",
            f"b = torch.tensor({B!r}, requires_grad=True)",
            f"x = torch.tensor({literal(x)}{grad})",
            "z = w * x + b",
            "y = z ** 2",
            "y.backward()",
        ]

    def refresh(self) -> None:
        x_value = float(self.controls["x"].value)
        track_x = bool(self.controls["x_requires_grad"].value)
        w = torch.tensor(W, requires_grad=True)
        b = torch.tensor(B, requires_grad=True)
        x = torch.tensor(x_value, requires_grad=track_x)
        z = w * x + b
        y = z**2
        graph, handles = walk(y.grad_fn, {"w": w, "b": b, "x": x}, {("MulBackward0", 1): "x"})
        try:
            y.backward()
        finally:
            for handle in handles:
                handle.remove()
        grads = {name: (None if t.grad is None else float(t.grad.item())) for name, t in (("w", w), ("b", b), ("x", x))}
        z_value, y_value = float(z.item()), float(y.item())
        self.numbers = {
            "x": x_value, "x_float32": float(x.item()), "z": z_value, "y": y_value, "grads": grads,
            "root": type(y.grad_fn).__name__, "z_is_leaf": z.is_leaf,
            "nodes": [(n.kind, n.depth, n.leaf, n.received) for n in graph.nodes], "edges": graph.edges(),
        }
        self.lines = self._lines(graph, track_x, z_value, y_value, float(x.item()), grads)
        node_text = self._node_text(graph)
        self.figures = [(self.message("fig.graph"), draw(graph, node_text, self.message("fig.graph")))]
        self.text_figures = [(self.message("fig.tree"), ["y.grad_fn", *tree_rows(graph, node_text)])]

    def _node_text(self, graph: Graph) -> dict[int, tuple[str, str]]:
        text: dict[int, tuple[str, str]] = {}
        for node in graph.nodes:
            if node.kind == "None":
                text[node.key] = ("None", self.message("node.none", name=node.leaf or "?"))
            elif node.leaf is not None and node.received is not None:
                text[node.key] = (node.kind, f"{node.leaf}.grad = {number(node.received)}")
            else:
                received = "—" if node.received is None else number(node.received)
                text[node.key] = (node.kind, self.message("node.receives", value=received))
        return text

    def _lines(self, graph: Graph, track_x: bool, z: float, y: float, x: float,
               grads: dict[str, float | None]) -> list[str]:
        lines = [self.message("code_title")]
        lines += ["    " + row for row in self.code(self.controls["x"].value, track_x)]
        lines.append("")
        lines.append(self.message("forward", w=number(W), b=number(B), x=number(x), z=number(z), y=number(y),
                                  x_grad=str(track_x)))
        separator = self.common_message("separator")
        between = [node.kind for node in graph.nodes[1:] if node.kind not in ("None", "AccumulateGrad")]
        leaves = [node.leaf for node in graph.nodes if node.kind == "AccumulateGrad" and node.leaf]
        lines.append(self.message("graph", root=graph.nodes[0].kind, chain=separator.join(between),
                                  count=len(leaves), leaves=separator.join(leaves)))
        received = {node.kind: node.received for node in graph.nodes if node.kind != "AccumulateGrad"}
        root = graph.nodes[0]
        lines.append(self.message("backward", root=root.kind, first=number(root.received or 0.0),
                                  dz=number(received.get("AddBackward0") or 0.0)))
        gw, gb = grads["w"], grads["b"]
        assert gw is not None and gb is not None
        lines.append(self.message("grad_w", z=factor(z), x=factor(x), value=number(gw)))
        lines.append(self.message("grad_b", z=factor(z), value=number(gb)))
        if track_x:
            gx = grads["x"]
            assert gx is not None
            lines.append(self.message("grad_x", z=factor(z), w=factor(W), value=number(gx)))
        else:
            lines.append(self.message("no_grad_x"))
        lines.append(self.message("nonleaf"))
        if z == 0:  # every gradient is 0, so adding them up shows nothing: say why they are 0 instead
            lines.append(self.message("flat"))
        else:
            lines.append(self.message("accumulate", twice=number(2 * gw)))
        return lines
