"""The single source of truth for the course notebooks in ``demos/en/`` and ``demos/zh/``, and the card tour.

Every cell lives here once: code is shared by both languages, markdown (and the few strings a code cell prints)
is given in English and Chinese side by side. Run ``python demos/build_notebooks.py`` to (re)write the notebooks;
``--check`` only reports whether the committed files are current. The output is deterministic (fixed cell ids, no
outputs, sorted JSON), so rebuilding an unchanged source rewrites nothing.

Cell metadata under ``"tensormagic"`` is read by the tests: ``volatile`` names variables whose values are leftover
memory (``torch.Tensor(size=...)``), which only keep their shape and dtype from run to run; ``exercise`` names the
``tensormagic.check`` exercise of an exercise cell and its check cell.

Each notebook ends with exercises (:class:`Exercise`): the teacher's notebooks hold the solutions, the student copies
(``--students DIR``, written by ``make demo``) the same notebooks with the exercise cells blank.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

DEMOS = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Md:
    """A markdown cell, written once per language; ``student`` is its text in the student copies, when it differs."""

    en: str
    zh: str
    student: Md | None = None

    def text(self, lang: str, student: bool = False) -> str:
        return getattr(self.student if student and self.student else self, lang)


@dataclass(frozen=True)
class Code:
    """A code cell shared by both languages.

    ``strings`` fills «key» placeholders with per-language text, so a check cell can cheer in the reader's language
    while its logic stays one piece of code. A placeholder becomes a Python string literal unless ``raw`` names it
    (the set-up cell splices a whole line).
    """

    source: str
    strings: dict[str, Md] = field(default_factory=dict)
    volatile: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    raw: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        out = self.source
        for key, value in {**LABELS, **self.strings}.items():
            text = value.text(lang)
            out = out.replace(f"«{key}»", text if key in self.raw else repr(text))
        if "«" in out:
            raise ValueError(f"unfilled placeholder in cell:\n{out}")
        return out


# Labels that code cells print, shared by every notebook: «key» in a cell's source becomes the label as a
# string literal in the notebook's language.
LABELS: dict[str, Md] = {
    "seed": Md(en="seed in force:", zh="当前随机种子："),
    "same_as_x1": Md(en="same numbers as x1:", zh="与 x1 的数完全相同："),
    "t5_is_t1": Md(en="t5 is t1:", zh="t5 就是 t1:"),
    "same_result": Md(en="same result:", zh="结果相同："),
    "mean_all": Md(en="mean of all:", zh="所有元素的平均值："),
    "mean_col": Md(en="mean per column (dim=0):", zh="按列平均值 (dim=0):"),
    "mean_row": Md(en="mean per row (dim=1):", zh="按行平均值 (dim=1):"),
    "sum_all": Md(en="sum of all:", zh="所有元素之和："),
    "sum_col": Md(en="sum per column (dim=0):", zh="按列求和 (dim=0):"),
    "sum_row": Md(en="sum per row (dim=1):", zh="按行求和 (dim=1):"),
    "keepdim": Md(en="keepdim=True keeps the axis as size 1:", zh="keepdim=True 把该轴保留为长度 1:"),
    "parameters": Md(en="parameters:", zh="参数个数："),
}


@dataclass(frozen=True)
class Exercise:
    """An exercise cell and the check cell after it.

    ``given`` (data the exercise starts from) is in both copies; ``answer`` is the teacher's solution, which the
    student copy replaces with ``blank`` (the names to define, as ``name = ...``, or a comment where the answer is a
    statement). The check cell calls ``tensormagic.check`` with ``check``, an exercise of ``tensormagic/exercises.py``
    (the facts a right answer has); or, with ``own_check``, runs that code instead (a notebook that asks
    ``tm.steps`` or a card for the truth, asserting with a hint), guarded by ``tensormagic.check.answered`` on the
    blank's names so that a copy run as handed out says what to fill in. The check cell is the same in both copies,
    so the teacher notebooks prove that every solution passes its check.
    """

    check: str
    answer: str
    blank: str
    given: str = ""
    own_check: Code | None = None

    def source(self, student: bool) -> str:
        return "\n".join(part for part in (self.given, self.blank if student else self.answer) if part)

    def blank_names(self) -> tuple[str, ...]:
        """The names the blank leaves as ``...`` (``name = ...`` lines)."""
        return tuple(line.split("=")[0].strip() for line in self.blank.splitlines()
                     if line.replace(" ", "").endswith("=...") and line.split("=")[0].strip().isidentifier())

    def check_source(self, lang: str) -> str:
        if self.own_check is None:
            return f'from tensormagic import check\ncheck("{self.check}")'
        code = self.own_check.text(lang)
        names = self.blank_names()
        if not names:
            return code
        arguments = ", ".join(f'"{name}"' for name in (self.check, *names))
        body = "\n".join(f"    {line}" if line else line for line in code.splitlines())
        return f"from tensormagic.check import answered\n\nif answered({arguments}):\n{body}"


def exercises_intro(en: str, zh: str, teacher: Md | None = None, student: Md | None = None) -> Md:
    """The "Exercises" heading with the words for each copy, then ``en``/``zh`` (the first exercise's statement).

    ``teacher``/``student``: the words for a notebook whose check cells are its own (default: ``tensormagic.check``).
    """
    teacher = teacher or TEACHER_EXERCISES
    student = student or STUDENT_EXERCISES
    return Md(
        en="## Exercises\n\n" + teacher.en + "\n\n" + en,
        zh="## 练习\n\n" + teacher.zh + "\n\n" + zh,
        student=Md(
            en="## Exercises\n\n" + student.en + "\n\n" + en,
            zh="## 练习\n\n" + student.zh + "\n\n" + zh,
        ),
    )


TEACHER_EXERCISES = Md(
    en="This is the teacher's copy: each exercise cell holds one correct answer, and the check cell below it runs "
    "`tensormagic.check` on it. `make demo` also writes the student copies, with the exercise cells blank.",
    zh="这是教师版：每个练习单元格里已经填好了一个正确答案，下面的检查单元格用 `tensormagic.check` 检查它。"
    "`make demo` 还会生成学生版，其中的练习单元格是空的。",
)
STUDENT_EXERCISES = Md(
    en="Replace each `...` in an exercise cell with your answer, run the cell, then run the check cell below it: "
    "the check says what is right, what is not yet, and gives a hint (never the answer). Change your answer and "
    "check again as often as you like.",
    zh="把练习单元格里的每个 `...` 换成你的答案，运行它，再运行下面的检查单元格：检查会告诉你哪里对了、哪里还不对，"
    "并给出提示（但不会给出答案）。可以反复修改、反复检查。",
)


OWN_CHECK_TEACHER = Md(
    en="This is the teacher's copy: each exercise cell holds one correct answer, and the check cell below it tests "
    "it. `make demo` also writes the student copies, with the exercise cells blank.",
    zh="这是教师版：每个练习单元格里已经填好了一个正确答案，下面的检查单元格检验它。"
    "`make demo` 还会生成学生版，其中的练习单元格是空的。",
)
OWN_CHECK_STUDENT = Md(
    en="Replace each `...` in an exercise cell with your answer (or write your lines under its comment), run the "
    "cell, then run the check cell below it: it confirms a right answer, or stops with a hint. Change your answer "
    "and check again as often as you like.",
    zh="把练习单元格里的每个 `...` 换成你的答案（或在注释下面写出你的代码），运行它，再运行下面的检查单元格："
    "答对了会确认，不对则停下并给出提示。可以反复修改、反复检查。",
)


Cell = Md | Code | Exercise


@dataclass(frozen=True)
class Notebook:
    slug: str
    cells: list[Cell]


def setup_cell() -> Code:
    # The zh notebooks switch the language on the first line that could print anything, so every annotation,
    # explanation and card after it speaks Chinese.
    return Code("%load_ext tensormagic\n«config»import numpy as np\nimport torch", strings={
        "config": Md(en="", zh='%config TensorMagic.language = "zh"\n'),
    }, raw=("config",))


def ok(en: str, zh: str) -> Md:
    return Md(en=en, zh=zh)


HOW_TO_USE = Md(
    en=(
        "Run the cells from top to bottom (Shift+Enter). Two magics do the explaining:\n\n"
        "- `%tensor EXPR` shows a tensor with a header line (shape, dtype, device, memory, which variables share "
        "its memory) and its statistics; `%tensor NAME = EXPR` also assigns it; `%tensor` alone lists every tensor "
        "in the notebook.\n"
        "- `%%explain` at the top of a cell runs the cell exactly as usual, then explains every torch call in it, "
        "line by line, with short note codes such as `default-dtype` or `half-open`.\n\n"
        "Change the numbers and run again: that is the point."
    ),
    zh=(
        "从上到下依次运行各单元格（Shift+Enter）。有两个魔法命令负责讲解：\n\n"
        "- `%tensor 表达式` 显示一个张量：首行给出形状、元素类型、设备、占用内存以及与哪些变量共享内存，随后是统计量；"
        "`%tensor 变量名 = 表达式` 还会完成赋值；单独写 `%tensor` 会列出笔记本中所有的张量。\n"
        "- 在单元格第一行写 `%%explain`，单元格照常运行，运行结束后逐行讲解其中每一次 torch 调用，"
        "并附上 `default-dtype`、`half-open` 这样的简短标记。\n\n"
        "改一改里面的数字再运行一次，这正是这些笔记本的用法。"
    ),
)


# --------------------------------------------------------------------------------------------------------------
# 01 — creating tensors
# --------------------------------------------------------------------------------------------------------------

NB01 = Notebook("01_tensors", [
    Md(
        en=(
            "# 1 · Creating tensors\n\n"
            "A tensor is PyTorch's array: a grid of numbers with any number of axes. With zero axes it is a "
            "scalar (`7`), with one a vector (`[1 2 3 4 5]`), with two a matrix (`[[1 2 3], [4 5 6]]`), and so on. "
            "Every tensor is an object of the class `torch.Tensor`, so it carries attributes (`shape`, `dtype`, "
            "`device`) and methods (`sum`, `numpy`, `int`, ...).\n\n"
            "This notebook covers every way of creating one that the chapter uses."
        ),
        zh=(
            "# 1 · 创建张量\n\n"
            "张量就是 PyTorch 里的数组：可以有任意多个轴的数字网格。没有轴时是标量（`7`），一个轴是向量"
            "(`[1 2 3 4 5]`)，两个轴是矩阵(`[[1 2 3], [4 5 6]]`)，依此类推。每个张量都是 `torch.Tensor` "
            "类的对象，因此带有属性（`shape`、`dtype`、`device`）和方法（`sum`、`numpy`、`int` 等）。\n\n"
            "本笔记本逐一介绍本章用到的所有创建张量的方式。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Md(
        en=(
            "## `torch.tensor(data=...)`: from existing data\n\n"
            "The everyday way, and the usual way to turn a NumPy array into a tensor. The element type (`dtype`) "
            "is picked from the data unless you pass `dtype=`: Python floats become `float32` (half the memory of "
            "`float64`, and faster), Python integers become `int64`, and a NumPy array keeps its own type — "
            "NumPy's default float is `float64`, so that is what `t3` gets."
        ),
        zh=(
            "## `torch.tensor(data=...)`:根据已有数据创建\n\n"
            "最常用的方式，把 NumPy 数组转换成张量时一般也用它。除非传入 `dtype=`，元素类型由数据决定：Python "
            "浮点数得到 `float32`（内存只有 `float64` 的一半，计算也更快）,Python 整数得到 `int64`,NumPy "
            "数组则保留它自己的类型——NumPy 默认的浮点类型是 `float64`，所以 `t3` 是 `float64`。"
        ),
    ),
    Code(
        "%%explain\n"
        "list1 = [[1., 2, 3], [4, 5, 6]]\n"
        "n1 = np.array([[1., 2., 3.], [4., 5., 6.]])\n"
        "t1 = torch.tensor(data=list1)\n"
        "t2 = torch.tensor(data=10)\n"
        "t3 = torch.tensor(data=n1)\n"
        "print('t1:', t1.dtype, '| t2:', t2.dtype, '| t3:', t3.dtype)"
    ),
    Md(
        en="`t2` was built from a single number: it is a 0-dimensional tensor, a scalar, whose shape is `()`.",
        zh="`t2` 由单个数字创建：它是 0 维张量，即标量，形状为 `()`。",
    ),
    Code("%tensor t1"),
    Code("%tensor t2"),
    Md(
        en=(
            "## `torch.Tensor(data=...)` or `torch.Tensor(size=...)`: the class itself\n\n"
            "Calling the class with data always gives `float32`. Called with `size=` (a tuple with one entry per "
            "axis: `(2, 3)` is 2 rows, 3 columns) it gives a tensor of that shape **without initialising it**: "
            "the values are whatever bytes were lying in that memory. Never read them before writing."
        ),
        zh=(
            "## `torch.Tensor(data=...)` 或 `torch.Tensor(size=...)`:直接调用类\n\n"
            "传入数据时结果总是 `float32`。传入 `size=`(元组，每个轴一个数：`(2, 3)` 即 2 行 3 列)时，"
            "得到该形状的张量，但**不做初始化**:里面的值是这块内存里原本残留的字节。写入之前不要读取它们。"
        ),
    ),
    Code(
        "%%explain\n"
        "t4 = torch.Tensor(data=[[1.1, 1.2, 1.3], [2.2, 2.3, 2.4]])\n"
        "t5 = torch.Tensor(size=(2, 3))\n"
        "print('t4:', t4.dtype, '| t5:', t5.shape, t5.dtype)",
        volatile=("t5",),
    ),
    Md(
        en=(
            "## Typed constructors: `IntTensor`, `LongTensor`, `FloatTensor`, `DoubleTensor`\n\n"
            "Each one fixes the element type: `int32`, `int64`, `float32`, `float64`. Values that do not fit are "
            "converted, and float-to-integer conversion **truncates toward zero**: `1.1 -> 1`, `3.7 -> 3` "
            "(not rounded to 4). In new code prefer `torch.tensor(data, dtype=torch.int32)`; you will still meet "
            "these names in older code."
        ),
        zh=(
            "## 指定类型的构造函数：`IntTensor`、`LongTensor`、`FloatTensor`、`DoubleTensor`\n\n"
            "它们分别固定元素类型为 `int32`、`int64`、`float32`、`float64`。类型不符的值会被自动转换，"
            "而浮点数转整数是**向零截断**：`1.1 -> 1`，`3.7 -> 3`（不是四舍五入成 4）。新代码里更推荐 "
            "`torch.tensor(data, dtype=torch.int32)`，但旧代码中仍会经常看到这些写法。"
        ),
    ),
    Code(
        "%%explain\n"
        "t6 = torch.IntTensor([[1.1, 2, 3.7], [4, 5, 6]])\n"
        "t7 = torch.FloatTensor([[1.1, 2, 3.7], [4, 5, 6]])\n"
        "t8 = torch.LongTensor([1, 2, 3])\n"
        "t9 = torch.DoubleTensor([1, 2, 3])\n"
        "print(t6)\n"
        "print(t6.dtype, t7.dtype, t8.dtype, t9.dtype)"
    ),
    Md(
        en=(
            "## Ranges: `torch.arange` and `torch.linspace`\n\n"
            "`arange(start, end, step)` counts from `start` by `step` and stops **before** `end` — a half-open "
            "range `[start, end)`, like Python's `range`. `linspace(start, end, steps)` gives exactly `steps` "
            "evenly spaced values and includes **both** ends; the spacing is `(end - start) / (steps - 1)`, here "
            "`9 / 8 = 1.125`, and value *i* is `start + step * i`."
        ),
        zh=(
            "## 线性张量：`torch.arange` 与 `torch.linspace`\n\n"
            "`arange(start, end, step)` 从 `start` 开始按 `step` 递增，在 `end` **之前**停止——左闭右开区间 "
            "`[start, end)`，和 Python 的 `range` 一样。`linspace(start, end, steps)` 给出恰好 `steps` "
            "个等间距的值，**两端都包含**；间距为 `(end - start) / (steps - 1)`，这里是 `9 / 8 = 1.125`，"
            "第 *i* 个值为 `start + step * i`。"
        ),
    ),
    Code(
        "%%explain\n"
        "r1 = torch.arange(start=0, end=10, step=2)\n"
        "r2 = torch.linspace(start=0, end=9, steps=9)\n"
        "print(r1)\n"
        "print(r2)"
    ),
    Md(
        en=(
            "## Random tensors and seeds\n\n"
            "`rand(size)` draws uniformly from `[0, 1)`, `randn(size)` from the standard normal distribution, "
            "`randint(low, high, size)` draws integers from `low` up to but **not including** `high`. All of them "
            "come from one random number generator. `torch.initial_seed()` tells which seed it started from "
            "(a random one unless you chose it), and `torch.manual_seed(seed)` restarts it from a seed you pick, "
            "so the same code draws the same numbers again."
        ),
        zh=(
            "## 随机张量与随机种子\n\n"
            "`rand(size)` 在 `[0, 1)` 上均匀采样，`randn(size)` 服从标准正态分布，`randint(low, high, size)` "
            "生成从 `low` 到 `high`（**不含** `high`）的整数。它们都来自同一个随机数生成器。"
            "`torch.initial_seed()` 查看它从哪个种子开始（没有手动设置时是随机选的），"
            "`torch.manual_seed(seed)` 用你指定的种子重新开始，于是同样的代码会再次得到同样的数。"
        ),
    ),
    Code("print(«seed», torch.initial_seed())"),
    Code(
        "%%explain\n"
        "torch.manual_seed(66)\n"
        "x1 = torch.rand(size=(5, 4))\n"
        "x2 = torch.randn(size=(2, 3))\n"
        "x3 = torch.randint(low=0, high=10, size=(2, 3))\n"
        "print(x3)\n"
        "print(«seed», torch.initial_seed())"
    ),
    Md(
        en="Same seed, same numbers: restart the generator from 66 and draw again.",
        zh="种子相同，随机数就相同：把生成器重新设为 66，再抽一次。",
    ),
    Code(
        "torch.manual_seed(66)\n"
        "again = torch.rand(size=(5, 4))\n"
        "print(«same_as_x1», torch.equal(x1, again))"
    ),
    Md(
        en=(
            "## Filled tensors: `ones`, `zeros`, `full` and their `_like` forms\n\n"
            "`ones(size)`, `zeros(size)` and `full(size, fill_value)` build a tensor of a given shape. "
            "The `_like` forms (`ones_like(t)`, `zeros_like(t)`, `full_like(t, fill_value)`) copy the **shape, "
            "dtype and device** of an existing tensor, not its values. Note the dtypes: `ones`/`zeros` default "
            "to `float32`, `full` follows its fill value (`10` is an integer, so `int64`), and the `_like` forms "
            "follow `base`."
        ),
        zh=(
            "## 全 1 / 全 0 / 指定值张量：`ones`、`zeros`、`full` 及其 `_like` 形式\n\n"
            "`ones(size)`、`zeros(size)`、`full(size, fill_value)` 按给定形状创建张量。`_like` 形式"
            "(`ones_like(t)`、`zeros_like(t)`、`full_like(t, fill_value)`)照搬已有张量的**形状、元素类型和设备**，"
            "而不是它的值。注意元素类型：`ones`/`zeros` 默认 `float32`，`full` 跟随填充值（`10` 是整数，所以是 "
            "`int64`），`_like` 形式跟随 `base`。"
        ),
    ),
    Code(
        "%%explain\n"
        "o1 = torch.ones(size=(2, 3))\n"
        "z1 = torch.zeros(size=(2, 3))\n"
        "f1 = torch.full(size=(2, 3, 4), fill_value=10)\n"
        "base = torch.tensor(data=[[1, 2], [3, 4]])\n"
        "o2 = torch.ones_like(input=base)\n"
        "z2 = torch.zeros_like(input=base)\n"
        "f2 = torch.full_like(input=base, fill_value=100)\n"
        "print(o1.dtype, f1.dtype, o2.dtype)\n"
        "print(f2)"
    ),
    Code("%tensor f1"),
    Md(
        en=(
            "## Element types and conversions\n\n"
            "Pass `dtype=` when creating, or convert afterwards. `t.type(dtype)` accepts a dtype such as "
            "`torch.int64` or a tensor type name such as `torch.FloatTensor`; the shortcuts `half()`, `float()`, "
            "`double()`, `short()`, `int()`, `long()` convert to `float16`, `float32`, `float64`, `int16`, "
            "`int32`, `int64`. A conversion makes a new tensor; the original keeps its type."
        ),
        zh=(
            "## 元素类型与类型转换\n\n"
            "创建时传 `dtype=`，或在创建之后转换。`t.type(dtype)` 既接受 `torch.int64` 这样的元素类型，"
            "也接受 `torch.FloatTensor` 这样的张量类型名；简写 `half()`、`float()`、`double()`、`short()`、"
            "`int()`、`long()` 分别转换为 `float16`、`float32`、`float64`、`int16`、`int32`、`int64`。"
            "转换会生成新张量，原张量的类型不变。"
        ),
    ),
    Code(
        "%%explain\n"
        "h1 = torch.tensor(data=[[1., 2., 3.], [4., 5., 6.]], dtype=torch.float16)\n"
        "h2 = h1.type(dtype=torch.FloatTensor)\n"
        "h3 = h1.type(dtype=torch.int64)\n"
        "print(h1.dtype, h2.dtype, h3.dtype)"
    ),
    Code(
        "%%explain\n"
        "c1 = torch.tensor(data=[1.7, -2.5, 3.0])\n"
        "print(c1.half().dtype, c1.float().dtype, c1.double().dtype)\n"
        "print(c1.short(), c1.int(), c1.long())"
    ),
    Md(
        en="`%tensor NAME = EXPR` assigns and annotates in one step:",
        zh="`%tensor 变量名 = 表达式` 一步完成赋值和标注：",
    ),
    Code("%tensor ints = c1.int()"),
    Md(
        en="`%tensor` on its own lists every tensor and array defined so far, with shape, dtype and memory.",
        zh="单独一行 `%tensor` 会列出目前定义的所有张量和数组，以及它们的形状、元素类型和内存。",
    ),
    Code("%tensor"),
    Md(
        en=(
            "## Try it live\n\n"
            "`%explain TOPIC` opens a concept card: a short explanation with an example you can change and "
            "re-run. These two sum up this notebook."
        ),
        zh=(
            "## 动手试一试\n\n"
            "`%explain 主题` 会打开一张概念卡片：简短的讲解，加上一个可以修改、重新运行的例子。"
            "下面两张卡片总结了本笔记本的内容。主题也可以用中文写，例如 `%explain 创建张量`、`%explain 元素类型`。"
        ),
    ),
    Code("%explain tensor-creation"),
    Code("%explain dtypes"),
    exercises_intro(
        en="**Exercise 1.** With `torch.arange`, make `evens`: the even numbers from 0 up to **and including** 20.",
        zh="**练习 1.** 用 `torch.arange` 生成 `evens`:从 0 到 20(**包含** 20)的所有偶数。",
    ),
    Exercise("01.evens", answer="evens = torch.arange(0, 21, 2)", blank="evens = ..."),
    Md(
        en="**Exercise 2.** Make `sevens`: a 3×4 tensor of `float64` in which every value is 7.5, without typing the "
        "values out.",
        zh="**练习 2.** 生成 `sevens`:一个 3×4、元素类型为 `float64`、每个值都是 7.5 的张量，不要手写这些值。",
    ),
    Exercise("01.sevens", answer="sevens = torch.full(size=(3, 4), fill_value=7.5, dtype=torch.float64)",
             blank="sevens = ..."),
    Md(
        en="**Exercise 3.** `torch.tensor([2.9, -2.9]).int()` — predict the two integers before running it. Write "
        "your prediction as a list in `prediction`.",
        zh="**练习 3.** `torch.tensor([2.9, -2.9]).int()` 的结果是哪两个整数？运行之前先预测，把预测写成列表赋给 "
        "`prediction`。",
    ),
    Exercise("01.prediction", answer="prediction = [2, -2]", blank="prediction = ..."),
])


# --------------------------------------------------------------------------------------------------------------
# 02 — NumPy interop, memory sharing, item()
# --------------------------------------------------------------------------------------------------------------

NB02 = Notebook("02_numpy", [
    Md(
        en=(
            "# 2 · Tensors and NumPy: who shares memory?\n\n"
            "Moving data between NumPy and PyTorch is cheap because a tensor and an array can point at **the same "
            "memory**. That is fast, and it is also a classic source of bugs: write to one and the other changes. "
            "This notebook shows which conversions share and which copy, and how to get a plain Python number out "
            "of a tensor."
        ),
        zh=(
            "# 2 · 张量与 NumPy:谁和谁共享内存？\n\n"
            "NumPy 与 PyTorch 之间转换数据的开销很小，因为张量和数组可以指向**同一块内存**。这样很快，"
            "但也是经典的 bug 来源：改了一个，另一个也跟着变。本笔记本说明哪些转换共享内存、哪些会拷贝，"
            "以及如何从张量中取出一个普通的 Python 数字。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Md(
        en=(
            "## Tensor to array: `t.numpy()` shares, `t.numpy().copy()` does not\n\n"
            "`numpy()` returns an array over the tensor's own memory, so writing `100` into the array changes "
            "`a1` too. `.copy()` gives the array memory of its own."
        ),
        zh=(
            "## 张量转数组：`t.numpy()` 共享内存，`t.numpy().copy()` 不共享\n\n"
            "`numpy()` 返回的数组直接使用张量自己的内存，因此往数组里写入 `100`，`a1` 也会改变。"
            "`.copy()` 则让数组拥有自己的内存。"
        ),
    ),
    Code(
        "%%explain\n"
        "a1 = torch.tensor(data=[[1, 2, 3], [4, 5, 6]])\n"
        "n_shared = a1.numpy()\n"
        "n_copy = a1.numpy().copy()\n"
        "n_shared[0][0] = 100\n"
        "print(a1)\n"
        "print(n_copy)"
    ),
    Code("%tensor n_shared"),
    Code("%tensor n_copy"),
    Md(
        en=(
            "## Array to tensor: `torch.from_numpy` shares, `torch.tensor` copies\n\n"
            "`torch.from_numpy(n1)` wraps the array's memory: writing `8888` through `b1` shows up in `n1`. "
            "`torch.tensor(data=n1)` copies the values into new memory, and so does `torch.from_numpy(n1.copy())`. "
            "Both keep NumPy's element type (`int64` here)."
        ),
        zh=(
            "## 数组转张量：`torch.from_numpy` 共享内存，`torch.tensor` 拷贝\n\n"
            "`torch.from_numpy(n1)` 直接包装数组的内存：通过 `b1` 写入 `8888`，`n1` 中也能看到。"
            "`torch.tensor(data=n1)` 把数值拷贝到新内存，`torch.from_numpy(n1.copy())` 也一样。"
            "两者都保留 NumPy 的元素类型（这里是 `int64`）。"
        ),
    ),
    Code(
        "%%explain\n"
        "n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
        "b1 = torch.from_numpy(n1)\n"
        "b2 = torch.tensor(data=n1)\n"
        "b3 = torch.from_numpy(n1.copy())\n"
        "b1[0][0] = 8888\n"
        "print(n1)\n"
        "print(b2)"
    ),
    Code("%tensor b1"),
    Md(
        en="`%tensor` also annotates an expression; here it recognises the new tensor as a copy of `n1`.",
        zh="`%tensor` 也可以标注一个表达式；这里它认出新张量是 `n1` 的一份拷贝。",
    ),
    Code("%tensor torch.tensor(data=n1)"),
    Md(
        en="The overview groups the variables that share memory, so you can see every alias at once.",
        zh="总览表会把共享内存的变量归为一组，所有“别名”一目了然。",
    ),
    Code("%tensor"),
    Md(
        en=(
            "## `t.item()`: one element out as a Python number\n\n"
            "`item()` works on any tensor holding exactly one element, whatever its number of dimensions: "
            "`tensor(10)`, `tensor([10])` and `tensor([[10]])` all give the Python int `10`."
        ),
        zh=(
            "## `t.item()`:把单个元素取成 Python 数字\n\n"
            "只要张量里恰好只有一个元素，无论几维，都可以用 `item()`:`tensor(10)`、`tensor([10])`、"
            "`tensor([[10]])` 都得到 Python 整数 `10`。"
        ),
    ),
    Code(
        "%%explain\n"
        "s0 = torch.tensor(data=10)\n"
        "s1 = torch.tensor(data=[10])\n"
        "s2 = torch.tensor(data=[[10]])\n"
        "print(s0.shape, s1.shape, s2.shape)\n"
        "print(s0.item(), s1.item(), s2.item())"
    ),
    Code("%tensor s2.item()"),
    Md(
        en="With more than one element there is no single number to return, and PyTorch says so:",
        zh="元素多于一个时，没有唯一的数可以返回，PyTorch 会直接报错：",
    ),
    Code(
        "%%explain\n"
        "try:\n"
        "    torch.tensor(data=[1, 2]).item()\n"
        "except RuntimeError as err:\n"
        "    print('RuntimeError:', err)"
    ),
    Md(
        en="The concept card on NumPy sharing lets you try each conversion and see which ones follow a write:",
        zh="关于 NumPy 共享内存的概念卡片可以逐一尝试各种转换，看哪些会跟着写入一起变化"
        "（也可以写 `%explain 共享内存`）:",
    ),
    Code("%explain numpy-sharing"),
    exercises_intro(
        en="**Exercise 1.** Make `linked`, a tensor over the **same memory** as the array `data`, so that a write to "
        "one shows in the other.",
        zh="**练习 1.** 生成张量 `linked`，让它与数组 `data` 使用**同一块内存**，改动其中一个，另一个也能看到。",
    ),
    Exercise("02.linked", given="data = np.arange(6.0)", answer="linked = torch.from_numpy(data)",
             blank="linked = ..."),
    Md(
        en="**Exercise 2.** Make `safe`: a tensor with the same values as `data` but memory of its own.",
        zh="**练习 2.** 生成 `safe`:数值与 `data` 相同，但拥有自己的内存。",
    ),
    Exercise("02.safe", answer="safe = torch.tensor(data=data)", blank="safe = ..."),
    Md(
        en="**Exercise 3.** Put the sum of all values of `scores` into `total` as a plain Python `float`.",
        zh="**练习 3.** 把 `scores` 所有元素之和以普通 Python `float` 的形式赋给 `total`。",
    ),
    Exercise("02.total", given="scores = torch.tensor(data=[[1.5, 2.5], [3.0, 4.0]])",
             answer="total = scores.sum().item()", blank="total = ..."),
])


# --------------------------------------------------------------------------------------------------------------
# 03 — arithmetic, broadcasting, matmul, in-place
# --------------------------------------------------------------------------------------------------------------

NB03 = Notebook("03_arithmetic", [
    Md(
        en=(
            "# 3 · Arithmetic, broadcasting and matrix multiplication\n\n"
            "Tensors combine element by element: with a number, or with another tensor position by position. "
            "This notebook covers the operators and their function forms, the in-place forms ending in `_`, "
            "the element-wise (Hadamard) product with broadcasting, and matrix multiplication."
        ),
        zh=(
            "# 3 · 基本运算、广播与矩阵乘法\n\n"
            "张量按元素进行运算：与一个数运算，或与另一个张量按对应位置运算。本笔记本介绍运算符及其函数形式、"
            "以 `_` 结尾的原地操作、逐元素乘积（阿达玛积）与广播，以及矩阵乘法。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Md(
        en=(
            "## Operators: `+ - * /` and unary `-`\n\n"
            "A number combines with every element; two tensors of the same shape combine position by position. "
            "Note that `/` is true division: dividing the integer tensor `t1` gives `float32`."
        ),
        zh=(
            "## 运算符：`+ - * /` 与负号 `-`\n\n"
            "张量与数运算时，这个数与每个元素分别运算；两个形状相同的张量按对应位置运算。注意 `/` 是真除法："
            "整数张量 `t1` 相除得到 `float32`。"
        ),
    ),
    Code(
        "%%explain\n"
        "t1 = torch.tensor(data=[1, 2, 3, 4])\n"
        "t2 = t1 + 10\n"
        "t3 = t1 + t2\n"
        "print(t2, t3)\n"
        "print(t1 - 1, t1 * 2, t1 / 2, -t1)"
    ),
    Md(
        en=(
            "## Functions: `add`, `sub`, `mul`, `div`, `neg`\n\n"
            "The same operations as functions (`torch.add(t1, 100)`) or methods (`t1.add(100)`). They return a new "
            "tensor and leave `t1` alone: `t1.add(other=100)` on its own line computes a result and throws it away."
        ),
        zh=(
            "## 函数形式：`add`、`sub`、`mul`、`div`、`neg`\n\n"
            "同样的运算也可以写成函数(`torch.add(t1, 100)`)或方法(`t1.add(100)`)。它们返回新张量，"
            "不修改 `t1`:单独一行的 `t1.add(other=100)` 算出结果后就丢掉了。"
        ),
    ),
    Code(
        "%%explain\n"
        "t1.add(other=100)\n"
        "t4 = torch.add(input=t1, other=100)\n"
        "print(t4, t1)\n"
        "print(torch.sub(t1, 1), torch.mul(t1, 3), torch.div(t1, 4), torch.neg(t1))"
    ),
    Md(
        en=(
            "## In-place forms: `add_`, `sub_`, `mul_`, `div_`, `neg_`\n\n"
            "A trailing underscore means *modify this tensor*. `t1.neg_()` flips the signs inside `t1` itself and "
            "returns `t1`, so `t5` is just another name for the same tensor. Any variable sharing `t1`'s memory "
            "sees the change too."
        ),
        zh=(
            "## 原地操作：`add_`、`sub_`、`mul_`、`div_`、`neg_`\n\n"
            "末尾的下划线表示*修改这个张量本身*。`t1.neg_()` 直接把 `t1` 中的符号取反并返回 `t1`，"
            "所以 `t5` 只是同一个张量的另一个名字。所有与 `t1` 共享内存的变量也会看到这个变化。"
        ),
    ),
    Code(
        "%%explain\n"
        "t5 = t1.neg_()\n"
        "print(t1)\n"
        "print(«t5_is_t1», t5 is t1)"
    ),
    Code(
        "%%explain\n"
        "acc = torch.zeros(3)\n"
        "acc.add_(5)\n"
        "acc.sub_(1)\n"
        "acc.mul_(3)\n"
        "acc.div_(4)\n"
        "print(acc)"
    ),
    Md(
        en=(
            "An in-place operation cannot change a tensor's dtype: dividing an integer tensor in place would need "
            "floats, so PyTorch refuses."
        ),
        zh="原地操作不能改变张量的元素类型：整数张量原地相除需要浮点结果，因此 PyTorch 拒绝执行。",
    ),
    Code(
        "try:\n"
        "    torch.tensor(data=[1, 2, 3]).div_(2)\n"
        "except RuntimeError as err:\n"
        "    print('RuntimeError:', err)"
    ),
    Md(
        en=(
            "## Element-wise product and broadcasting\n\n"
            "`*` and `torch.mul` multiply matching positions (the Hadamard product). The shapes need not be equal, "
            "only *broadcastable*: line the shapes up from the right; each pair of sizes must be equal or one of "
            "them 1 (a missing axis counts as 1), and size-1 axes are stretched to match. Here `(2,)` against "
            "`(2, 2)` reads as `(1, 2)`, so `m1` is reused for every row."
        ),
        zh=(
            "## 逐元素乘积与广播\n\n"
            "`*` 与 `torch.mul` 把对应位置的元素相乘（阿达玛积）。形状不必完全相同，只要能*广播*:把形状从右往左"
            "对齐，每一对长度要么相等，要么其中一个是 1(缺少的轴按 1 算)，长度为 1 的轴会被拉伸以匹配。"
            "这里 `(2,)` 对 `(2, 2)` 相当于 `(1, 2)`，于是 `m1` 被用于每一行。"
        ),
    ),
    Code(
        "%%explain\n"
        "m1 = torch.tensor(data=[1, 2])\n"
        "m2 = torch.tensor(data=[[5, 6], [7, 8]])\n"
        "m3 = m1 * m2\n"
        "m4 = torch.mul(input=m1, other=m2)\n"
        "print(m3)\n"
        "print(«same_result», torch.equal(m3, m4))"
    ),
    Md(
        en="Both operands can stretch: a column `(3, 1)` and a row `(4,)` give a `(3, 4)` grid.",
        zh="两个操作数都可以被拉伸：一列 `(3, 1)` 与一行 `(4,)` 得到 `(3, 4)` 的网格。",
    ),
    Code(
        "%%explain\n"
        "col = torch.arange(3).reshape(3, 1)\n"
        "row = torch.arange(4)\n"
        "grid = col * 10 + row\n"
        "print(grid)"
    ),
    Md(
        en=(
            "## Matrix multiplication: `@` and `torch.matmul`\n\n"
            "`(n, m) @ (m, p) -> (n, p)`: each row of the first matrix meets each column of the second, so the "
            "inner sizes `m` must agree. `torch.matmul` does the same, and also accepts more axes as long as the "
            "last two follow the rule (the leading ones are a batch and broadcast)."
        ),
        zh=(
            "## 矩阵乘法：`@` 与 `torch.matmul`\n\n"
            "`(n, m) @ (m, p) -> (n, p)`:第一个矩阵的每一行与第二个矩阵的每一列相乘，所以中间的 `m` 必须一致。"
            "`torch.matmul` 作用相同，也接受更多的轴，只要最后两个轴符合规则即可（前面的轴视为批次并参与广播）。"
        ),
    ),
    Code(
        "%%explain\n"
        "A = torch.tensor(data=[[1, 2], [3, 4]])\n"
        "B = torch.tensor(data=[[5, 6, 7], [8, 9, 10]])\n"
        "C = A @ B\n"
        "D = torch.matmul(input=A, other=B)\n"
        "print(C)\n"
        "print(«same_result», torch.equal(C, D))"
    ),
    Code(
        "%%explain\n"
        "batch = torch.ones(4, 2, 3)\n"
        "W = torch.ones(3, 5)\n"
        "out = torch.matmul(batch, W)\n"
        "print(out.shape)"
    ),
    Code("%tensor C"),
    Md(
        en=(
            "## When shapes do not fit\n\n"
            "The two shape rules above are behind the two most common errors in PyTorch code. Here both are caught "
            "so the notebook keeps running; `%%explain` names the sizes that clash."
        ),
        zh=(
            "## 形状不匹配时\n\n"
            "PyTorch 代码中最常见的两类错误，正是源于上面两条形状规则。这里用 try/except 捕获它们，让笔记本继续运行；"
            "`%%explain` 会指出是哪两个大小冲突。"
        ),
    ),
    Code(
        "%%explain\n"
        "try:\n"
        "    torch.ones(2, 3) @ torch.ones(2, 3)\n"
        "except RuntimeError as err:\n"
        "    print('RuntimeError:', err)\n"
        "try:\n"
        "    torch.ones(3) * torch.ones(2)\n"
        "except RuntimeError as err:\n"
        "    print('RuntimeError:', err)"
    ),
    Md(
        en="Two concept cards to experiment with shapes: which pairs broadcast, and which pairs can be multiplied.",
        zh="两张概念卡片，用来试验形状：哪些形状可以广播，哪些可以做矩阵乘法(也可以写 `%explain 广播`、"
        "`%explain 矩阵乘法`)。",
    ),
    Code("%explain broadcasting"),
    Code("%explain matmul"),
    exercises_intro(
        en="**Exercise 1.** `qty` holds how many of three products two shops sold; `prices` the price of each "
        "product. Compute `cost`, the money per shop and product, in one operation (no loops).",
        zh="**练习 1.** `qty` 是两家店三种商品的销量，`prices` 是每种商品的单价。用一次运算（不写循环）"
        "求出 `cost`:每家店每种商品的销售额。",
    ),
    Exercise(
        "03.cost",
        given="prices = torch.tensor(data=[10., 20., 30.])\nqty = torch.tensor(data=[[1., 2., 3.], [4., 5., 6.]])",
        answer="cost = qty * prices",
        blank="cost = ...",
    ),
    Md(
        en="**Exercise 2.** `X` has shape `(5, 3)`. Create a tensor `W2` of ones such that `X @ W2` has shape "
        "`(5, 2)`.",
        zh="**练习 2.** `X` 的形状为 `(5, 3)`。创建一个全 1 张量 `W2`，使 `X @ W2` 的形状为 `(5, 2)`。",
    ),
    Exercise("03.w2", given="X = torch.ones(5, 3)", answer="W2 = torch.ones(3, 2)", blank="W2 = ..."),
    Md(
        en="**Exercise 3.** Double every value of `v` **in place**, so that `alias` (the same tensor) sees it too.",
        zh="**练习 3.** **原地**把 `v` 的每个值翻倍，使 `alias`（同一个张量）也能看到变化。",
    ),
    Exercise("03.inplace", given="v = torch.tensor(data=[1., 2., 3.])\nalias = v", answer="v.mul_(2)", blank="# ..."),
])


# --------------------------------------------------------------------------------------------------------------
# 04 — reductions along dim, math functions
# --------------------------------------------------------------------------------------------------------------

NB04 = Notebook("04_reductions", [
    Md(
        en=(
            "# 4 · Reductions along `dim` and math functions\n\n"
            "A reduction (`mean`, `sum`, `min`, `max`) turns many numbers into fewer. Without `dim` it uses every "
            "element and returns one value. With `dim=k` it collapses axis `k` only: on a `(2, 4)` tensor, "
            "`dim=0` collapses the rows and gives one result **per column** `(4,)`; `dim=1` collapses the columns "
            "and gives one result **per row** `(2,)`. Math functions (`sqrt`, `pow`, `exp`, `log`) instead work "
            "on each element and keep the shape."
        ),
        zh=(
            "# 4 · 按维度聚合与数学函数\n\n"
            "聚合运算（`mean`、`sum`、`min`、`max`）把许多数变成较少的数。不指定 `dim` 时对所有元素计算，"
            "返回一个值。指定 `dim=k` 时只压缩第 `k` 个轴：对形状 `(2, 4)` 的张量，`dim=0` 压缩行，"
            "得到**每列**一个结果 `(4,)`；`dim=1` 压缩列，得到**每行**一个结果 `(2,)`。数学函数(`sqrt`、"
            "`pow`、`exp`、`log`)则对每个元素分别计算，形状不变。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Code(
        "t1 = torch.tensor(data=[[1., 2, 3, 4], [5, 6, 7, 8]])\n"
        "%tensor t1"
    ),
    Md(
        en="## `mean` and `sum`",
        zh="## `mean` 与 `sum`",
    ),
    Code(
        "%%explain\n"
        "print(«mean_all», t1.mean())\n"
        "print(«mean_col», t1.mean(dim=0))\n"
        "print(«mean_row», t1.mean(dim=1))"
    ),
    Code(
        "%%explain\n"
        "print(«sum_all», t1.sum())\n"
        "print(«sum_col», t1.sum(dim=0))\n"
        "print(«sum_row», t1.sum(dim=1))\n"
        "print(«keepdim», t1.sum(dim=1, keepdim=True).shape)"
    ),
    Md(
        en=(
            "`mean` needs floating-point input: on an integer tensor PyTorch cannot pick the result type "
            "and raises (convert first with `.float()`)."
        ),
        zh="`mean` 需要浮点输入：对整数张量，PyTorch 无法确定结果类型，会报错(先用 `.float()` 转换)。",
    ),
    Code(
        "try:\n"
        "    torch.tensor(data=[1, 2]).mean()\n"
        "except RuntimeError as err:\n"
        "    print('RuntimeError:', err)\n"
        "print(torch.tensor(data=[1, 2]).float().mean())"
    ),
    Md(
        en=(
            "## `min` and `max`\n\n"
            "Without `dim` they return the single smallest or largest value. With `dim` they return two tensors: "
            "the `values` and the `indices` where they were found along that axis."
        ),
        zh=(
            "## `min` 与 `max`\n\n"
            "不指定 `dim` 时返回唯一的最小值或最大值。指定 `dim` 时返回两个张量：沿该轴找到的 `values`（值）"
            "和 `indices`（位置）。"
        ),
    ),
    Code(
        "%%explain\n"
        "print(t1.max(), t1.min())\n"
        "values, indices = t1.max(dim=1)\n"
        "print(values, indices)\n"
        "lowest = t1.min(dim=0)\n"
        "print(lowest.values, lowest.indices)"
    ),
    Md(
        en=(
            "## Element-wise math: `sqrt`, `pow`, `exp`, `log`, `log2`, `log10`\n\n"
            "`sqrt` is the square root, `pow(t, exponent)` raises every element to a power, `exp` computes "
            "*e*<sup>x</sup> for each element x, and `log`, `log2`, `log10` are logarithms to the base *e*, 2 and 10."
        ),
        zh=(
            "## 逐元素数学函数：`sqrt`、`pow`、`exp`、`log`、`log2`、`log10`\n\n"
            "`sqrt` 求平方根，`pow(t, exponent)` 对每个元素求幂，`exp` 对每个元素 x 计算 *e*<sup>x</sup>，"
            "`log`、`log2`、`log10` 分别是以 *e*、2、10 为底的对数。"
        ),
    ),
    Code(
        "%%explain\n"
        "print(t1.sqrt())\n"
        "print(torch.pow(input=t1, exponent=2))\n"
        "print(torch.exp(input=t1))"
    ),
    Code(
        "%%explain\n"
        "print(torch.log(input=t1))\n"
        "print(t1.log2())\n"
        "print(t1.log10())"
    ),
    Md(
        en=(
            "Logarithms are only defined for positive numbers: `log(0)` is `-inf` and `log(-1)` is `nan`. "
            "`%tensor` counts both in its statistics, which makes them easy to spot in a large tensor."
        ),
        zh=(
            "对数只对正数有定义：`log(0)` 是 `-inf`，`log(-1)` 是 `nan`。`%tensor` 的统计量会分别计数，"
            "在大张量中也很容易发现它们。"
        ),
    ),
    Code("%tensor torch.log(torch.tensor([0., 1., -1.]))"),
    Md(
        en="The reductions card lets you pick the axis and watch which one disappears:",
        zh="聚合运算的概念卡片可以选择不同的轴，观察哪一个轴被压缩掉（也可以写 `%explain 按维度`）:",
    ),
    Code("%explain reductions"),
    exercises_intro(
        en="`marks` holds the marks of 3 students (rows) in 4 tests (columns).\n\n"
        "**Exercise 1.** Compute `per_student`: each student's average mark.",
        zh="`marks` 是 3 名学生（行）在 4 次测验（列）中的成绩。\n\n"
        "**练习 1.** 求 `per_student`:每名学生的平均分。",
    ),
    Exercise(
        "04.per_student",
        given="marks = torch.tensor(data=[[70., 80., 90., 60.], [88., 92., 79., 95.], [50., 65., 70., 85.]])",
        answer="per_student = marks.mean(dim=1)",
        blank="per_student = ...",
    ),
    Md(
        en="**Exercise 2.** For each test, find the best mark (`best`) and which student got it (`who`).",
        zh="**练习 2.** 对每次测验，求最高分 `best` 以及取得它的学生编号 `who`。",
    ),
    Exercise("04.best", answer="best, who = marks.max(dim=0)", blank="best = ...\nwho = ..."),
    Md(
        en="**Exercise 3.** Compute `rms`, the root mean square of `v`: the square root of the mean of the squares.",
        zh="**练习 3.** 求 `v` 的均方根 `rms`:各元素平方的平均值再开平方。",
    ),
    Exercise("04.rms", given="v = torch.tensor(data=[3., 4.])", answer="rms = torch.sqrt(torch.pow(v, 2).mean())",
             blank="rms = ..."),
])


# --------------------------------------------------------------------------------------------------------------
# 05 — model families through the concept cards
# --------------------------------------------------------------------------------------------------------------

NB05 = Notebook("05_models", [
    Md(
        en=(
            "# 5 · Deep learning and its model families\n\n"
            "Deep learning is the family of machine-learning methods built on artificial neural networks that "
            "**learn their features from the data** instead of having a person design them. Four traits set it "
            "apart:\n\n"
            "- **Many layers of non-linear transforms.** Each layer transforms its input and applies a non-linear "
            "activation; early layers pick up simple patterns (edges, colours), later ones combine them into "
            "complex ones (objects, faces).\n"
            "- **Features are learned.** No hand-made feature engineering: the network finds useful features in "
            "the raw data.\n"
            "- **Data and compute.** Training needs a lot of (usually labelled) data and fast hardware such as "
            "GPUs; both together made the breakthroughs in vision and language possible.\n"
            "- **Hard to interpret.** What happens inside is opaque — a *black box* — so explaining a particular "
            "decision is difficult, which matters in some applications.\n\n"
            "Each `%explain TOPIC` below opens a card built from a real torch model you can play with. "
            "`%explain` alone lists all topics."
        ),
        zh=(
            "# 5 · 深度学习及其模型家族\n\n"
            "深度学习是机器学习中的一类方法，以人工神经网络为结构，能够**从数据中自动学习特征**，"
            "而不需要人来设计特征。它有四个特点：\n\n"
            "- **多层非线性变换。** 每一层对输入做变换并经过非线性激活函数；靠前的层捕捉简单的模式（边缘、颜色），"
            "靠后的层把它们组合成复杂的模式（物体、人脸）。\n"
            "- **特征是学出来的。** 不需要人工特征工程，网络自己从原始数据中找到有用的特征。\n"
            "- **数据与算力。** 训练需要大量（通常带标注的）数据和 GPU 等高性能硬件；"
            "两者结合才带来了视觉和语言领域的突破。\n"
            "- **可解释性差。** 模型内部的运作不透明，像一个*黑箱*，很难说明某个具体决策的原因，"
            "这在一些应用场景中是个挑战。\n\n"
            "下面每个 `%explain 主题` 都会打开一张卡片，卡片由真实的 torch 模型生成，可以动手调节。"
            "单独写 `%explain` 会列出所有主题。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Code("%explain"),
    Code("%explain deep-learning"),
    Md(
        en=(
            "## Perceptron and ANN (multi-layer perceptron)\n\n"
            "A **perceptron** is the simplest unit: it weights and sums its inputs and passes the sum through an "
            "activation function. It can only separate classes with a straight line, so it learns AND and OR but "
            "never XOR. An **ANN** (multi-layer perceptron) puts hidden layers with non-linear activations between "
            "input and output, and so handles non-linear problems like XOR. It suits small regression and "
            "classification tasks; shallow ones struggle with high-dimensional data such as images and text."
        ),
        zh=(
            "## 感知机与 ANN(多层感知机)\n\n"
            "**感知机**是最简单的神经网络单元：对多个输入加权求和，再经过激活函数输出。它只能用一条直线把类别分开，"
            "所以能学会 AND 和 OR，却学不会 XOR。**ANN**（多层感知机）在输入层和输出层之间加入带非线性激活的隐藏层，"
            "因此能处理 XOR 这样的非线性问题。它适合小规模的回归和分类任务；层数较浅时，"
            "面对图像、文本等高维复杂数据表现有限。"
        ),
    ),
    Code("%explain perceptron"),
    Md(
        en="A perceptron in torch is one `nn.Linear` layer followed by an activation. The layer holds a weight "
        "matrix and a bias; on four inputs of two features each it computes `x @ weight.T + bias`, one output per "
        "input:",
        zh="在 torch 中，一个感知机就是一个 `nn.Linear` 层加一个激活函数。这个层保存一个权重矩阵和一个偏置；"
        "对 4 个样本（每个 2 个特征）计算 `x @ weight.T + bias`，每个样本得到一个输出：",
    ),
    Code(
        "torch.manual_seed(0)\n"
        "layer = torch.nn.Linear(in_features=2, out_features=1)\n"
        "print(layer.weight.shape, layer.bias.shape)"
    ),
    Code(
        "%%explain\n"
        "x = torch.tensor(data=[[0., 0.], [0., 1.], [1., 0.], [1., 1.]])\n"
        "z = x @ layer.weight.T + layer.bias\n"
        "y = torch.sigmoid(z)\n"
        "print(y.shape, torch.allclose(y, torch.sigmoid(layer(x))))"
    ),
    Md(
        en=(
            "## CNN (convolutional neural network)\n\n"
            "A small kernel slides over the input and extracts local features; pooling layers shrink the result "
            "while keeping the strongest responses. Because each kernel looks only at a local window and the same "
            "weights are reused at every position (*weight sharing*), a CNN needs far fewer parameters than a fully "
            "connected layer and tolerates shifts of the input. It fits grid-like data: images and video "
            "(classification, object detection, segmentation, video analysis)."
        ),
        zh=(
            "## CNN(卷积神经网络)\n\n"
            "卷积核在输入上滑动，在局部窗口内提取局部特征；池化层降低维度，同时保留最关键的响应。由于每个卷积核只看"
            "局部窗口，并且同一组权重在所有位置重复使用（*权值共享*）,CNN 的参数量远少于全连接层，"
            "对平移等变化也有一定的鲁棒性。它适合网格状的高维数据：图像和视频（分类、目标检测、语义分割、视频分析）。"
        ),
    ),
    Code("%explain cnn"),
    Code(
        "conv = torch.nn.Conv2d(in_channels=1, out_channels=4, kernel_size=3, padding=1)\n"
        "print(«parameters», sum(p.numel() for p in conv.parameters()))"
    ),
    Code(
        "%%explain\n"
        "image = torch.rand(1, 1, 8, 8)\n"
        "features = conv(image)\n"
        "print(features.shape)"
    ),
    Md(
        en=(
            "## RNN (recurrent neural network)\n\n"
            "A loop carries a hidden state from one step of a sequence to the next, so the network remembers what "
            "came before. It handles sequences of any length (text, speech, time series) but struggles with long-range "
            "dependencies: gradients vanish or explode as they flow back through many steps. Used for machine "
            "translation, text generation, speech recognition and forecasting."
        ),
        zh=(
            "## RNN(循环神经网络)\n\n"
            "循环连接把隐藏状态从序列的一步传到下一步，使网络记住之前出现过的内容。它能处理任意长度的序列"
            "（文本、语音、时间序列），但难以捕捉长程依赖：梯度在沿许多步反向传播时会消失或爆炸。"
            "常用于机器翻译、文本生成、语音识别和时间序列预测。"
        ),
    ),
    Code("%explain rnn"),
    Md(
        en=(
            "## Transformer\n\n"
            "Built on **self-attention**: every position of a sequence looks at every other position directly, "
            "all in one parallel step, which eases the long-range and sequential-speed problems of RNNs. "
            "It is a different architecture, not a descendant of the RNN. It now dominates language processing "
            "(BERT, GPT) and has spread to vision (ViT): large language models, translation, summarisation and "
            "question answering."
        ),
        zh=(
            "## Transformer\n\n"
            "以**自注意力**为基础：序列中每个位置都直接关注其他所有位置，并且在一步之内并行完成，"
            "缓解了 RNN 长程依赖难、难以并行的问题。它是一种不同的架构，并不是从 RNN 派生出来的。"
            "如今它是自然语言处理的主流（BERT、GPT），并已扩展到视觉领域（ViT）:大语言模型、机器翻译、"
            "摘要与问答等。"
        ),
    ),
    Code("%explain transformer"),
    Md(
        en=(
            "## Autoencoder\n\n"
            "An encoder compresses the input into a small latent representation and a decoder rebuilds the input "
            "from it; training minimises the reconstruction error, so no labels are needed (unsupervised). "
            "Good at feature learning and compression: dimensionality reduction and visualisation, denoising, "
            "generating similar data, anomaly detection."
        ),
        zh=(
            "## 自编码器（Autoencoder）\n\n"
            "编码器把输入压缩成低维的潜在表示，解码器再从中重构输入；训练目标是让重构误差最小，因此不需要标签"
            "（无监督学习）。擅长特征学习与压缩：降维与可视化、去噪、生成相似数据、异常检测。"
        ),
    ),
    Code("%explain autoencoder"),
    Md(
        en=(
            "## Where deep learning is used\n\n"
            "- **Natural language processing:** generative AI and large models, machine translation, speech "
            "recognition.\n"
            "- **Computer vision:** image recognition, face unlock, video synthesis.\n"
            "- **Recommender systems:** films, music, articles, videos, products.\n\n"
            "PyTorch, the framework of this course, is a Python package whose data are tensors; it differentiates "
            "automatically (autograd), runs on GPUs and other accelerators, and works across operating systems and "
            "hardware."
        ),
        zh=(
            "## 深度学习的应用场景\n\n"
            "- **自然语言处理：** 生成式 AI 与大模型、机器翻译、语音识别。\n"
            "- **计算机视觉：** 图像识别、人脸解锁、视频合成。\n"
            "- **推荐系统：** 电影、音乐、文章、视频、商品。\n\n"
            "本课程使用的 PyTorch 是一个 Python 第三方包，数据以张量的形式存在；它能自动求导（autograd），"
            "可以在 GPU 等加速硬件上运行，并兼容各种操作系统和硬件。"
        ),
    ),
    exercises_intro(
        en="**Exercise 1.** Weight sharing in numbers. A `Conv2d` with 3 input channels, 16 output channels and a "
        "3×3 kernel has one 3×3 weight per (input, output) channel pair plus one bias per output channel. "
        "Compute `conv_params` with arithmetic only.",
        zh="**练习 1.** 用数字看权值共享。一个输入 3 通道、输出 16 通道、3×3 卷积核的 `Conv2d`，"
        "每对（输入通道，输出通道）有一个 3×3 的权重，每个输出通道还有一个偏置。只用算术求出 `conv_params`。",
    ),
    Exercise("05.conv_params", answer="conv_params = 16 * 3 * 3 * 3 + 16", blank="conv_params = ..."),
    Md(
        en="**Exercise 2.** A fully connected layer from a 32×32 RGB image (3 channels) to 16 outputs: compute "
        "`fc_params` (weights plus biases).",
        zh="**练习 2.** 一个全连接层，输入为 32×32 的 RGB 图像（3 通道），输出 16 个值：求 `fc_params`（权重加偏置）。",
    ),
    Exercise("05.fc_params", answer="fc_params = 32 * 32 * 3 * 16 + 16", blank="fc_params = ..."),
    Md(
        en="**Exercise 3.** Which model can learn XOR: `\"perceptron\"` or `\"mlp\"`? Put your answer in `xor_model`.",
        zh="**练习 3.** 哪种模型能学会 XOR:`\"perceptron\"` 还是 `\"mlp\"`？把答案赋给 `xor_model`。",
    ),
    Exercise("05.xor_model", answer='xor_model = "mlp"', blank="xor_model = ..."),
])


# --------------------------------------------------------------------------------------------------------------
# 07 — autograd: requires_grad, grad_fn, backward, .grad, zero_grad, no_grad, leaving the graph, softmax and losses
# --------------------------------------------------------------------------------------------------------------

NB07 = Notebook("07_autograd", [
    Md(
        en=(
            "# 7 · Autograd: gradients, computed for you\n\n"
            "Training a network means nudging its parameters so that a loss gets smaller, and for that we need the "
            "gradient of the loss with respect to every parameter. PyTorch's **autograd** computes them: while you "
            "compute, it records each operation in a graph; `backward()` then walks that graph from the result "
            "back to the inputs, applying the chain rule at each node.\n\n"
            "This notebook covers `requires_grad`, `grad_fn`, `backward()` and `.grad`, why gradients must be "
            "cleared, `torch.no_grad()`, leaving the graph (`detach`, `clone`, `.item()`, `.numpy()`), and the two "
            "functions a classifier's loss is made of: `softmax` and `cross_entropy`."
        ),
        zh=(
            "# 7 · 自动求导：梯度由 PyTorch 来算\n\n"
            "训练网络就是一点点调整参数，让损失变小；为此需要损失对每个参数的梯度。PyTorch 的**自动求导（autograd）**"
            "负责计算它们：你做计算的同时，它把每一步运算记录在一张计算图里；`backward()` 再从结果出发，"
            "沿这张图往回走到各个输入，在每个节点上应用链式法则。\n\n"
            "本笔记本介绍 `requires_grad`、`grad_fn`、`backward()` 和 `.grad`，为什么要清除梯度，`torch.no_grad()`，"
            "怎样离开计算图（`detach`、`clone`、`.item()`、`.numpy()`），以及分类器的损失由哪两个函数构成："
            "`softmax` 和 `cross_entropy`。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Md(
        en=(
            "## `requires_grad`: which tensors autograd follows\n\n"
            "A tensor created with `requires_grad=True` is a **leaf** that autograd watches: here the weight `w` "
            "and the bias `b` of a tiny model, y = (w·x + b)². The input `x` is data and needs no gradient. Every "
            "result computed from a tensor that requires grad requires grad too, and keeps in `grad_fn` the "
            "operation that made it."
        ),
        zh=(
            "## `requires_grad`：autograd 跟踪哪些张量\n\n"
            "用 `requires_grad=True` 创建的张量是 autograd 要跟踪的**叶子**：这里是小模型 y = (w·x + b)² "
            "的权重 `w` 和偏置 `b`。输入 `x` 是数据，不需要梯度。由需要梯度的张量算出来的结果也需要梯度，"
            "并在 `grad_fn` 中记住是哪个运算得到了它。"
        ),
    ),
    Code(
        "%%explain\n"
        "w = torch.tensor(data=2.0, requires_grad=True)\n"
        "b = torch.tensor(data=-1.0, requires_grad=True)\n"
        "x = torch.tensor(data=1.5)\n"
        "z = w * x + b\n"
        "y = z ** 2\n"
        "print(x.requires_grad, z.requires_grad, y.requires_grad)"
    ),
    Md(
        en=(
            "## `grad_fn`: the graph, node by node\n\n"
            "`y.grad_fn` is the node of the last operation (`PowBackward0`, for `** 2`). Its `next_functions` lead "
            "to the nodes of its inputs, and theirs to theirs, back to the leaves. A leaf that requires grad ends "
            "its branch in an `AccumulateGrad` node, which will put the gradient into the leaf's `.grad`; an input "
            "that needs no gradient (here `x`) appears as `None`. A leaf has no `grad_fn` of its own."
        ),
        zh=(
            "## `grad_fn`：一个节点一个节点地看计算图\n\n"
            "`y.grad_fn` 是最后一个运算的节点（`** 2` 对应 `PowBackward0`）。它的 `next_functions` "
            "指向各个输入的节点，这些节点又指向它们的输入，一直回到叶子。需要梯度的叶子在它那一支的末端是一个 "
            "`AccumulateGrad` 节点，它会把梯度放进叶子的 `.grad`；不需要梯度的输入（这里是 `x`）显示为 `None`。"
            "叶子自己没有 `grad_fn`。"
        ),
    ),
    Code(
        "print(y.grad_fn.name(), '<-', z.grad_fn.name())\n"
        "print([type(node).__name__ for node, _ in z.grad_fn.next_functions])\n"
        "mul = z.grad_fn.next_functions[0][0]\n"
        "print([None if node is None else type(node).__name__ for node, _ in mul.next_functions])\n"
        "print(w.is_leaf, w.grad_fn, z.is_leaf)"
    ),
    Md(
        en=(
            "The `autograd` card draws this very graph from the real `grad_fn` chain, with what each node receives "
            "in `backward()`. Move the `x` slider, or set `x.requires_grad` to True and watch a third "
            "`AccumulateGrad` appear. From the keyboard: `%explain autograd --x 2.0`."
        ),
        zh=(
            "`autograd` 卡片根据真实的 `grad_fn` 链画出的正是这张图，并标出每个节点在 `backward()` 中收到的梯度。"
            "拖动 `x` 滑块，或者把 `x.requires_grad` 设为 True，看第三个 `AccumulateGrad` 出现。"
            "用键盘也可以：`%explain autograd --x 2.0`。"
        ),
    ),
    Code("%explain autograd"),
    Md(
        en=(
            "## `backward()` fills `.grad`\n\n"
            "`y.backward()` computes ∂y/∂w and ∂y/∂b and stores them in `w.grad` and `b.grad`. By the chain rule, "
            "with z = w·x + b: ∂y/∂w = 2z·x and ∂y/∂b = 2z. Here z = 2·1.5 − 1 = 2, so we expect 6 and 4. "
            "`x.grad` stays `None`: `x` does not require grad."
        ),
        zh=(
            "## `backward()` 填好 `.grad`\n\n"
            "`y.backward()` 计算 ∂y/∂w 和 ∂y/∂b，存进 `w.grad` 和 `b.grad`。按链式法则，记 z = w·x + b，"
            "则 ∂y/∂w = 2z·x，∂y/∂b = 2z。这里 z = 2·1.5 − 1 = 2，所以应该得到 6 和 4。"
            "`x.grad` 仍是 `None`：`x` 不需要梯度。"
        ),
    ),
    Code(
        "%%explain\n"
        "y.backward()\n"
        "print(w.grad, b.grad, x.grad)"
    ),
    Md(
        en="The same two numbers by hand, from the formulas above:",
        zh="用上面的公式手算，得到同样的两个数：",
    ),
    Code(
        "z_value = w.item() * x.item() + b.item()\n"
        "print(2 * z_value * x.item(), 2 * z_value)"
    ),
    Md(
        en=(
            "## A graph is used once\n\n"
            "To save memory, `backward()` frees the values the graph saved for it. A second `y.backward()` on the "
            "same graph raises an error: compute `y` again first (or pass `retain_graph=True` to the first "
            "`backward()` when you really need two passes). The `try` block below catches the error so that the "
            "notebook goes on."
        ),
        zh=(
            "## 一张图只能用一次\n\n"
            "为了节省内存，`backward()` 会释放计算图为它保存的中间值。对同一张图再调用一次 `y.backward()` 会报错："
            "要先重新计算 `y`（确实需要反向传播两次时，可以在第一次 `backward()` 时传入 `retain_graph=True`）。"
            "下面的 `try` 语句捕获这个错误，让笔记本继续运行。"
        ),
    ),
    Code(
        "%%explain\n"
        "try:\n"
        "    y.backward()\n"
        "except RuntimeError as error:\n"
        "    print('RuntimeError:', str(error).split('.')[0])"
    ),
    Md(
        en=(
            "## Gradients add up: clear them with `zero_grad()`\n\n"
            "`backward()` does not overwrite `.grad`: it **adds** to it. That is what the chain rule needs when a "
            "parameter is used in several places, but in a training loop it means the gradients of the previous "
            "step would be mixed into this one. Below, `.grad` is cleared, then three forward and backward passes "
            "run with nothing in between: `w.grad` ends at three times 6."
        ),
        zh=(
            "## 梯度会累加：用 `zero_grad()` 清除\n\n"
            "`backward()` 不会覆盖 `.grad`，而是把梯度**加**到上面。一个参数在多处被使用时，链式法则正需要这样；"
            "但在训练循环里，这意味着上一步的梯度会混进这一步。下面先清除 `.grad`，再连续做三次前向和反向计算，"
            "中间什么也不做：`w.grad` 最后是 6 的三倍。"
        ),
    ),
    Code(
        "%%explain\n"
        "w.grad = None\n"
        "b.grad = None\n"
        "for _ in range(3):\n"
        "    y = (w * x + b) ** 2\n"
        "    y.backward()\n"
        "print(w.grad, b.grad)"
    ),
    Md(
        en=(
            "That is why every training loop clears the gradients before `backward()`: `optimizer.zero_grad()` sets "
            "each parameter's `.grad` to `None`, exactly as this cell does by hand."
        ),
        zh=(
            "所以每个训练循环都在 `backward()` 之前清除梯度：`optimizer.zero_grad()` 把每个参数的 `.grad` 设为 "
            "`None`，和这个单元格手动做的完全一样。"
        ),
    ),
    Code(
        "w.grad = None\n"
        "b.grad = None\n"
        "y = (w * x + b) ** 2\n"
        "y.backward()\n"
        "print(w.grad, b.grad)"
    ),
    Md(
        en=(
            "## `torch.no_grad()`: computing without a graph\n\n"
            "Inside `with torch.no_grad():` nothing is recorded: results have no `grad_fn` and do not require grad. "
            "Use it to evaluate a model (no memory spent on a graph) and to update parameters by hand: "
            "`w -= 0.1 * w.grad` changes the leaf `w` in place, and that change must not become part of the graph. "
            "That line is one step of gradient descent with learning rate 0.1: 2 − 0.1 × 6 = 1.4."
        ),
        zh=(
            "## `torch.no_grad()`：不记录计算图的计算\n\n"
            "在 `with torch.no_grad():` 里不记录任何东西：结果没有 `grad_fn`，也不需要梯度。评估模型时用它"
            "（不必为计算图花内存），手动更新参数时也用它：`w -= 0.1 * w.grad` 原地修改叶子 `w`，"
            "这个修改不能成为计算图的一部分。这一行就是学习率为 0.1 的一步梯度下降：2 − 0.1 × 6 = 1.4。"
        ),
    ),
    Code(
        "%%explain\n"
        "with torch.no_grad():\n"
        "    y_eval = (w * x + b) ** 2\n"
        "    w -= 0.1 * w.grad\n"
        "print(y_eval.requires_grad, y_eval.grad_fn, w)"
    ),
    Md(
        en=(
            "## Leaving the graph: `detach()`, `clone()`, `.item()`, `.numpy()`\n\n"
            "- `detach()` gives a tensor that shares the same memory but is cut off from the graph: no gradient "
            "flows through it.\n"
            "- `clone()` copies the values into new memory but stays in the graph: gradients flow back through the "
            "copy.\n"
            "- `.item()` turns a one-element tensor into a plain Python number, outside the graph.\n"
            "- `.numpy()` refuses a tensor that requires grad: call `detach()` first."
        ),
        zh=(
            "## 离开计算图：`detach()`、`clone()`、`.item()`、`.numpy()`\n\n"
            "- `detach()` 得到一个共享同一块内存、但与计算图断开的张量：梯度不会经过它。\n"
            "- `clone()` 把数值复制到新的内存，但仍在计算图中：梯度会经过这个副本往回传。\n"
            "- `.item()` 把只有一个元素的张量变成普通的 Python 数字，在计算图之外。\n"
            "- `.numpy()` 拒绝需要梯度的张量：先调用 `detach()`。"
        ),
    ),
    Code(
        "%%explain\n"
        "z = w * x + b\n"
        "d = z.detach()\n"
        "c = z.clone()\n"
        "value = z.item()\n"
        "print(d.requires_grad, c.requires_grad, c.grad_fn.name(), value)"
    ),
    Code(
        "%%explain\n"
        "try:\n"
        "    z.numpy()\n"
        "except RuntimeError as error:\n"
        "    print('RuntimeError:', error)\n"
        "n = z.detach().numpy()\n"
        "print(n)"
    ),
    Md(
        en=(
            "## From scores to probabilities: `softmax`\n\n"
            "A classifier's last layer gives one raw score per class, the **logits**: any real numbers. "
            "`torch.softmax(logits, dim=1)` turns each row into probabilities: the exp of each score divided by "
            "the sum of the exps of its row, so every value lies between 0 and 1, each row sums to 1, and the "
            "largest score keeps the largest probability."
        ),
        zh=(
            "## 从分数到概率：`softmax`\n\n"
            "分类器的最后一层为每个类别给出一个原始分数，即 **logits**：可以是任意实数。"
            "`torch.softmax(logits, dim=1)` 把每一行变成概率：每个分数的 exp 除以这一行所有 exp 之和，"
            "所以每个值都在 0 和 1 之间，每一行的和为 1，最大的分数仍然得到最大的概率。"
        ),
    ),
    Code(
        "%%explain\n"
        "logits = torch.tensor(data=[[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])\n"
        "probs = torch.softmax(logits, dim=1)\n"
        "print(probs)\n"
        "print(probs.sum(dim=1))"
    ),
    Md(
        en=(
            "A loss needs the **logarithm** of these probabilities, and `log` of `softmax` breaks for large score "
            "differences: e⁻¹²⁰ is too small for float32 and becomes 0, and log(0) = −inf. `torch.log_softmax` "
            "computes the same logarithms directly and stays finite:"
        ),
        zh=(
            "损失需要这些概率的**对数**。分数相差很大时，先 `softmax` 再 `log` 会出问题：e⁻¹²⁰ 对 float32 来说太小，"
            "变成了 0，而 log(0) = −inf。`torch.log_softmax` 直接算出同样的对数，结果保持有限："
        ),
    ),
    Code(
        "%%explain\n"
        "big = torch.tensor(data=[[0.0, 120.0]])\n"
        "naive = torch.log(torch.softmax(big, dim=1))\n"
        "stable = torch.log_softmax(big, dim=1)\n"
        "print(naive, stable)"
    ),
    Md(
        en=(
            "## `cross_entropy`: logits and int64 class indices\n\n"
            "`torch.nn.functional.cross_entropy(logits, target)` takes the raw scores, shape (N, C), and the "
            "correct class of each sample as an **int64 index**, shape (N,). It applies `log_softmax` itself, takes "
            "each row's log-probability of the correct class, negates it and averages over the N samples. Computed "
            "by hand in the same cell, it gives the same number."
        ),
        zh=(
            "## `cross_entropy`：logits 和 int64 类别下标\n\n"
            "`torch.nn.functional.cross_entropy(logits, target)` 接收形状为 (N, C) 的原始分数，以及每个样本正确类别的 "
            "**int64 下标**，形状为 (N,)。它自己先做 `log_softmax`，取出每一行正确类别的对数概率，取相反数，"
            "再对 N 个样本求平均。在同一个单元格里手算一遍，得到的数相同。"
        ),
    ),
    Code(
        "%%explain\n"
        "labels = torch.tensor(data=[0, 2])\n"
        "loss = torch.nn.functional.cross_entropy(logits, labels)\n"
        "by_hand = -torch.log_softmax(logits, dim=1)[torch.arange(2), labels].mean()\n"
        "print(loss, by_hand)"
    ),
    Md(
        en=(
            "Two classic mistakes. Passing probabilities instead of logits applies softmax twice: no error, just a "
            "different, wrong loss. And float class labels are refused: the targets must be class indices of type "
            "int64 (torch also accepts uint8, but not int32 or floats)."
        ),
        zh=(
            "两个常见错误。传入概率而不是 logits，softmax 就做了两次：不会报错，只是得到一个不同的、错误的损失。"
            "浮点数的类别标签则会被拒绝：目标必须是 int64 类型的类别下标"
            "（torch 也接受 uint8，但不接受 int32 或浮点数）。"
        ),
    ),
    Code(
        "%%explain\n"
        "wrong = torch.nn.functional.cross_entropy(probs, labels)\n"
        "print(wrong, loss)"
    ),
    Code(
        "%%explain\n"
        "float_labels = labels.float()\n"
        "try:\n"
        "    torch.nn.functional.cross_entropy(logits, float_labels)\n"
        "except RuntimeError as error:\n"
        "    print('RuntimeError:', error)"
    ),
    exercises_intro(
        teacher=OWN_CHECK_TEACHER,
        student=OWN_CHECK_STUDENT,
        en=(
            "**Exercise 1.** Let autograd find the derivative of f(a) = a³ at a = 2: make `a` a tensor that "
            "requires grad, compute `f`, call `backward()` and keep the gradient in `grad_a`."
        ),
        zh=(
            "**练习 1.** 让 autograd 求出 f(a) = a³ 在 a = 2 处的导数：把 `a` 创建成需要梯度的张量，计算 `f`，"
            "调用 `backward()`，把梯度保存在 `grad_a` 中。"
        ),
    ),
    Exercise(
        "07.grad_a",
        answer=(
            "a = torch.tensor(data=2.0, requires_grad=True)\n"
            "f = a ** 3\n"
            "f.backward()\n"
            "grad_a = a.grad"
        ),
        blank=(
            "# make a, compute f and call backward(); then:\n"
            "grad_a = ..."
        ),
        own_check=Code(
            "assert isinstance(grad_a, torch.Tensor), «tensor»\n"
            "assert grad_a.item() == 12.0, «value»\n"
            "print(«ok»)",
            strings={
                "tensor": ok("grad_a should be a.grad, a tensor: did a require grad, and did you call f.backward()?",
                             "grad_a 应是 a.grad，一个张量：a 需要梯度吗？调用 f.backward() 了吗？"),
                "value": ok("grad_a is not the derivative of a³ at a = 2: is f exactly a ** 3, is a 2.0, and was a "
                            "made fresh (an older a.grad would have been added to)?",
                            "grad_a 不是 a³ 在 a = 2 处的导数：f 确实是 a ** 3 吗？a 是 2.0 吗？a 是新建的吗"
                            "（旧的 a.grad 会被累加上去）？"),
                "ok": ok("Right: autograd found 3a² = 12.", "正确：autograd 算出了 3a² = 12。"),
            },
        ),
    ),
    Md(
        en=(
            "**Exercise 2.** `p` below already holds the gradient of an earlier `backward()`. Make `p.grad` the "
            "gradient of `(3 * p).sum()` alone."
        ),
        zh="**练习 2.** 下面的 `p` 已经带着之前一次 `backward()` 留下的梯度。让 `p.grad` 只是 `(3 * p).sum()` 的梯度。",
    ),
    Exercise(
        "07.zero_grad",
        given=(
            "p = torch.tensor(data=[1.0, 2.0], requires_grad=True)\n"
            "(p * p).sum().backward()"
        ),
        answer=(
            "p.grad = None\n"
            "(3 * p).sum().backward()"
        ),
        blank=(
            "# your lines here"
        ),
        own_check=Code(
            "assert p.grad is not None, «missing»\n"
            "assert torch.equal(p.grad, torch.tensor([3.0, 3.0])), «added»\n"
            "print(«ok»)",
            strings={
                "missing": ok("p.grad is None: call backward() on (3 * p).sum() after clearing.",
                              "p.grad 是 None：清除之后要对 (3 * p).sum() 调用 backward()。"),
                "added": ok("The gradient of (3 * p).sum() is 3 for each element; the old one was added to it: clear "
                            "p.grad before backward().",
                            "(3 * p).sum() 的梯度每个元素都是 3；旧梯度被加了上去：在 backward() 之前先清除 p.grad。"),
                "ok": ok("Exactly: cleared first, so only this backward() counts.",
                         "完全正确：先清除，所以只有这一次 backward() 的梯度。"),
            },
        ),
    ),
    Md(
        en=(
            "**Exercise 3.** `scores` holds the logits of 3 samples for 4 classes; their correct classes are 3, 0 "
            "and 1. Build `targets` as `cross_entropy` wants them and compute the mean loss `loss3`."
        ),
        zh=(
            "**练习 3.** `scores` 是 3 个样本在 4 个类别上的 logits；它们的正确类别分别是 3、0、1。按 `cross_entropy` "
            "的要求创建 `targets`，并计算平均损失 `loss3`。"
        ),
    ),
    Exercise(
        "07.cross_entropy",
        given=(
            "scores = torch.tensor(data=[[0.2, -1.0, 0.5, 2.0], [1.5, 0.3, -0.2, 0.1], [0.0, 0.8, 0.4, -0.5]])"
        ),
        answer=(
            "targets = torch.tensor(data=[3, 0, 1])\n"
            "loss3 = torch.nn.functional.cross_entropy(scores, targets)"
        ),
        blank=(
            "targets = ...\n"
            "loss3 = ..."
        ),
        own_check=Code(
            "assert targets.dtype == torch.int64 and targets.shape == (3,), «targets»\n"
            "expected = -torch.log_softmax(scores, dim=1)[torch.arange(3), torch.tensor([3, 0, 1])].mean()\n"
            "assert torch.allclose(loss3, expected), «loss»\n"
            "print(«ok»)",
            strings={
                "targets": ok("targets should be the class indices 3, 0, 1 as an int64 tensor of shape (3,).",
                              "targets 应是类别下标 3、0、1，形状为 (3,) 的 int64 张量。"),
                "loss": ok("Pass the raw scores (not softmax of them) and the indices to cross_entropy.",
                           "把原始分数（不是它们的 softmax）和下标传给 cross_entropy。"),
                "ok": ok("Right: logits in, int64 indices in, the mean loss out.",
                         "正确：传入 logits 和 int64 下标，得到平均损失。"),
            },
        ),
    ),
])


# --------------------------------------------------------------------------------------------------------------
# 08 — training: the five lines of the loop, the learning rate, a small classifier, evaluation
# --------------------------------------------------------------------------------------------------------------

NB08 = Notebook("08_training", [
    Md(
        en=(
            "# 8 · Training a network: the loop\n\n"
            "Every training run in PyTorch repeats the same five lines:\n\n"
            "```python\n"
            "prediction = model(x)              # 1 forward: the model's output\n"
            "loss = loss_fn(prediction, target)  # 2 loss: one number, how wrong it is\n"
            "optimizer.zero_grad()              # 3 clear the gradients of the last step\n"
            "loss.backward()                    # 4 the gradient of the loss for every parameter\n"
            "optimizer.step()                   # 5 move every parameter against its gradient\n"
            "```\n\n"
            "This notebook first plays with the learning rate on a tiny model, then trains a small classifier, "
            "explained line by line, and evaluates it."
        ),
        zh=(
            "# 8 · 训练网络：训练循环\n\n"
            "PyTorch 中的每一次训练都在重复同样的五行代码：\n\n"
            "```python\n"
            "prediction = model(x)              # 1 前向计算：模型的输出\n"
            "loss = loss_fn(prediction, target)  # 2 损失：一个数，表示错得有多远\n"
            "optimizer.zero_grad()              # 3 清除上一步的梯度\n"
            "loss.backward()                    # 4 求损失对每个参数的梯度\n"
            "optimizer.step()                   # 5 让每个参数沿梯度的反方向移动\n"
            "```\n\n"
            "本笔记本先在一个很小的模型上体会学习率的作用，再训练一个小分类器（逐行讲解），最后评估它。"
        ),
    ),
    HOW_TO_USE,
    setup_cell(),
    Md(
        en=(
            "## The learning rate\n\n"
            "The `training-loop` card trains `nn.Linear(1, 1)` on 20 points with exactly these five lines. Slide the "
            "learning rate: small values crawl; above the limit the card computes, each step overshoots further "
            "and the loss grows until float32 overflows. The second cell opens the same card from the keyboard, "
            "with its settings as options."
        ),
        zh=(
            "## 学习率\n\n"
            "`training-loop` 卡片用的正是这五行代码，在 20 个点上训练 `nn.Linear(1, 1)`。拖动学习率滑块："
            "太小的值下降得很慢；超过卡片算出的上限后，每一步都越过得更远，损失不断增大，直到 float32 溢出。"
            "第二个单元格用键盘打开同一张卡片，设置写成选项。"
        ),
    ),
    Code("%explain training-loop"),
    Code("%explain training-loop --lr 0.6 --steps 60"),
    Md(
        en=(
            "## A small classifier\n\n"
            "Three clouds of 40 points, one per class. The labels are int64 class indices 0, 1 and 2, as "
            "`cross_entropy` wants them. The model has a hidden layer of 16 units with ReLU, then gives 3 scores "
            "(logits) per point. Building the layers draws their initial weights from the global random generator, "
            "which is why the seed is set first."
        ),
        zh=(
            "## 一个小分类器\n\n"
            "三团点，每团 40 个，各属一个类别。标签是 int64 的类别下标 0、1、2，正是 `cross_entropy` 需要的形式。"
            "模型有一个 16 个单元、带 ReLU 的隐藏层，然后为每个点给出 3 个分数（logits）。创建各层时会从全局随机数"
            "生成器中抽取初始权重，所以先设置随机种子。"
        ),
    ),
    Code(
        "%%explain\n"
        "torch.manual_seed(0)\n"
        "centres = torch.tensor(data=[[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])\n"
        "labels = torch.arange(3).repeat_interleave(40)\n"
        "points = centres[labels] + 0.9 * torch.randn(120, 2)\n"
        "model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))\n"
        "print(points.shape, labels.shape, labels.dtype)"
    ),
    Md(
        en=(
            "## Lines 1 and 2: forward pass and loss\n\n"
            "Calling the model runs its layers in order; `%%explain` names each one as you built it (`model[0]`, "
            "`model[1]`, …) with its parameters and its shapes in and out."
        ),
        zh=(
            "## 第 1、2 行：前向计算和损失\n\n"
            "调用模型会依次运行它的各层；`%%explain` 按你创建时的名字（`model[0]`、`model[1]` ……）标出每一层，"
            "并给出它的参数个数以及输入、输出的形状。"
        ),
    ),
    Code(
        "%%explain\n"
        "scores = model(points)\n"
        "loss = torch.nn.functional.cross_entropy(scores, labels)\n"
        "print(scores.shape, loss)"
    ),
    Md(
        en=(
            "`%tensor model` lists the layers with the output shapes of the forward pass just explained, and the "
            "parameters each one holds:"
        ),
        zh="`%tensor model` 列出各层、刚才讲解过的那次前向计算的输出形状，以及每一层的参数：",
    ),
    Code("%tensor model"),
    Md(
        en=(
            "## Lines 3 to 5: one step, line by line\n\n"
            "An optimizer holds the parameters and the rule that updates them. Plain SGD subtracts lr × gradient "
            "from every parameter, here with lr = 0.5. The loss is computed again afterwards, under "
            "`torch.no_grad()` since no gradient is needed for it."
        ),
        zh=(
            "## 第 3 到 5 行：一步一步地看\n\n"
            "优化器保存着参数以及更新它们的规则。普通的 SGD 从每个参数中减去 lr × 梯度，这里 lr = 0.5。"
            "之后再算一次损失，放在 `torch.no_grad()` 中，因为这次不需要梯度。"
        ),
    ),
    Code(
        "%%explain\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.5)\n"
        "optimizer.zero_grad()\n"
        "loss.backward()\n"
        "optimizer.step()\n"
        "with torch.no_grad():\n"
        "    new_loss = torch.nn.functional.cross_entropy(model(points), labels)\n"
        "print(loss.item(), '->', new_loss.item())"
    ),
    Md(
        en=(
            "## The loop\n\n"
            "Now the five lines again and again, this time with **Adam**, which scales each parameter's step by "
            "running averages of its gradients; `lr=0.05` is a common starting point for it. `%%explain` counts "
            "how often each line ran."
        ),
        zh=(
            "## 训练循环\n\n"
            "现在把这五行一遍遍地重复，这次用 **Adam**：它根据每个参数梯度的滑动平均来调整这个参数的步长；"
            "`lr=0.05` 是它常用的起点。`%%explain` 会数出每一行运行了多少次。"
        ),
    ),
    Code(
        "%%explain\n"
        "optimizer = torch.optim.Adam(model.parameters(), lr=0.05)\n"
        "losses = []\n"
        "for step in range(100):\n"
        "    scores = model(points)\n"
        "    loss = torch.nn.functional.cross_entropy(scores, labels)\n"
        "    optimizer.zero_grad()\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "    losses.append(loss.item())\n"
        "print([round(value, 4) for value in losses[::20]], round(losses[-1], 4))"
    ),
    Md(
        en=(
            "## Evaluating: `no_grad`, `argmax`, accuracy\n\n"
            "Using the model needs no graph: `torch.no_grad()` saves the memory and the time. The predicted class "
            "of a point is the index of its largest score, `argmax(dim=1)`; the accuracy is the share of points "
            "whose prediction equals their label."
        ),
        zh=(
            "## 评估：`no_grad`、`argmax` 和准确率\n\n"
            "使用模型时不需要计算图：`torch.no_grad()` 省下内存和时间。一个点的预测类别是它最大分数的下标 "
            "`argmax(dim=1)`；准确率是预测与标签相同的点所占的比例。"
        ),
    ),
    Code(
        "%%explain\n"
        "with torch.no_grad():\n"
        "    predicted = model(points).argmax(dim=1)\n"
        "accuracy = (predicted == labels).float().mean().item()\n"
        "print(predicted.requires_grad, accuracy)"
    ),
    exercises_intro(
        teacher=OWN_CHECK_TEACHER,
        student=OWN_CHECK_STUDENT,
        en=(
            "**Exercise 1.** `net` is a fresh `nn.Linear(2, 3)` with an SGD optimizer `opt` (lr 0.1). Below the "
            "comment, write the five lines once: one training step of `net` on `points` and `labels`."
        ),
        zh=(
            "**练习 1.** `net` 是一个新建的 `nn.Linear(2, 3)`，`opt` 是它的 SGD 优化器（lr 为 0.1）。在注释下面写出那"
            "五行代码一次：用 `points` 和 `labels` 对 `net` 训练一步。"
        ),
    ),
    Exercise(
        "08.one_step",
        given=(
            "torch.manual_seed(1)\n"
            "net = torch.nn.Linear(2, 3)\n"
            "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
            "start = [parameter.detach().clone() for parameter in net.parameters()]\n"
            "# one training step:"
        ),
        answer=(
            "out = net(points)\n"
            "step_loss = torch.nn.functional.cross_entropy(out, labels)\n"
            "opt.zero_grad()\n"
            "step_loss.backward()\n"
            "opt.step()"
        ),
        blank=(
            "# ..."
        ),
        own_check=Code(
            "weight0, bias0 = (tensor.clone().requires_grad_(True) for tensor in start)\n"
            "reference = torch.nn.functional.cross_entropy(points @ weight0.T + bias0, labels)\n"
            "grad_w, grad_b = torch.autograd.grad(reference, [weight0, bias0])\n"
            "assert not torch.equal(net.weight.detach(), start[0]), «moved»\n"
            "assert torch.allclose(net.weight.detach(), start[0] - 0.1 * grad_w, atol=1e-6), «once»\n"
            "assert torch.allclose(net.bias.detach(), start[1] - 0.1 * grad_b, atol=1e-6), «once»\n"
            "print(«ok»)",
            strings={
                "moved": ok("net's weights did not change: did you call opt.step() after loss.backward()?",
                            "net 的权重没有变：在 loss.backward() 之后调用 opt.step() 了吗？"),
                "once": ok("The parameters moved, but not by exactly one SGD step from the start: one forward, one "
                           "backward, one step.",
                           "参数变了，但不是从起点出发恰好一步 SGD：一次前向、一次反向、一次 step。"),
                "ok": ok("Right: one step, p ← p − 0.1 · p.grad for every parameter.",
                         "正确：一步，每个参数 p ← p − 0.1 · p.grad。"),
            },
        ),
    ),
    Md(
        en=(
            "**Exercise 2.** Thirty new points (`test_points`, labels `test_labels`) were not used in training. "
            "Compute the model's scores for them without building a graph (`test_logits`), their predicted classes "
            "(`test_predicted`) and `test_accuracy` as a Python float."
        ),
        zh=(
            "**练习 2.** 下面 30 个新的点（`test_points`，标签为 `test_labels`）没有参加训练。在不建立计算图的情况下"
            "算出模型给它们的分数（`test_logits`）、预测的类别（`test_predicted`），并把 `test_accuracy` 算成一个 Python float。"
        ),
    ),
    Exercise(
        "08.test_accuracy",
        given=(
            "torch.manual_seed(2)\n"
            "test_labels = torch.arange(3).repeat_interleave(10)\n"
            "test_points = centres[test_labels] + 0.9 * torch.randn(30, 2)"
        ),
        answer=(
            "with torch.no_grad():\n"
            "    test_logits = model(test_points)\n"
            "test_predicted = test_logits.argmax(dim=1)\n"
            "test_accuracy = (test_predicted == test_labels).float().mean().item()"
        ),
        blank=(
            "test_logits = ...\n"
            "test_predicted = ...\n"
            "test_accuracy = ..."
        ),
        own_check=Code(
            # argmax never requires grad: the scores are where a graph would show (grad_fn set)
            "assert test_logits.grad_fn is None and not test_logits.requires_grad, «graph»\n"
            "assert isinstance(test_accuracy, float), «python»\n"
            "with torch.no_grad():\n"
            "    right = (model(test_points).argmax(dim=1) == test_labels).sum().item()\n"
            "assert abs(test_accuracy - right / 30) < 1e-6, «value»\n"
            "print(«ok», test_accuracy)",
            strings={
                "graph": ok("test_logits carries a graph (it has a grad_fn): compute it inside torch.no_grad().",
                            "test_logits 带着计算图（有 grad_fn）：请在 torch.no_grad() 中计算。"),
                "python": ok("test_accuracy should be a plain Python float: .item() gives one.",
                             "test_accuracy 应是普通的 Python float：用 .item() 取出。"),
                "value": ok("The accuracy is the share of the 30 points whose argmax equals their label.",
                            "准确率是 30 个点中 argmax 等于标签的点所占的比例。"),
                "ok": ok("Right. Accuracy on points the model never saw:", "正确。模型从没见过的点上的准确率："),
            },
        ),
    ),
    Md(
        en=(
            "**Exercise 3.** Look at the `training-loop` card again: choose a learning rate `diverging_lr` (between "
            "0.001 and 1) at which its 100 steps diverge."
        ),
        zh=(
            "**练习 3.** 再看看 `training-loop` 卡片：选一个学习率 `diverging_lr`（在 0.001 到 1 之间），"
            "让它的 100 步训练发散。"
        ),
    ),
    Exercise(
        "08.diverging_lr",
        answer="diverging_lr = 0.6",
        blank="diverging_lr = ...",
        own_check=Code(
            "from tensormagic import card\n"
            "assert 0.001 <= diverging_lr <= 1, «range»\n"
            "verdict = card('training-loop', lr=diverging_lr, steps=100).numbers['verdict']\n"
            "assert verdict == 'diverges', «hint»\n"
            "print(«ok»)",
            strings={
                "range": ok("The card takes learning rates from 0.001 to 1.", "卡片接受 0.001 到 1 之间的学习率。"),
                "hint": ok("With that lr the loss does not grow within 100 steps: go above the limit 2/λ the card "
                           "prints, far enough.",
                           "用这个学习率，100 步之内损失没有增大：要超过卡片给出的上限 2/λ，而且要超过得足够多。"),
                "ok": ok("Yes: each step overshoots more than the last, and the loss grows.",
                         "对：每一步都比上一步越过得更远，损失越来越大。"),
            },
        ),
    ),
])


# --------------------------------------------------------------------------------------------------------------
# 06 — stepping through memory (%%explain --steps)
# --------------------------------------------------------------------------------------------------------------

STEPS_SECTION_4 = (
    "n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "t1 = torch.from_numpy(n1)\n"
    "t1[0][0] = 8888\n"
    "t2 = torch.tensor(n1)"
)

NB06 = Notebook("06_steps", [
    Md(
        en=(
            "# 6 · Step by step: names, tensors and memory\n\n"
            "`%%explain --steps` runs a cell exactly as usual, then shows it as a timeline: move the slider (or press "
            "*previous* / *next*) and every executed line shows what the names refer to at that moment.\n\n"
            "How to read the drawing:\n\n"
            "- on the left, the **names**; an arrow goes from each name to the tensor or array it refers to;\n"
            "- each block of **memory** is a row of boxes, in address order, with its values when it holds at most 64 "
            "elements (a larger one is a bar, with shape, dtype and the range each name covers);\n"
            "- under the boxes, one strip per tensor or array lying in that memory: its **covered boxes** are filled "
            "and numbered `#k`, the k-th element of the view; shape, strides and offset are written beside it;\n"
            "- **orange** boxes were written at this step; a name with a dashed orange frame changed although the "
            "line does not name it (it shares memory with one that was written); memory seen for the first time "
            "is marked **new**."
        ),
        zh=(
            "# 6 · 逐步查看：变量名、张量和内存\n\n"
            "`%%explain --steps` 照常运行单元格，然后把它画成一条时间线：拖动滑块（或点击“上一步”/“下一步”），"
            "每执行一行，就能看到此刻各个变量名指向什么。\n\n"
            "怎样读这张图：\n\n"
            "- 左边是**变量名**，每个变量名都有一个箭头指向它所引用的张量或数组；\n"
            "- 每块**内存**画成一行格子，按地址顺序排列；不超过 64 个元素时格子里写出数值"
            "（更大的内存画成一根条，并写出形状、元素类型以及每个变量覆盖的范围）；\n"
            "- 格子下面，每个位于这块内存中的张量或数组各占一条：它**覆盖的格子**被填色并标上 `#k`，"
            "表示视图的第 k 个元素；旁边写着它的形状、步长和偏移；\n"
            "- **橙色**格子是这一步被写入的；名字带橙色虚线框，表示这一行没有提到它，它的值却变了"
            "（它与被写入的变量共享内存）；第一次出现的内存标为**新**。"
        ),
    ),
    setup_cell(),
    Md(
        en=(
            "## From NumPy and back: the walk of §4\n\n"
            "`torch.from_numpy` makes a tensor over the array's own memory; `torch.tensor` copies it. Step to line 3: "
            "`t1` and `n1` both show 8888, in the same box. At line 4, `t2` has boxes of its own."
        ),
        zh=(
            "## NumPy 与张量之间：第 4 节的例子\n\n"
            "`torch.from_numpy` 直接在数组自己的内存上建立张量；`torch.tensor` 则复制一份。走到第 3 行："
            "`t1` 和 `n1` 都显示 8888，而且是同一个格子。到第 4 行，`t2` 有了属于自己的格子。"
        ),
    ),
    Code("%%explain --steps\n" + STEPS_SECTION_4),
    Md(
        en="The same cell explained in words (plain `%%explain`), for comparison:",
        zh="同一个单元格，用普通的 `%%explain` 以文字讲解，作为对照：",
    ),
    Code("%%explain\n" + STEPS_SECTION_4),
    Md(
        en=(
            "## A transpose, then `.view()`\n\n"
            "`a.T` is a view: the same six boxes, read in another order (strides `(1, 3)`; look at the `#k` numbers). "
            "`view()` cannot read them as one row, so it raises; `reshape()` copies them into new memory."
        ),
        zh=(
            "## 先转置，再 `.view()`\n\n"
            "`a.T` 是一个视图：还是那六个格子，只是换了一种读取顺序（步长 `(1, 3)`，看 `#k` 的编号）。"
            "`view()` 无法把它们当作连续的一行来读，所以报错；`reshape()` 则把它们复制到新的内存里。"
        ),
    ),
    Code(
        "%%explain --steps\n"
        "a = torch.arange(6).view(2, 3)\n"
        "b = a.T\n"
        "try:\n"
        "    c = b.view(6)\n"
        "except RuntimeError as error:\n"
        "    print(«failed», str(error).split('.')[0])\n"
        "c = b.reshape(6)",
        strings={"failed": ok("view() failed:", "view() 失败：")},
    ),
    Md(
        en="## `clone()` copies\n\nAfter `clone()`, writing to `y` leaves `x` alone: two rows of boxes.",
        zh="## `clone()` 会复制\n\n`clone()` 之后，写入 `y` 不会影响 `x`：两行不同的格子。",
    ),
    Code("%%explain --steps\nx = torch.arange(4.0)\ny = x.clone()\ny[0] = 100.0"),
    Md(
        en=(
            "## `detach()` shares\n\n"
            "`detach()` gives a tensor without gradient tracking, over the same memory: writing to `d` changes `w` "
            "(its name gets the dashed frame)."
        ),
        zh=(
            "## `detach()` 共享内存\n\n"
            "`detach()` 得到一个不再追踪梯度的张量，但内存还是同一块：写入 `d` 会改变 `w`（`w` 的名字带上虚线框）。"
        ),
    ),
    Code("%%explain --steps\nw = torch.ones(3, requires_grad=True)\nd = w.detach()\nd[1] = 5.0"),
    Md(
        en=(
            "## Rebinding is not writing\n\n"
            "`y = x` makes a second arrow to the same tensor. `x += 1` writes into that tensor, so `y` sees it; "
            "`x = x + 1` makes a new tensor and moves only the arrow of `x`."
        ),
        zh=(
            "## 重新绑定不等于写入\n\n"
            "`y = x` 只是多了一个指向同一个张量的箭头。`x += 1` 写入这个张量，所以 `y` 也看到了变化；"
            "`x = x + 1` 生成一个新张量，只移动了 `x` 的箭头。"
        ),
    ),
    Code("%%explain --steps\nx = torch.zeros(2)\ny = x\nx += 1\nx = x + 1"),
    Md(
        en=(
            "## Loops\n\n"
            "Each line keeps its first 3 and last 2 runs; the timeline says how many runs in between it did not keep, "
            "so a loop of thousands of iterations stays small."
        ),
        zh=(
            "## 循环\n\n"
            "每一行只保留最初 3 次和最后 2 次运行，中间没有保留的次数会写出来，所以即使循环几千次，时间线也不会变大。"
        ),
    ),
    Code("%%explain --steps\nacc = torch.zeros(3)\nfor k in range(100):\n    acc += k"),
    Md(
        en=(
            "## For a slide or a course page\n\n"
            "`tm.steps(code, namespace)` runs code the same way and returns the timeline; `save_html` writes it as "
            "one HTML file with the slider, which works offline."
        ),
        zh=(
            "## 放进幻灯片或课程网页\n\n"
            "`tm.steps(代码, 命名空间)` 以同样的方式运行代码并返回时间线；`save_html` 把它保存成一个带滑块的 HTML "
            "文件，不联网也能使用。"
        ),
    ),
    Code(
        "import os\n"
        "import tempfile\n"
        "import tensormagic as tm\n"
        f"walk = tm.steps({STEPS_SECTION_4 + chr(10)!r}, {{'np': np, 'torch': torch}})\n"
        "page = walk.save_html(os.path.join(tempfile.gettempdir(), 'steps_section_4.html'))\n"
        "print(len(walk.frames), «saved»)",
        strings={"saved": ok("steps saved in one HTML file", "个步骤已保存到一个 HTML 文件中")},
    ),
    Code("%explain numpy-sharing"),
    exercises_intro(
        en=(
            "**Exercise 1.** `u = torch.arange(6.0)`, then `w = u[::2]`, then `w[1] = -1`. Which box of `u`'s memory "
            "is written at the last step? Put its index in `changed_index`."
        ),
        zh=(
            "**练习 1.** `u = torch.arange(6.0)`，然后 `w = u[::2]`，然后 `w[1] = -1`。最后一步写入的是 `u` "
            "内存中的第几个格子？把它的下标赋给 `changed_index`。"
        ),
        teacher=Md(
            en="This is the teacher's copy: each exercise cell holds one correct answer, and the check cell below it "
            "asks `tm.steps` for the truth. `make demo` also writes the student copies, with the exercise cells blank.",
            zh="这是教师版：每个练习单元格里已经填好了一个正确答案，下面的检查单元格用 `tm.steps` 验证它。"
            "`make demo` 还会生成学生版，其中的练习单元格是空的。",
        ),
        student=Md(
            en="Replace each `...` in an exercise cell with your answer, run the cell, then run the check cell below "
            "it, which asks `tm.steps` for the truth: it confirms a right answer, or stops with a hint. Change your "
            "answer and check again as often as you like.",
            zh="把练习单元格里的每个 `...` 换成你的答案，运行它，再运行下面的检查单元格：它用 `tm.steps` 验证，"
            "答对了会确认，不对则停下并给出提示。可以反复修改、反复检查。",
        ),
    ),
    Exercise(
        "06.changed_index",
        answer="changed_index = 2",
        blank="changed_index = ...",
        own_check=Code(
            "last = tm.steps('u = torch.arange(6.0)\\nw = u[::2]\\nw[1] = -1\\n', {'torch': torch}).frames[-1]\n"
            "written = last.storages[last.block('u').storage].written\n"
            "assert written == (changed_index,), «hint»\n"
            "print(«ok»)",
            strings={
                "hint": ok("Not yet: w takes every second box, so its element 1 is which box of u?",
                           "还不对：w 每隔一个格子取一个，那么它的第 1 个元素是 u 的第几个格子？"),
                "ok": ok("Right: w[1] is u[2], the same box.", "对：w[1] 就是 u[2]，同一个格子。"),
            },
        ),
    ),
    Md(
        en=(
            "**Exercise 2.** For `a = torch.arange(6).view(2, 3)`, which of `a.T`, `a.clone()`, `a.reshape(6)` and "
            "`a.T.reshape(6)` make new memory? Put those expressions (as strings) in the set `allocating`."
        ),
        zh=(
            "**练习 2.** 对于 `a = torch.arange(6).view(2, 3)`，`a.T`、`a.clone()`、`a.reshape(6)` 和 "
            "`a.T.reshape(6)` 中哪些会分配新内存？把这些表达式（字符串）放进集合 `allocating`。"
        ),
    ),
    Exercise(
        "06.allocating",
        answer="allocating = {'a.clone()', 'a.T.reshape(6)'}",
        blank="allocating = ...",
        own_check=Code(
            "truth = set()\n"
            "for expression in ('a.T', 'a.clone()', 'a.reshape(6)', 'a.T.reshape(6)'):\n"
            "    frame = tm.steps(f'a = torch.arange(6).view(2, 3)\\nb = {expression}\\n',\n"
            "                     {'torch': torch}).frames[-1]\n"
            "    if frame.block('b').new:\n"
            "        truth.add(expression)\n"
            "assert allocating == truth, «hint»\n"
            "print(«ok»)",
            strings={
                "hint": ok("Not quite: a view reuses the boxes; reshape copies only when it cannot read them in "
                           "order.",
                           "不太对：视图沿用原来的格子；reshape 只有在格子无法按顺序读取时才复制。"),
                "ok": ok("Yes: clone() always copies, reshape() only when it must.",
                         "对：clone() 总会复制，reshape() 只在必要时复制。"),
            },
        ),
    ),
])


NOTEBOOKS: list[Notebook] = [NB01, NB02, NB03, NB04, NB05, NB06, NB07, NB08]


def render(notebook: Notebook, lang: str, student: bool = False) -> nbformat.NotebookNode:
    """The notebook for one language, as nbformat objects (no outputs, fixed cell ids).

    ``student``: the student copy, with every exercise cell blank (its given data kept) and the markdown that
    differs for students.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "tensormagic": {"language": lang, "generated_by": "demos/build_notebooks.py"},
    }
    if student:
        nb.metadata["tensormagic"]["copy"] = "student"
    for index, cell in enumerate(notebook.cells):
        # Fixed ids keep rebuilds byte-identical (nbformat would otherwise draw random ones).
        cell_id = f"{notebook.slug}-{lang}-{index:02d}"
        if isinstance(cell, Md):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.text(lang, student), id=cell_id))
            continue
        if isinstance(cell, Exercise):
            exercise_meta = {"tensormagic": {"exercise": cell.check}}
            nb.cells.append(nbformat.v4.new_code_cell(
                cell.source(student), id=cell_id, metadata={**exercise_meta, "tags": ["exercise"]}))
            nb.cells.append(nbformat.v4.new_code_cell(
                cell.check_source(lang), id=f"{cell_id}-check", metadata={**exercise_meta, "tags": ["check"]}))
            continue
        meta: dict[str, object] = {}
        if cell.volatile:
            meta["tensormagic"] = {"volatile": list(cell.volatile)}
        if cell.tags:
            meta["tags"] = list(cell.tags)
        nb.cells.append(nbformat.v4.new_code_cell(cell.text(lang), id=cell_id, metadata=meta))
    nbformat.validate(nb)
    return nb


