"""The state graph drawn as SVG boxes and arrows, from the same transition table as the Mermaid text."""
from .definition import LAYOUT, STATE_LABELS, graph_edges

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 170, 46, 50, 70, 20


def _box(state):
    col, row = LAYOUT[state]
    return MARGIN + col * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y)


def _anchor(state, toward):
    """Point on the border of `state`'s box in the direction of `toward`'s box."""
    x, y = _box(state)
    tx, ty = _box(toward)
    cx, cy = x + BOX_W / 2, y + BOX_H / 2
    if ty == y:  # same row: left or right side
        return (x + BOX_W, cy) if tx > x else (x, cy)
    return (cx + (tx - x) / 8, y + BOX_H) if ty > y else (cx + (tx - x) / 8, y)


def graph_svg_data(current=None):
    """Boxes and arrows with coordinates, ready for the template."""
    boxes = [{"state": s, "label": STATE_LABELS[s], "x": _box(s)[0], "y": _box(s)[1],
              "current": s == current} for s in LAYOUT]
    arrows = []
    for source, target, labels in graph_edges():
        (x1, y1), (x2, y2) = _anchor(source, target), _anchor(target, source)
        arrows.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "title": " / ".join(labels),
                       "source": STATE_LABELS[source], "target": STATE_LABELS[target]})
    width = MARGIN * 2 + 4 * BOX_W + 3 * GAP_X
    height = MARGIN * 2 + 2 * BOX_H + GAP_Y
    return {"boxes": boxes, "arrows": arrows, "width": width, "height": height,
            "box_w": BOX_W, "box_h": BOX_H}
