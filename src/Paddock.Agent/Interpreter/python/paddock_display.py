"""IPython extension of Paddock's code interpreter: the display formats E2B's code-interpreter template
adds to its Python kernels, so results carry the same fields as there. Loaded into every Python kernel
by the agent (`--IPKernelApp.extensions=paddock_display`).

- `e2b/chart`: a matplotlib figure as E2B's chart object (paddock_charts), shown beside its PNG; `{}` for a
  figure with no data or one that cannot be read (as E2B's), and then the reason goes to the sandbox's
  log through `paddock/log` (the agent logs that format and never hands it to clients);
- `e2b/data`: a pandas DataFrame as its columns (`to_dict(orient="list")`, timestamps as ISO strings);
- `application/json`: a dict or list as the last expression is also JSON (numpy values as numbers);
- PIL: `Image.save(path)` also shows the image, and `Image.show()` shows it inline rather than
  starting a desktop viewer.
"""

import dataclasses
import datetime
import enum
import math
import os
import sys
import traceback
import uuid

from IPython.core.formatters import BaseFormatter, JSONFormatter
from traitlets import ObjectName, Unicode

LOG_FORMAT = "paddock/log"


class ChartFormatter(BaseFormatter):
    format_type = Unicode("e2b/chart")
    print_method = ObjectName("_repr_e2b_chart_")
    # A chart is a JSON object (BaseFormatter accepts only strings).
    _return_type = (dict,)

    def __call__(self, obj):
        # Matched by class name rather than registered with for_type: matplotlib's inline backend removes
        # every formatter's Figure printer when it is configured, on the first import of pyplot.
        if not self.enabled or "matplotlib" not in sys.modules or not _is_figure(obj):
            # An object's own _repr_e2b_chart_, as with E2B's formatter.
            return super().__call__(obj)
        try:
            from paddock_charts import chart_of_figure
            return chart_of_figure(obj) or {}
        except Exception as error:  # noqa: BLE001 - a chart that cannot be read still shows as an image
            _pending_logs[id(obj)] = "Chart extraction failed (%s: %s); the figure is shown as an image only.\n%s" % (
                type(error).__name__, error, traceback.format_exc())
            return {}


def _is_figure(obj):
    return any(c.__module__ == "matplotlib.figure" and c.__name__ == "Figure" for c in type(obj).__mro__)


# Messages about an object being displayed, handed over by LogFormatter in the same display bundle.
_pending_logs = {}


class LogFormatter(BaseFormatter):
    """Registered after every other format, so it hands over what they noted about the same object."""

    format_type = Unicode(LOG_FORMAT)

    def __call__(self, obj):
        return _pending_logs.pop(id(obj), None)


class DataFormatter(BaseFormatter):
    format_type = Unicode("e2b/data")
    print_method = ObjectName("_repr_e2b_data_")
    _return_type = (dict,)

    def __call__(self, obj):
        # Only a DataFrame, which exists only if the user imported pandas: nothing is imported here.
        pandas = sys.modules.get("pandas")
        if not self.enabled or pandas is None or not isinstance(obj, pandas.DataFrame):
            # An object's own _repr_e2b_data_, as with E2B's formatter.
            return super().__call__(obj)
        columns = obj.to_dict(orient="list")
        return {str(name): [_plain(v) for v in values] for name, values in columns.items()}


class PlainJSONFormatter(JSONFormatter):
    """E2B shows a dict or list as JSON too, expanded; what JSON cannot hold leaves it text only."""

    def __call__(self, obj):
        if self.enabled and isinstance(obj, (dict, list)):
            try:
                return _plain(obj, strict=True), {"expanded": True}
            except (TypeError, ValueError, RecursionError):
                pass
        return super().__call__(obj)


def _plain(value, strict=False):
    """A JSON-ready copy: numpy and pandas scalars as numbers, dates as ISO strings, NaN as null. With
    strict, what has no JSON form raises TypeError; otherwise it is left for Jupyter's own encoder."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_key(k): _plain(v, strict) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, strict) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return _plain(value.value, strict)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value), strict)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return _plain(value.tolist(), strict)
        if isinstance(value, numpy.datetime64):
            return None if numpy.isnat(value) else str(value)
        if isinstance(value, numpy.generic):
            return _plain(value.item(), strict)
    pandas = sys.modules.get("pandas")
    if pandas is not None and value is pandas.NaT:
        return None
    if strict:
        raise TypeError("%s has no JSON form" % type(value).__name__)
    return value


def _key(key):
    if isinstance(key, str):
        return key
    # As orjson's OPT_NON_STR_KEYS (E2B's encoder) spells them.
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise TypeError("a %s key has no JSON form" % type(key).__name__)


# PIL: patched when PIL is first imported (most cells never import it).

class _PilPatcher:
    """A meta path finder that patches PIL.Image and PIL.ImageShow right after they load."""

    def find_spec(self, name, path, target=None):
        if name not in ("PIL.Image", "PIL.ImageShow"):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                load = spec.loader.exec_module

                def exec_module(module, load=load):
                    load(module)
                    _patch_pil(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def _patch_pil(module):
    if module.__name__ == "PIL.Image":
        save = module.Image.save

        def save_and_show(image, fp, format=None, **params):
            # A picture saved to a file is also shown, as in E2B's sandboxes.
            if isinstance(fp, (str, os.PathLike)):
                from IPython.display import display
                display(image)
            return save(image, fp, format, **params)

        module.Image.save = save_and_show
    else:
        # No desktop viewer here: the inline IPython viewer, registered after them, shows the image.
        module.UnixViewer.show_file = lambda self, path, **options: 0


def load_ipython_extension(ipython):
    formatter = ipython.display_formatter
    formatter.formatters["e2b/chart"] = ChartFormatter(parent=formatter)
    formatter.formatters["e2b/data"] = DataFormatter(parent=formatter)
    formatter.formatters["application/json"] = PlainJSONFormatter(parent=formatter)
    formatter.formatters[LOG_FORMAT] = LogFormatter(parent=formatter)
    # display() computes only the active types, fixed when the shell started.
    for name in ("e2b/chart", "e2b/data", "application/json", LOG_FORMAT):
        if name not in formatter.active_types:
            formatter.active_types.append(name)
    for name in ("PIL.Image", "PIL.ImageShow"):
        module = sys.modules.get(name)
        if module is not None:
            _patch_pil(module)
    if not any(isinstance(f, _PilPatcher) for f in sys.meta_path):
        sys.meta_path.insert(0, _PilPatcher())