def target(notebook: Notebook, lang: str, root: Path = DEMOS) -> Path:
    return root / lang / f"{notebook.slug}.ipynb"


# --------------------------------------------------------------------------------------------------------------
# The concept-card tour (demos/cards_tour.ipynb, one notebook in both languages): built from the card registry, so
# a new card module appears here, in its group and order, without anyone editing this file.
# --------------------------------------------------------------------------------------------------------------

TOUR = "cards_tour.ipynb"
#: The card the tour also opens by its Chinese name, and with settings typed as options.
TOUR_SHOWCASE, TOUR_OPTIONS = "cnn", "--kernel 5 --stride 2"


def tour_cells() -> list[tuple[str, str, dict[str, object]]]:
    """(cell type, source, metadata) of the tour. Cells that show a card carry ``{"tensormagic": {"card": topic}}``."""
    from tensormagic.cards import topics
    from tensormagic.i18n import message

    def shows(topic: str) -> dict[str, object]:
        return {"tensormagic": {"card": topic}}

    showcase = next(t for t in topics() if t.name == TOUR_SHOWCASE)
    chinese_name = max(showcase.chinese_aliases, key=len)  # the full name reads best: 卷积神经网络
    other = next(t for t in topics() if t.name != showcase.name and t.chinese_aliases)
    typo = showcase.name + showcase.name[-1]

    cells: list[tuple[str, str, dict[str, object]]] = [
        ("markdown", "# tensormagic concept cards — a tour\n\n"
         "Every card below runs real PyTorch code when it is built and again whenever you change one of its "
         "controls. In a terminal, the same cards print as text, and their controls become options of "
         "`%explain TOPIC`.\n\n"
         "每张卡片在创建时、以及每次改动控件时都会运行真实的 PyTorch 代码。在终端里它们以纯文本显示，"
         "控件则变成 `%explain 主题` 的选项。", {}),
        ("code", "import torch\nimport tensormagic as tm\n\n%load_ext tensormagic", {}),
    ]
    group = None
    for topic in topics():
        if topic.group != group:
            group = topic.group
            heading = f"{message(f'card.common.group.{group}', 'en')} / {message(f'card.common.group.{group}', 'zh')}"
            cells.append(("markdown", f"## {heading}", {}))
        cells.append(("code", f"tm.card({topic.name!r})", shows(topic.name)))
    cells += [
        ("markdown", "## The same card in Chinese, by a Chinese name / 用中文名打开中文卡片", {}),
        ("code", f"tm.card({chinese_name!r}, language=\"zh\")", shows(showcase.name)),
        ("markdown", "## The tensor inspector / 张量查看器", {}),
        ("code", 'x = torch.arange(24.).reshape(2, 3, 4)\nv = x[:, 1:, ::2]\ntm.inspect(v, globals(), name="v")', {}),
        ("code", "%tensor -w x.permute(2, 0, 1)", {}),
        ("markdown", "## `%explain`: cards by name, settings as options, cells explained line by line / "
         "按名字打开卡片，设置写成选项，逐行解释代码", {}),
        ("code", "%explain", {}),
        ("code", f"%explain {chinese_name}", shows(showcase.name)),
        ("code", f"%explain {max(other.chinese_aliases, key=len)} --lang en", shows(other.name)),
        ("code", f"%explain {showcase.name} {TOUR_OPTIONS}", shows(showcase.name)),
        ("code", f"%explain {typo}", {}),
        ("code", "%%explain\nimport numpy as np\nn = np.array([1., 2., 3.])\nt = torch.from_numpy(n)\nt.add_(1)", {}),
    ]
    return cells


