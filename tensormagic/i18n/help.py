"""The magics' help (``%tensor?``, ``%explain?``): descriptions, option help and argparse's section titles.

The English entries are exactly the magics' own docstrings and ``@argument(help=...)`` texts (IPython builds
``__doc__`` from them, and ``tools/magic_reference.py`` writes the README's reference from that); a test keeps
them equal, so a changed English help fails until its Chinese is changed too. Keys: ``help.<magic>.description``,
``help.<magic>.<option dest>``. Option help goes through argparse's ``%`` formatting: a literal ``%`` is ``%%``.
"""

from __future__ import annotations

from .forms import Template

EN = {
    "help.positionals": "positional arguments",
    "help.options": "options",
    # %tensor
    "help.tensor.description": "Annotate a tensor or NumPy array: shape, dtype, device, memory, sharing, statistics.\n"
    "\n"
    "Examples::\n"
    "\n"
    "    %tensor torch.arange(6).view(2, 3)\n"
    "    %tensor t1 = torch.from_numpy(n1)     # assigns t1, then says it shares memory with n1\n"
    "    %tensor --lang zh --precision 2 t.mean(dim=0)\n"
    "    %tensor                               # every tensor/array in the namespace\n"
    "    %tensor --auto on                     # annotate every tensor a cell returns\n"
    "    %tensor --input-shape 16,2 model      # a model's layers, with each output shape",
    "help.tensor.lang": "Language of this annotation (default: TensorMagic.language).",
    "help.tensor.no_stats": "Skip the statistics (min, max, mean, std, NaN/Inf/zeros).",
    "help.tensor.precision": "Digits shown for values and statistics (default: TensorMagic.precision).",
    "help.tensor.widget": "Open the interactive inspector widget instead of text.",
    "help.tensor.input_shape": "For a model (nn.Module): the input's shape, batch included (16,2), for one dry run on "
    "the meta device that finds every layer's output shape.",
    "help.tensor.auto": "on: annotate every tensor/array a cell returns, without typing %%tensor; off: IPython's own "
    "output.",
    "help.tensor.brief": "Student mode for this annotation: no memory layout line, no statistics footer "
    "(default: TensorMagic.detail).",
    "help.tensor.expression": "EXPR or NAME = EXPR. Without it, a table of every tensor and array in the namespace, "
    "grouped by shared memory.",
    # %explain / %%explain
    "help.explain.description": "%%explain: run the cell exactly as IPython would, then explain every torch call it "
    "made.\n"
    "\n"
    "``%explain TOPIC`` (line form) shows a concept card instead; ``%explain`` alone lists the cards. Each\n"
    "card's controls are options too, so a terminal changes them from the keyboard: ``%explain cnn --kernel 5\n"
    "--stride 2`` (``%explain cnn --help`` lists a card's options). A Chinese topic name opens the Chinese card\n"
    "unless a language was chosen (``--lang``, or ``TensorMagic.language`` in a config file or ``%config``).\n"
    "\n"
    "Examples::\n"
    "\n"
    "    %%explain\n"
    "    n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "    t1 = torch.from_numpy(n1)      # says: shares memory with n1\n"
    "    t1[0][0] = 8888                # says: changes t1 in place, and n1 too\n"
    "\n"
    "    %%explain --lang zh\n"
    "    t = torch.tensor([[1., 2, 3, 4], [5, 6, 7, 8]])\n"
    "    t.sum(dim=0)                   # says: axis 0 collapses -> (4,), one result per column\n"
    "\n"
    "    %%explain --steps\n"
    "    n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "    t1 = torch.from_numpy(n1)\n"
    "    t1[0][0] = 8888                # step 3: t1 and n1 show 8888 in the same box",
    "help.explain.lang": "Language of the explanation (default: TensorMagic.language).",
    "help.explain.max_lines": "Most lines the explanation shows before saying how many more there are (default: "
    "TensorMagic.max_lines).",
    "help.explain.steps": "Show a timeline instead: a slider over the executed lines, and at each step the names, the "
    "tensors and arrays they refer to, and their memory as boxes (views, writes, shared memory, new memory).",
    "help.explain.brief": "Student mode: one line per call with its point, each rule stated once (default: "
    "TensorMagic.detail).",
    "help.explain.topic": "Line form only: a concept card to show, and its settings as options (%%explain cnn "
    "--kernel 5 --stride 2; %%explain cnn --help lists them).",
}

