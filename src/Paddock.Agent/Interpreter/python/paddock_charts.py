"""Chart extraction of Paddock's code interpreter: a matplotlib figure as the chart object E2B's SDKs
describe (their `ChartType`, `ScaleType` and each chart's elements), field for field as E2B's own chart
extraction reports it:

- a chart is `line`, `scatter`, `bar`, `pie`, `box_and_whisker` or `unknown`, read from what the axes
  hold; a figure with several axes is a `superchart` of one chart per axes; a figure with no data is none;
- `title`, `x_label`, `y_label`, `x_unit`, `y_unit` are null when absent; a unit is what a label holds in
  `(...)` after a space, or in `[...]` ("Time (s)" -> "s", "Y (log scale)" -> "log scale");
- line and scatter charts carry each axis's ticks, tick labels and scale: `datetime` for a date axis (its
  ticks and points as ISO strings), `categorical` when the ticks are 0..n-1 labelled otherwise, else
  matplotlib's scale name (`linear`, `log`, `symlog`, ...);
- bar values and box statistics are numbers; pie angles and box statistics are rounded as E2B rounds them
  (so 90% of a pie is 324, not 323.99999141693115); a horizontal chart reports its category axis as x.

Where E2B's guesses misread a figure (a vertical bar chart whose bars are all the same height taken for
a horizontal one, a single box, outliers past the first dropped), this reads what matplotlib recorded,
which gives E2B's objects wherever E2B reads the figure right. Written for Paddock; it imports nothing but
matplotlib (and numpy, which matplotlib brings).
"""

import datetime
import numbers
import re
from decimal import Decimal, localcontext

_UNIT = re.compile(r"\s\((.*?)\)|\[(.*?)\]")


def chart_of_figure(figure):
    """The chart of a figure as a JSON-ready dict, or None for a figure with no data."""
    axes = figure.get_axes()
    if not axes or not any(ax.has_data() for ax in axes):
        return None
    if len(axes) > 1:
        suptitle = getattr(figure, "_suptitle", None)
        return {"type": "superchart", "title": suptitle.get_text() if suptitle is not None else "",
                "elements": [chart_of_axes(ax) for ax in axes]}
    return chart_of_axes(axes[0])


def chart_of_axes(ax):
    kind = _kind(ax)
    if kind == "line":
        return _point_chart(ax, "line", _lines(ax))
    if kind == "scatter":
        return _point_chart(ax, "scatter", [
            {"label": c.get_label(), "points": [[_point(x), _point(y)] for x, y in c.get_offsets()]} for c in ax.collections])
    if kind == "bar":
        return _bar_chart(ax)
    if kind == "pie":
        return _pie_chart(ax)
    if kind == "box_and_whisker":
        return _box_chart(ax)
    return {"type": "unknown", "title": _title(ax), "elements": []}


def _kind(ax):
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch, Rectangle, Wedge
    from matplotlib.text import Text

    children = [c for c in _drawn(ax) if not isinstance(c, Text)]
    if all(isinstance(c, Line2D) for c in children):
        return "line"
    if all(isinstance(c, (PathPatch, Line2D)) for c in children):
        return "box_and_whisker"
    children = [c for c in children if not (isinstance(c, Line2D) and _is_rule(c))]
    if all(isinstance(c, PathCollection) for c in children):
        return "scatter"
    if all(isinstance(c, Wedge) for c in children):
        return "pie"
    if all(isinstance(c, Rectangle) for c in children):
        return "bar"
    return "unknown"


def _drawn(ax):
    """What was drawn into the axes (lines, patches, collections, texts, added artists), without the axes'
    own furniture (spines, axis, title, background patch)."""
    children = getattr(ax, "_children", None)
    return list(children) if children is not None else [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.artists, *ax.images]


def _is_rule(line):
    """A two-point horizontal or vertical line: a grid or reference line (axhline, axvline), not data."""
    xs, ys = line.get_xdata(), line.get_ydata()
    return len(xs) == 2 and len(ys) == 2 and (xs[0] == xs[1] or ys[0] == ys[1])


def _title(ax):
    return ax.get_title() or None


