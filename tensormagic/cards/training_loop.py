"""Training-loop card: nn.Linear(1, 1) learns a line by plain gradient descent, at the learning rate chosen here.

The five lines of the loop (forward, loss, zero_grad, backward, step) run for real on every setting; the card
records the loss of every step and says what the numbers did: converged, still improving, crawled, or diverged
(only when the loss grew, or overflowed to inf / NaN). Where divergence starts is computed from the data: the loss
is a quadratic bowl, and gradient descent on it shrinks the error in every direction only when lr < 2/λ, λ being
the largest eigenvalue of its Hessian.

SGD's update is written out here (``p.add_(p.grad, alpha=-lr)``, what ``torch.optim.SGD.step`` does on the CPU)
because building the first ``torch.optim`` optimizer of a session imports ``torch._dynamo`` (one to several seconds
measured); the tests train the same model with ``torch.optim.SGD`` and compare every loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from torch import nn

from ..render.common import escape
from .base import Card, fresh, generator, shape_text
from .settings import Aliases, FloatSetting, IntSetting

POINTS = 20
X_RANGE = (0.0, 2.0)
TRUE_W, TRUE_B, NOISE = 2.0, -1.0, 0.3
DATA_SEED, MODEL_SEED = 71, 5
#: Steps whose loss the text form lists (those within the run, plus the last).
CHECKPOINTS = (0, 1, 2, 3, 5, 10, 20, 50, 100, 150, 200)
CONVERGED, CRAWLING = 0.99, 0.5  # share of the way from the first loss down to the lowest one


def line_data() -> tuple[torch.Tensor, torch.Tensor]:
    """``POINTS`` points on y = 2x − 1 with noise of standard deviation 0.3, x evenly spread over [0, 2]."""
    x = torch.linspace(*X_RANGE, POINTS).reshape(POINTS, 1)
    y = TRUE_W * x + TRUE_B + NOISE * torch.randn(POINTS, 1, generator=generator(DATA_SEED))
    return x, y


@dataclass(frozen=True)
class Run:
    """One training run: the loss and (w, b) before each step and after the last (``steps + 1`` of each)."""

    lr: float
    losses: list[float]
    parameters: list[tuple[float, float]]
    first_grads: tuple[float, float]
    prediction_grad_fn: str
    loss_grad_fn: str


def train_line(x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> Run:
    """The five lines of the loop, ``steps`` times, full batch, with SGD's update written out."""
    model = fresh(nn.Linear, 1, 1, gen=generator(MODEL_SEED))
    weight, bias = model.weight, model.bias
    losses: list[float] = []
    parameters: list[tuple[float, float]] = []
    first_grads = (math.nan, math.nan)
    names = ("", "")
    for step in range(steps):
        prediction = model(x)  # 1 forward
        loss = F.mse_loss(prediction, y)  # 2 loss
        losses.append(loss.item())
        parameters.append((weight.item(), bias.item()))
        weight.grad = bias.grad = None  # 3 optimizer.zero_grad() (set_to_none=True, its default)
        loss.backward()  # 4 backward
        with torch.no_grad():  # 5 optimizer.step(): SGD, as torch.optim.SGD does it for CPU tensors
            for parameter in (weight, bias):
                assert parameter.grad is not None
                parameter.add_(parameter.grad, alpha=-lr)
        if step == 0:
            assert weight.grad is not None and bias.grad is not None
            first_grads = (weight.grad.item(), bias.grad.item())
            names = (type(prediction.grad_fn).__name__, type(loss.grad_fn).__name__)
    with torch.no_grad():
        losses.append(F.mse_loss(model(x), y).item())
    parameters.append((weight.item(), bias.item()))
    return Run(lr, losses, parameters, first_grads, *names)