ZH = {
    "help.positionals": "位置参数",
    "help.options": "选项",
    # %tensor
    "help.tensor.description": "标注一个张量或 NumPy 数组：形状、元素类型、设备、内存、共享关系、统计量。\n"
    "\n"
    "示例：\n"
    "\n"
    "    %tensor torch.arange(6).view(2, 3)\n"
    "    %tensor t1 = torch.from_numpy(n1)     # 赋值给 t1，并说明它与 n1 共享内存\n"
    "    %tensor --lang zh --precision 2 t.mean(dim=0)\n"
    "    %tensor                               # 命名空间中所有的张量和数组\n"
    "    %tensor --auto on                     # 自动标注每个单元格返回的张量\n"
    "    %tensor --input-shape 16,2 model      # 模型的每一层，以及每层输出的形状",
    "help.tensor.lang": "这次标注使用的语言（默认：TensorMagic.language）。",
    "help.tensor.no_stats": "不计算统计量（最小值、最大值、平均值、标准差、NaN/Inf/零的个数）。",
    "help.tensor.precision": "数值和统计量显示的小数位数（默认：TensorMagic.precision）。",
    "help.tensor.widget": "打开交互式检查器组件，而不是显示文字。",
    "help.tensor.input_shape": "用于模型（nn.Module）：输入的形状，包含批量维度（如 16,2），"
    "在 meta 设备上试运行一次，求出每一层输出的形状。",
    "help.tensor.auto": "on：自动标注每个单元格返回的张量或数组，不用再写 %%tensor；off：恢复 IPython 自己的输出。",
    "help.tensor.brief": "学生模式：这次标注不显示内存布局那一行，也不显示统计量的说明（默认：TensorMagic.detail）。",
    "help.tensor.expression": "表达式，或 变量名 = 表达式。省略时列出命名空间中所有的张量和数组，按共享内存分组。",
    # %explain / %%explain
    "help.explain.description": "%%explain：像 IPython 平常那样运行单元格，然后讲解其中的每一次 torch 调用。\n"
    "\n"
    "``%explain 主题``（单行形式）则显示一张概念卡片；单独写 ``%explain`` 会列出所有卡片。每张卡片的控件\n"
    "也都是选项，所以在终端里可以用键盘修改：``%explain cnn --kernel 5 --stride 2``\n"
    "（``%explain cnn --help`` 列出这张卡片的选项）。用中文写主题名会打开中文卡片，\n"
    "除非已经选定了语言（``--lang``，或在配置文件或 ``%config`` 中设置的 ``TensorMagic.language``）。\n"
    "\n"
    "示例：\n"
    "\n"
    "    %%explain\n"
    "    n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "    t1 = torch.from_numpy(n1)      # 说明：与 n1 共享内存\n"
    "    t1[0][0] = 8888                # 说明：原地修改 t1，n1 也随之改变\n"
    "\n"
    "    %%explain --lang zh\n"
    "    t = torch.tensor([[1., 2, 3, 4], [5, 6, 7, 8]])\n"
    "    t.sum(dim=0)                   # 说明：第 0 轴被压缩 -> (4,)，每列一个结果\n"
    "\n"
    "    %%explain --steps\n"
    "    n1 = np.array([[1, 2, 3], [4, 5, 6]])\n"
    "    t1 = torch.from_numpy(n1)\n"
    "    t1[0][0] = 8888                # 第 3 步：t1 和 n1 在同一个格子里显示 8888",
    "help.explain.lang": "讲解使用的语言（默认：TensorMagic.language）。",
    "help.explain.max_lines": "讲解最多显示的行数，超出时说明还有多少行（默认：TensorMagic.max_lines）。",
    "help.explain.steps": "改为显示一条时间线：用滑块逐行查看执行过的代码，每一步显示各个变量名、它们指向的张量"
    "和数组，以及画成一行行格子的内存（视图、写入、共享内存、新内存）。",
    "help.explain.brief": "学生模式：每次调用只用一行说明要点，每条规则只完整说明一次（默认：TensorMagic.detail）。",
    "help.explain.topic": "仅用于单行形式：要显示的概念卡片，卡片的设置可作为选项（%%explain cnn --kernel 5 "
    "--stride 2；%%explain cnn --help 列出这些选项）。",
}

# Templates like every catalog's (no placeholders here, so the text is as written).
EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
