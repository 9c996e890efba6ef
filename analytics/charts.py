"""Charts drawn on the server as inline SVG: no chart library, nothing to load, the same with
JavaScript off. Each chart comes with a text summary and a data table in the template
(analytics/_chart.html); in a right-to-left language time runs from right to left."""

from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 200
PAD_X, PAD_TOP, PAD_BOTTOM = 44, 12, 28


@dataclass
class Chart:
    title: str
    summary: str
    points: list[tuple[str, float]]  # (label, value) in time order
    unit: str = ""
    line: str = ""
    area: str = ""
    dots: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    magnitude = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // magnitude) + 1) * magnitude


def line_chart(
    *, title: str, summary: str, points: list[tuple[str, float]], rtl: bool, unit: str = "",
    y_max: float | None = None,
) -> Chart:  # fmt: skip
    """Geometry of a line chart: the SVG path, the y-axis ticks, first/middle/last labels."""
    chart = Chart(title=title, summary=summary, points=points, unit=unit)
    if not points:
        return chart
    top = y_max if y_max is not None else _nice_max(max(value for _label, value in points))
    inner_w = WIDTH - 2 * PAD_X
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    count = len(points)

    def x_at(i):
        x = PAD_X + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)
        return round(WIDTH - x if rtl else x, 1)

    def y_at(value):
        return round(PAD_TOP + inner_h * (1 - min(value, top) / top), 1)

    coords = [(x_at(i), y_at(value)) for i, (_label, value) in enumerate(points)]
    chart.line = "M" + " L".join(f"{x},{y}" for x, y in coords)
    baseline = PAD_TOP + inner_h
    chart.area = f"{chart.line} L{coords[-1][0]},{baseline} L{coords[0][0]},{baseline} Z"
    if count <= 31:
        chart.dots = [{"x": x, "y": y} for x, y in coords]
    for fraction in (0, 0.5, 1):
        value = top * fraction
        chart.ticks.append(
            {
                "y": y_at(value),
                "label": f"{value:g}",
                "x": WIDTH - PAD_X + 6 if rtl else PAD_X - 6,
                "anchor": "start" if rtl else "end",
                "x1": PAD_X,
                "x2": WIDTH - PAD_X,
            }
        )
    for i in sorted({0, count // 2, count - 1}):
        chart.labels.append({"x": x_at(i), "y": HEIGHT - 8, "label": points[i][0]})
    return chart