def number(value: float, digits: int = 4) -> str:
    """A value in a sentence: ``digits`` significant digits, a real minus sign, inf and NaN as torch prints them."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "−inf"
    return f"{value + 0.0:.{digits}g}".replace("-", "−")


def share(fraction: float) -> str:
    """A share of the way as a percentage: rounded down to 0.1% ("99.96%" is "99.9%", never "100.0%" before the
    bottom), and with two significant digits below 1% ("0.073%", not "0.0%" after a real if tiny step)."""
    percent = fraction * 100
    if abs(percent) < 1:
        return f"{percent:.2g}%"
    return f"{math.floor(percent * 10) / 10:.1f}%"


def factor(value: float) -> str:
    text = number(value)
    return f"({text})" if text.startswith("−") else text


# -- drawings ---------------------------------------------------------------------------------------------------
_BLUE, _ORANGE, _GREY = "rgb(49,104,214)", "rgb(230,120,30)", "#888"


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'style="font-family:sans-serif;font-size:10px;fill:currentColor"><title>{escape(title)}</title>{body}</svg>'
    )


def loss_curve(losses: list[float], lowest: float, title: str, width: int = 340, height: int = 170) -> str:
    """The loss per step on a log scale, the lowest reachable dashed, an orange mark where it stops being finite."""
    left, right, top, bottom = 46, 8, 8, 22
    finite = [v for v in losses if math.isfinite(v) and v > 0]
    logs = [math.log10(v) for v in [*finite, lowest] if v > 0]
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    high = max(high, low + 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    steps = max(len(losses) - 1, 1)

    def px(step: int) -> float:
        return left + step / steps * plot_w

    def py(value: float) -> float:
        return top + (high - math.log10(value)) / (high - low) * plot_h

    parts = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{_GREY}"/>']
    every = max(1, math.ceil((high - low) / 6))
    for exponent in range(low, high + 1, every):
        y = py(10.0**exponent)
        parts.append(f'<line x1="{left - 3}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="{_GREY}"/>')
        parts.append(f'<text x="{left - 5}" y="{y + 3:.1f}" text-anchor="end">1e{exponent}</text>')
    for step in sorted({0, steps // 2, steps}):
        parts.append(f'<text x="{px(step):.1f}" y="{height - 8}" text-anchor="middle">{step}</text>')
    if lowest > 0:
        parts.append(f'<line x1="{left}" y1="{py(lowest):.1f}" x2="{left + plot_w}" y2="{py(lowest):.1f}" '
                     f'stroke="{_GREY}" stroke-dasharray="4 3"/>')
    points = []
    for step, value in enumerate(losses):
        if not (math.isfinite(value) and value > 0):
            parts.append(f'<text x="{px(step):.1f}" y="{top + 10}" text-anchor="middle" fill="{_ORANGE}" '
                         f'font-weight="bold">× {escape(number(value))}</text>')
            break
        points.append(f"{px(step):.1f},{py(value):.1f}")
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{_BLUE}" stroke-width="1.6"/>')
    return _svg(width, height, "".join(parts), title)


def fitted_line(x: list[float], y: list[float], line: tuple[float, float] | None, best: tuple[float, float],
                title: str, size: int = 170) -> str:
    """The data points, the least-squares line (dashed) and the trained model's line (blue, when finite)."""
    pad = 8
    xs_low, xs_high = min(x), max(x)
    ys_low, ys_high = min(y) - 0.5, max(y) + 0.5

    def px(value: float) -> float:
        return pad + (value - xs_low) / (xs_high - xs_low) * (size - 2 * pad)

    def py(value: float) -> float:
        return pad + (ys_high - value) / (ys_high - ys_low) * (size - 2 * pad)

    def segment(w: float, b: float, style: str) -> str:
        # Clip to the picture's height so a far-off line stays a line across the frame.
        y1 = min(max(w * xs_low + b, ys_low), ys_high)
        y2 = min(max(w * xs_high + b, ys_low), ys_high)
        return f'<line x1="{px(xs_low):.1f}" y1="{py(y1):.1f}" x2="{px(xs_high):.1f}" y2="{py(y2):.1f}" {style}/>'

    parts = [f'<rect x="0" y="0" width="{size}" height="{size}" fill="none" stroke="{_GREY}"/>',
             segment(*best, f'stroke="{_GREY}" stroke-dasharray="4 3"')]
    if line is not None and all(math.isfinite(v) for v in line):
        parts.append(segment(*line, f'stroke="{_BLUE}" stroke-width="1.8"'))
    dots = zip(x, y, strict=True)
    parts += [f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2.6" fill="{_ORANGE}"/>' for a, b in dots]
    return _svg(size, size, "".join(parts), title)


class TrainingLoopCard(Card):
    topic = "training-loop"
    order = 220
    group = "training"
    aliases = Aliases(
        en=("training", "train", "learning-rate", "lr", "sgd", "gradient-descent", "optimizer"),
        zh=("训练循环", "训练", "学习率", "梯度下降", "优化器"),
    )
    settings = (FloatSetting("lr", 0.1, 0.001, 1.0, 0.1, log=True), IntSetting("steps", 100, 1, 200))

    def build_controls(self) -> list[widgets.Widget]:
        self.x, self.y = line_data()
        design = torch.cat([self.x, torch.ones_like(self.x)], dim=1).double()
        targets = self.y.double()
        solution = torch.linalg.lstsq(design, targets).solution
        self.best = (solution[0, 0].item(), solution[1, 0].item())
        self.lowest = ((design @ solution - targets) ** 2).mean().item()
        # The loss is a bowl: its Hessian in (w, b) is (2/N)·AᵀA, A = [x, 1]; its largest eigenvalue sets the limit.
        self.curvature = torch.linalg.eigvalsh(2 / POINTS * design.T @ design).max().item()
        self.limit = 2 / self.curvature
        return self.setting_controls()

    def refresh(self) -> None:
        lr = float(self.controls["lr"].value)
        steps = int(self.controls["steps"].value)
        run = train_line(self.x, self.y, lr, steps)
        first, final = run.losses[0], run.losses[-1]
        bad = next((step for step, value in enumerate(run.losses) if not math.isfinite(value)), None)
        progress = (first - final) / (first - self.lowest) if bad is None else math.nan
        faster: Run | None = None
        if bad is not None or final > first:
            verdict = "diverges"  # only when the numbers did: the loss grew, or stopped being finite
        elif lr > self.limit:
            verdict = "unstable"  # above the limit but not grown yet in these steps
        elif progress >= CONVERGED:
            verdict = "converged"
        elif progress < CRAWLING and 10 * lr < self.limit:
            verdict = "crawls"
            faster = train_line(self.x, self.y, 10 * lr, steps)  # the same steps, ten times larger: measured
        else:
            verdict = "improving"
        self.numbers = {
            "lr": lr, "steps": steps, "losses": list(run.losses), "parameters": list(run.parameters),
            "verdict": verdict, "progress": progress, "first_bad_step": bad, "lowest": self.lowest,
            "best": self.best, "curvature": self.curvature, "limit": self.limit,
            "first_grads": run.first_grads, "faster_losses": None if faster is None else list(faster.losses),
        }
        outcome = self._outcome(run, verdict, bad, progress, faster)
        self.lines = [*self._code(lr, steps), "", *self._explained(run), "", *outcome]
        w_final, b_final = run.parameters[-1]
        line = (w_final, b_final) if bad is None else None
        self.figures = [
            (self.message("fig.curve", lr=number(lr, 3)), loss_curve(run.losses, self.lowest, "loss")),
            (self.message("fig.line"), fitted_line(self.x.flatten().tolist(), self.y.flatten().tolist(), line,
                                                   self.best, "data")),
        ]
        shown = [step for step in CHECKPOINTS if step < steps] + [steps]
        if bad is not None and bad not in shown:
            shown = sorted({*shown, bad - 1, bad})
        rows = [f"{self.message('step_label', step=step)}  {number(run.losses[step])}" for step in shown]
        self.text_figures = [(self.message("fig.curve_text", lowest=number(self.lowest)), rows)]

    def _code(self, lr: float, steps: int) -> list[str]:
        comments = [self.message(f"comment.{k}") for k in ("forward", "loss", "zero_grad", "backward", "step")]
        code = [
            "model = nn.Linear(1, 1)",
            f"optimizer = torch.optim.SGD(model.parameters(), lr={lr:.3g})",
            f"for step in range({steps}):",
            "    prediction = model(x)",
            "    loss = F.mse_loss(prediction, y)",
            "    optimizer.zero_grad()",
            "    loss.backward()",
            "    optimizer.step()",
        ]
        width = max(len(row) for row in code[3:]) + 3  # the comments line up after the loop's five lines
        for index, comment in enumerate(comments, start=3):
            code[index] = f"{code[index]:<{width}}# {index - 2} {comment}"
        return [self.message("code_title")] + ["    " + row for row in code]

    def _explained(self, run: Run) -> list[str]:
        w0, b0 = run.parameters[0]
        w1, _ = run.parameters[1]
        gw, gb = run.first_grads
        return [
            self.message("data", count=POINTS, low=number(X_RANGE[0]), high=number(X_RANGE[1]), w0=number(w0),
                         b0=number(b0)),
            self.message("line.forward", count=POINTS, shape_in=shape_text(tuple(self.x.shape)),
                         shape_out=shape_text((POINTS, 1)), grad_fn=run.prediction_grad_fn),
            self.message("line.loss", count=POINTS, loss=number(run.losses[0]), grad_fn=run.loss_grad_fn),
            self.message("line.zero_grad"),
            self.message("line.backward", gw=number(gw), gb=number(gb)),
            self.message("line.step", w0=number(w0), lr=number(run.lr, 3), gw=factor(gw), w1=number(w1)),
        ]

    def _outcome(self, run: Run, verdict: str, bad: int | None, progress: float, faster: Run | None) -> list[str]:
        lr, steps = number(run.lr, 3), len(run.losses) - 1
        first, final = run.losses[0], run.losses[-1]
        w, b = run.parameters[-1]
        lines = [self.message("lowest", lowest=number(self.lowest), w=number(self.best[0]), b=number(self.best[1])),
                 self.message("limit", curvature=number(self.curvature, 3), limit=number(self.limit, 3))]
        if bad is not None:
            last = bad - 1
            lines.append(self.message("nonfinite", lr=lr, first=number(first), last=number(run.losses[last]),
                                      last_step=last, bad=number(run.losses[bad]), bad_step=bad))
            if math.isinf(run.losses[bad]):
                lines.append(self.message("overflow"))
            return lines
        if verdict == "diverges":
            lines.append(self.message("grew", lr=lr, steps=steps, first=number(first), final=number(final)))
            return lines
        lines.append(self.message("after", steps=steps, lr=lr, final=number(final), w=number(w), b=number(b),
                                  percent=share(progress), first=number(first), lowest=number(self.lowest)))
        if verdict == "unstable":
            lines.append(self.message("verdict.unstable", limit=number(self.limit, 3)))
        elif verdict == "crawls" and faster is not None:
            done = (first - faster.losses[-1]) / (first - self.lowest)
            lines.append(self.message("verdict.crawls", steps=steps, faster=number(faster.lr, 3),
                                      percent=share(done)))
        else:
            lines.append(self.message(f"verdict.{verdict}"))
        return lines
