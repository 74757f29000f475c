"""IPython extension of Paddock's code interpreter: matplotlib figures are also displayed as the
`e2b/chart` MIME type, the chart objects E2B's SDKs expose (line, scatter, bar, pie, box and whisker;
a figure with several axes is a superchart). Loaded into every Python kernel by the agent."""

from IPython.core.formatters import BaseFormatter
from traitlets import ObjectName, Unicode


class ChartFormatter(BaseFormatter):
    format_type = Unicode("e2b/chart")
    print_method = ObjectName("_repr_e2b_chart_")
    # A chart is a JSON object (BaseFormatter accepts only strings).
    _return_type = (dict,)

    def __call__(self, obj):
        # Matched by class name rather than registered with for_type: matplotlib's inline backend removes
        # every formatter's Figure printer when it is configured, on the first import of pyplot.
        if self.enabled and any(c.__module__ == "matplotlib.figure" and c.__name__ == "Figure" for c in type(obj).__mro__):
            return _format(obj)
        return None


def _num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _axis(ax, name):
    axis = getattr(ax, name + "axis")
    ticks = [_num(t) for t in getattr(ax, "get_" + name + "ticks")()]
    labels = [t.get_text() for t in getattr(ax, "get_" + name + "ticklabels")()]
    scale = getattr(ax, "get_" + name + "scale")()
    converter = getattr(axis, "converter", None)
    if converter is not None and "date" in type(converter).__module__:
        scale = "datetime"
    return ticks, labels, scale


def _label(artist):
    label = artist.get_label()
    return "" if label.startswith("_") else label


def _base(ax, kind):
    return {"type": kind, "title": ax.get_title() or None, "x_label": ax.get_xlabel() or None, "y_label": ax.get_ylabel() or None}


def _points(ax, kind, elements):
    chart = _base(ax, kind)
    for name in ("x", "y"):
        ticks, labels, scale = _axis(ax, name)
        chart[name + "_ticks"], chart[name + "_tick_labels"], chart[name + "_scale"] = ticks, labels, scale
    chart["elements"] = elements
    return chart


def _rectangles(ax):
    """The boxes of a boxplot: closed 5-point rectangles, drawn as lines or (patch_artist) as patches."""
    from matplotlib.patches import PathPatch
    shapes = [list(zip(l.get_xdata(), l.get_ydata())) for l in ax.lines if len(l.get_xdata()) == 5]
    shapes += [[tuple(v) for v in p.get_path().vertices[:5]] for p in ax.patches if isinstance(p, PathPatch) and len(p.get_path().vertices) >= 5]
    boxes = []
    for points in shapes:
        xs = sorted({float(x) for x, _ in points})
        ys = sorted({float(y) for _, y in points})
        if len(xs) == 2 and len(ys) == 2:
            boxes.append((xs[0], xs[1], ys[0], ys[1]))
    return sorted(boxes)


def _boxes(ax, boxes):
    labels = [t.get_text() for t in ax.get_xticklabels()]
    ticks = [float(t) for t in ax.get_xticks()]
    elements = []
    for x0, x1, q1, q3 in boxes:
        center = (x0 + x1) / 2
        near = lambda x: abs(float(x) - center) < 1e-6
        whisker = [float(y) for l in ax.lines if len(l.get_xdata()) == 2 and all(near(x) for x in l.get_xdata()) for y in l.get_ydata()]
        fliers = [float(y) for l in ax.lines if l.get_linestyle() in ("None", "", " ") for x, y in zip(l.get_xdata(), l.get_ydata()) if near(x)]
        medians = [float(l.get_ydata()[0]) for l in ax.lines if len(l.get_xdata()) == 2 and l.get_ydata()[0] == l.get_ydata()[1]
                   and x0 - 1e-6 <= min(map(float, l.get_xdata())) and max(map(float, l.get_xdata())) <= x1 + 1e-6 and q1 <= l.get_ydata()[0] <= q3]
        label = next((labels[i] for i, t in enumerate(ticks) if abs(t - center) < 1e-6 and i < len(labels)), str(center))
        elements.append({
            "label": label,
            "min": min(whisker + [q1]),
            "first_quartile": q1,
            "median": medians[0] if medians else (q1 + q3) / 2,
            "third_quartile": q3,
            "max": max(whisker + [q3]),
            "outliers": fliers,
        })
    return elements


def chart_of_axes(ax):
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer
    from matplotlib.patches import Wedge

    wedges = [p for p in ax.patches if isinstance(p, Wedge)]
    if wedges:
        return {
            "type": "pie",
            "title": ax.get_title() or None,
            "elements": [{"label": _label(w), "angle": float(w.theta2 - w.theta1), "radius": float(w.r)} for w in wedges],
        }

    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    if bars:
        chart = _base(ax, "bar")
        ticks = {float(t): l.get_text() for t, l in zip(ax.get_xticks(), ax.get_xticklabels())}
        elements = []
        for container in bars:
            group = container.get_label()
            for rect in container.patches:
                center = rect.get_x() + rect.get_width() / 2
                label = ticks.get(float(center)) or min(ticks.items(), key=lambda kv: abs(kv[0] - center), default=(0, str(center)))[1]
                elements.append({"label": label, "value": str(_num(rect.get_height())).removesuffix(".0"), "group": "" if group.startswith("_") else group})
        chart["elements"] = elements
        return chart

    boxes = _rectangles(ax)
    if boxes and all(l.get_label().startswith("_") for l in ax.lines):
        chart = _base(ax, "box_and_whisker")
        chart["elements"] = _boxes(ax, boxes)
        return chart

    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    if scatters:
        return _points(ax, "scatter", [
            {"label": _label(c), "points": [[_num(x), _num(y)] for x, y in c.get_offsets()]} for c in scatters
        ])

    lines = [l for l in ax.lines]
    if lines:
        return _points(ax, "line", [
            {"label": _label(l), "points": [[_num(x), _num(y)] for x, y in zip(l.get_xdata(), l.get_ydata())]} for l in lines
        ])

    return {"type": "unknown", "title": ax.get_title() or None, "elements": []}


def chart_of_figure(figure):
    axes = [ax for ax in figure.get_axes() if ax.get_visible()]
    if not axes:
        return None
    if len(axes) == 1:
        return _strip(chart_of_axes(axes[0]))
    title = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else None
    return _strip({"type": "superchart", "title": title, "elements": [chart_of_axes(ax) for ax in axes]})


def _strip(chart):
    return {k: v for k, v in chart.items() if v is not None}


def _format(figure):
    try:
        return chart_of_figure(figure)
    except Exception:  # a chart we cannot read still shows as an image
        return None


def load_ipython_extension(ipython):
    formatter = ChartFormatter(parent=ipython.display_formatter)
    ipython.display_formatter.formatters["e2b/chart"] = formatter
    # display() computes only the active types, fixed when the shell started.
    if "e2b/chart" not in ipython.display_formatter.active_types:
        ipython.display_formatter.active_types.append("e2b/chart")