def _unit(label):
    match = _UNIT.search(label) if label else None
    return (match.group(1) or match.group(2)) if match else None


def _chart_2d(ax, kind):
    x_label, y_label = ax.get_xlabel() or None, ax.get_ylabel() or None
    return {"type": kind, "title": _title(ax), "elements": [],
            "x_label": x_label, "y_label": y_label, "x_unit": _unit(x_label), "y_unit": _unit(y_label)}


def _swap_axes(chart):
    """A horizontal chart reports its category axis as x, as E2B's does."""
    chart["x_label"], chart["y_label"] = chart["y_label"], chart["x_label"]
    chart["x_unit"], chart["y_unit"] = chart["y_unit"], chart["x_unit"]


# Line and scatter charts.

def _point_chart(ax, kind, elements):
    chart = _chart_2d(ax, kind)
    for name, axis, scale in (("x", ax.xaxis, ax.get_xscale()), ("y", ax.yaxis, ax.get_yscale())):
        labels = [label.get_text() for label in axis.get_ticklabels()]
        ticks = _ticks(axis, axis.get_ticklocs())
        chart[name + "_ticks"] = ticks
        chart[name + "_tick_labels"] = labels
        chart[name + "_scale"] = _scale(axis, scale, ticks, labels)
    chart["elements"] = elements
    return chart


def _lines(ax):
    elements = []
    for line in ax.get_lines():
        if _is_rule(line):
            continue
        label = line.get_label()
        if label.startswith("_child") and label[6:].isdigit():
            label = "Line %d" % int(label[6:])
        elements.append({"label": label, "points": [[_point(x), _point(y)] for x, y in zip(line.get_xdata(), line.get_ydata())]})
    return elements


def _is_date_axis(axis):
    import matplotlib.dates as mdates
    converter = getattr(axis, "get_converter", lambda: axis.converter)()
    kinds = tuple(k for k in (getattr(mdates, "DateConverter", None), getattr(mdates, "_SwitchableDateConverter", None)) if k)
    return converter is not None and isinstance(converter, kinds)


def _ticks(axis, ticks):
    ticks = list(ticks)
    if _is_date_axis(axis):
        import matplotlib.dates as mdates
        return [mdates.num2date(t).isoformat() for t in ticks]
    return [_number(t) if _is_number(t) else str(t) for t in ticks]


def _scale(axis, scale, ticks, labels):
    if _is_date_axis(axis):
        return "datetime"
    if scale != "linear":
        return scale
    # Categories sit at 0, 1, 2, ... and are labelled with their names, not with those numbers.
    for i, (tick, label) in enumerate(zip(ticks, labels)):
        if not (isinstance(tick, float) and tick == i and str(i) != label):
            return "linear"
    return "categorical"


def _point(value):
    import numpy
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, numpy.datetime64):
        return str(value.astype("datetime64[s]"))
    if _is_number(value):
        return _number(value)
    return str(value)


# Bar charts.

def _bar_chart(ax):
    from matplotlib.container import BarContainer

    chart = _chart_2d(ax, "bar")
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    horizontal = bool(containers) and all(_is_horizontal(c) for c in containers)
    if horizontal:
        _swap_axes(chart)
    category_axis = ax.yaxis if horizontal else ax.xaxis
    for container in containers:
        group = container.get_label()
        if group.startswith("_container") and group[10:].isdigit():
            group = "Group %d" % int(group[10:])
        for rect in container:
            if horizontal:
                center, value = rect.get_y() + rect.get_height() / 2, rect.get_width()
            else:
                center, value = rect.get_x() + rect.get_width() / 2, rect.get_height()
            chart["elements"].append({"label": _category(category_axis, center), "group": group, "value": _number(value)})
    return chart


def _is_horizontal(container):
    orientation = getattr(container, "orientation", None)
    if orientation is not None:
        return orientation == "horizontal"
    # Older matplotlib: horizontal bars share one height and differ in width.
    heights = [r.get_height() for r in container]
    return len(set(heights)) == 1 and len({r.get_width() for r in container}) > 1


