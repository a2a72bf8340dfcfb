"""How far views move from their sources and how often each op fires: what ``augkit stats`` prints
and the summary table at the top of a preview page."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.preview.show import Show
from augkit.views.generator import ViewGenerator

__all__ = ["Table", "held_fields", "measure"]


def held_fields(views: ViewGenerator, record: Any) -> list[str] | None:
    """The fields a dict sample's view holds (its record's ``"fields"``); None for other views."""
    fields = record.get("fields") if views.fields is not None and isinstance(record, dict) else None
    return list(fields) if isinstance(fields, dict) else None


def measure(samples: Sequence[Any], views: ViewGenerator, epoch: int = 0) -> Table:
    """How far the views of ``samples`` moved and which ops fired (what ``augkit stats`` prints)."""
    show = Show(views)
    table = Table()
    for i, x in enumerate(samples):
        source = show.original(x, i)
        # mixing ops draw partners from the previewed samples, unless the generator has a source
        made = views.generate(source, index=i, epoch=epoch, with_output=False,
                              source=samples if views.source is None else None)
        for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
            table.add(views.fired(k, params), show.moved(source, view, params), held_fields(views, params))
    table.notes = show.notes
    table.views = views.n_views * len(samples)
    return table


class Table:
    """Distances and firing counts gathered over views.

    An op of a dict sample's field (``"audio: audio.gain"``) fires in a share of the views that
    hold the field (a sample without it, ``missing="pass"``, gives its ops no chance to fire).
    """

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = {}
        self.fired: dict[str, int] = {}
        self.notes: list[str] = []
        self.views = 0
        self.holding: dict[str, int] = {}  # field -> views that hold it (dict samples)

    def add(self, steps: list[tuple[str, dict[str, Any]]], moved: dict[str, float],
            fields: list[str] | None = None) -> None:
        for name, value in moved.items():
            if name != "unchanged":  # a view its ops left as it was measures nothing
                self.values.setdefault(name, []).append(float(value))
        for name in dict.fromkeys(n for n, _ in steps):
            self.fired[name] = self.fired.get(name, 0) + 1
        for field in fields or ():
            self.holding[field] = self.holding.get(field, 0) + 1

    def share(self, name: str, total: int) -> float:
        """The share of the views ``name`` could fire in (those holding its field) that it fired in."""
        field = name.split(": ", 1)[0] if ": " in name else None
        return self.fired[name] / max(self.holding.get(field, total) if field is not None else total, 1)

    def rows(self) -> list[tuple[str, float, float, float, int]]:
        """``(measure, median, min, max, count)`` per measure."""
        return [(k, float(np.median(v)), min(v), max(v), len(v)) for k, v in self.values.items()]

    def text(self) -> str:
        """The table as plain text for a terminal."""
        lines = [f"{'measure':<22} {'median':>9} {'min':>9} {'max':>9} {'views':>6}"]
        lines += [f"{k:<22} {m:>9.3f} {lo:>9.3f} {hi:>9.3f} {n:>6}" for k, m, lo, hi, n in self.rows()]
        lines += ["", f"{'op':<32} {'fired in':>9}"]
        lines += [f"{k:<32} {self.share(k, self.views):>8.0%}" for k in sorted(self.fired)]
        return "\n".join(lines + self.notes)

    def html(self, total: int) -> str:
        cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{m:.3g}</td><td>{lo:.3g}</td><td>{hi:.3g}</td>"
                        f"<td>{n}</td></tr>" for k, m, lo, hi, n in self.rows())
        ops = "".join(f"<tr><td>{html.escape(k)}</td><td>{self.share(k, total):.0%}</td></tr>"
                      for k in sorted(self.fired))
        return ("<table class='summary'><tr><th>how far views moved</th><th>median</th><th>min</th><th>max</th>"
                f"<th>views</th></tr>{cells}</table><table class='summary'><tr><th>op</th><th>fired in</th></tr>"
                f"{ops}</table>")