def render_tour() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "tensormagic": {"generated_by": "demos/build_notebooks.py"},
    }
    for index, (kind, source, meta) in enumerate(tour_cells()):
        cell_id = f"cards-tour-{index:02d}"
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source, id=cell_id))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source, id=cell_id, metadata=meta))
    nbformat.validate(nb)
    return nb


def serialise(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def rendered(root: Path = DEMOS) -> list[tuple[Path, str]]:
    """Every notebook this source writes: (path, text) for the course in both languages, then the card tour."""
    out = [(target(notebook, lang, root), serialise(render(notebook, lang)))
           for notebook in NOTEBOOKS for lang in LANGUAGES]
    out.append((root / TOUR, serialise(render_tour())))
    return out


def stale(root: Path = DEMOS) -> list[Path]:
    """Notebooks whose file differs from what this source would write (missing ones included)."""
    return [path for path, text in rendered(root)
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def build(root: Path = DEMOS) -> list[Path]:
    """Write every notebook that is missing or out of date; return the paths written."""
    written = []
    for path, text in rendered(root):
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


STUDENTS = "students"


def student_target(notebook: Notebook, lang: str, out_dir: Path) -> Path:
    return out_dir / STUDENTS / lang / f"{notebook.slug}.ipynb"


def write_student_copies(out_dir: Path) -> list[Path]:
    """Write the student copy of every course notebook under ``out_dir/students/<lang>/``; return the paths.

    Student copies are handed out unexecuted: blank exercise cells, the check cells that go with them, and
    everything else as in the teacher's notebook.
    """
    written = []
    for notebook in NOTEBOOKS:
        for lang in LANGUAGES:
            path = student_target(notebook, lang, out_dir)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(serialise(render(notebook, lang, student=True)), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any notebook is missing or out of date")
    parser.add_argument("--students", type=Path, metavar="DIR",
                        help="also write the student copies under DIR/students/<lang>/")
    args = parser.parse_args(argv)
    if args.check:
        behind = stale()
        for path in behind:
            print(f"out of date: {path.relative_to(DEMOS.parent)}")
        return 1 if behind else 0
    for path in build():
        print(f"wrote {path.relative_to(DEMOS.parent)}")
    if args.students:
        for path in write_student_copies(args.students):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