def _category(axis, position):
    """The tick label nearest a bar's or box's centre: its category (grouped bars sit beside their tick)."""
    ticks = [(_number(t), label.get_text()) for t, label in zip(axis.get_ticklocs(), axis.get_ticklabels())]
    if not ticks:
        return "%g" % position
    return min(ticks, key=lambda tick: abs(tick[0] - position))[1]


# Pie charts.

def _pie_chart(ax):
    elements = [{
        "label": wedge.get_label(),
        "angle": abs(_rounded(Decimal(float(wedge.theta2)) - Decimal(float(wedge.theta1)))),
        "radius": _number(wedge.r),
    } for wedge in ax.patches]
    return {"type": "pie", "title": _title(ax), "elements": elements}


# Box and whisker charts.

def _box_chart(ax):
    from matplotlib.patches import PathPatch

    chart = _chart_2d(ax, "box_and_whisker")
    boxes = []
    for patch in ax.patches:
        if not isinstance(patch, PathPatch):
            continue
        vertices = patch.get_path().vertices
        xs = [_rounded(x) for x in vertices[:, 0]]
        ys = [_rounded(y) for y in vertices[:, 1]]
        boxes.append([min(xs), max(xs), min(ys), max(ys)])
    lines = [(list(map(_rounded, l.get_xdata())), list(map(_rounded, l.get_ydata())), l.get_linestyle()) for l in ax.get_lines()]
    horizontal = bool(boxes) and _boxes_are_horizontal(boxes[0], lines)
    if horizontal:
        _swap_axes(chart)
        boxes = [[y0, y1, x0, x1] for x0, x1, y0, y1 in boxes]
        lines = [(ys, xs, style) for xs, ys, style in lines]
    category_axis = ax.yaxis if horizontal else ax.xaxis
    for x0, x1, q1, q3 in boxes:
        low, high, medians, outliers = q1, q3, [], []
        for xs, ys, style in lines:
            if not xs or not all(x0 <= x <= x1 for x in xs):
                continue
            if _is_markers(style):
                outliers.extend(ys)
            elif len(ys) == 2 and ys[0] == ys[1] and q1 <= ys[0] <= q3:
                medians.append((abs(xs[1] - xs[0]), ys[0]))
            elif len(ys) == 2 and xs[0] == xs[1]:
                if max(ys) == q1:
                    low = min(ys)
                elif min(ys) == q3:
                    high = max(ys)
        # The median spans the box (caps, which sit at the whiskers' ends, are half as wide).
        median = max(medians, key=lambda m: m[0])[1] if medians else (q1 + q3) / 2
        chart["elements"].append({
            "label": _category(category_axis, (x0 + x1) / 2),
            "min": low,
            "first_quartile": q1,
            "median": median,
            "third_quartile": q3,
            "max": high,
            "outliers": outliers,
        })
    return chart


def _is_markers(style):
    """Outliers are drawn as markers without a line."""
    return style in ("None", "", " ", "none")


def _boxes_are_horizontal(box, lines):
    """A box's median crosses it: horizontally in an upright box, vertically in a lying one."""
    x0, x1, y0, y1 = box
    for xs, ys, style in lines:
        if len(xs) != 2 or _is_markers(style) or (xs[0] == xs[1] and ys[0] == ys[1]):
            continue
        if ys[0] == ys[1] and y0 <= ys[0] <= y1 and x0 <= min(xs) and max(xs) <= x1:
            return False
        if xs[0] == xs[1] and x0 <= xs[0] <= x1 and y0 <= min(ys) and max(ys) <= y1:
            return True
    return False


# Numbers.

def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _number(value):
    """A float for JSON; NaN and infinities, which JSON cannot carry, are null."""
    number = float(value)
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _rounded(value):
    """E2B's rounding of pie angles and box statistics: about 8 significant digits, fewer the larger the
    number (precision 8 minus its decimal exponent)."""
    number = value if isinstance(value, Decimal) else Decimal(str(float(value)))
    if not number.is_finite():
        return _number(number)
    with localcontext() as context:
        context.prec = max(1, 8 - number.adjusted())
        return float(+number)
