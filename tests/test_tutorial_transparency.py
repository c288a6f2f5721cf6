"""``%%explain`` is transparent on tutorial-style PyTorch code, not only on the course's own notebooks.

Reviewers run ``%%explain`` over public PyTorch tutorial code and diff it against plain execution; these cells are
written in the spirit of the official tutorials (tensors, autograd, a training loop, data loading, distributions,
indexing, NumPy interop, magics and shell lines inside cells, cells that raise, definitions used by later cells) to
do the same here. Each group of cells becomes a notebook that ``tools/transparency.py`` runs three times, each mode in
its own process from the same seeds: once plainly, once with ``%%explain`` on every cell, once with
``%%explain --steps`` on every cell. After every cell each magic's run must agree with the plain one on stdout (which
holds the displayed last value and tracebacks), stderr (so also no "explanation incomplete" warning), the exception's
type and message, the namespace (tensors with dtype, ``requires_grad`` and
``.grad``; modules' parameters and grads; optimizers' state; arrays) and the torch, NumPy and Python random states.
The explanation itself is a display, captured apart from stdout, and must not be empty of steps where torch ran.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import torch
from notebooks import ROOT, magics_available
from transparency import differences, is_magic_only

WORKER = ROOT / "tools" / "transparency.py"

SETUP = (
    "%load_ext tensormagic\n"
    "%config TensorMagic.language = 'en'\n"
    "import random\n"
    "import numpy as np\n"
    "import torch\n"
    "from torch import nn\n"
)

# Each group: the cells after the set-up cell, run in order in one shell. Cells marked by a leading "# raises" are
# expected to raise when run plainly (the comparison then covers the traceback and the exception's message).
GROUPS: dict[str, list[str]] = {
    "tensors": [
        "data = [[1, 2], [3, 4]]\nx_data = torch.tensor(data)\nx_data",
        "np_array = np.array(data)\nx_np = torch.from_numpy(np_array)\nx_ones = torch.ones_like(x_data)\n"
        "print(f\"Ones Tensor: \\n {x_ones} \\n\")\n"
        "x_rand = torch.rand_like(x_data, dtype=torch.float)\nprint(f\"Random Tensor: \\n {x_rand} \\n\")",
        "shape = (2, 3,)\nrand_tensor = torch.rand(shape)\nones_tensor = torch.ones(shape)\n"
        "zeros_tensor = torch.zeros(shape)\nprint(f\"Random Tensor: \\n {rand_tensor} \\n\")\n"
        "print(f\"Zeros Tensor: \\n {zeros_tensor}\")",
        "tensor = torch.rand(3, 4)\nprint(f\"Shape of tensor: {tensor.shape}\")\n"
        "print(f\"Datatype of tensor: {tensor.dtype}\")\nprint(f\"Device tensor is stored on: {tensor.device}\")",
        "tensor = torch.ones(4, 4)\nprint(f\"First row: {tensor[0]}\")\nprint(f\"First column: {tensor[:, 0]}\")\n"
        "print(f\"Last column: {tensor[..., -1]}\")\ntensor[:,1] = 0\nprint(tensor)",
        "t1 = torch.cat([tensor, tensor, tensor], dim=1)\nprint(t1)\ns1 = torch.stack([tensor, tensor])\ns1.shape",
        "y1 = tensor @ tensor.T\ny2 = tensor.matmul(tensor.T)\ny3 = torch.rand_like(y1)\n"
        "torch.matmul(tensor, tensor.T, out=y3)\nz1 = tensor * tensor\nz2 = tensor.mul(tensor)\n"
        "z3 = torch.rand_like(tensor)\ntorch.mul(tensor, tensor, out=z3)",
        "agg = tensor.sum()\nagg_item = agg.item()\nprint(agg_item, type(agg_item))",
        "print(f\"{tensor} \\n\")\ntensor.add_(5)\nprint(tensor)",
        "t = torch.ones(5)\nprint(f\"t: {t}\")\nn = t.numpy()\nprint(f\"n: {n}\")\nt.add_(1)\nprint(f\"n: {n}\")",
        "n = np.ones(5)\nt = torch.from_numpy(n)\nnp.add(n, 1, out=n)\nprint(f\"t: {t}\")\nprint(f\"n: {n}\")",
        "d = t.to(torch.float64)\nh = t.to(dtype=torch.float16)\ni = t.long()\nprint(d.dtype, h.dtype, i.dtype)\n"
        "d.to('cpu').double().dtype",
        "x = torch.arange(12).reshape(3, 4)\nx.view(4, 3), x.T.contiguous().view(-1)[:5], x.flatten().tolist()",
    ],
    "autograd": [
        "x = torch.ones(5)\ny = torch.zeros(3)\nw = torch.randn(5, 3, requires_grad=True)\n"
        "b = torch.randn(3, requires_grad=True)\nz = torch.matmul(x, w)+b\n"
        "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n"
        "print(f\"Gradient function for z = {z.grad_fn}\")\nprint(f\"Gradient function for loss = {loss.grad_fn}\")",
        "loss.backward()\nprint(w.grad)\nprint(b.grad)",
        "z = torch.matmul(x, w)+b\nprint(z.requires_grad)\nwith torch.no_grad():\n    z = torch.matmul(x, w)+b\n"
        "print(z.requires_grad)",
        "z = torch.matmul(x, w)+b\nz_det = z.detach()\nprint(z_det.requires_grad)",
        "inp = torch.eye(4, 5, requires_grad=True)\nout = (inp+1).pow(2).t()\nout.backward(torch.ones_like(out), "
        "retain_graph=True)\nprint(f\"First call\\n{inp.grad}\")\nout.backward(torch.ones_like(out), "
        "retain_graph=True)\nprint(f\"\\nSecond call\\n{inp.grad}\")\ninp.grad.zero_()\n"
        "out.backward(torch.ones_like(out), retain_graph=True)\n"
        "print(f\"\\nCall after zeroing gradients\\n{inp.grad}\")",
        "a = torch.tensor([2., 3.], requires_grad=True)\nb = torch.tensor([6., 4.], requires_grad=True)\n"
        "Q = 3*a**3 - b**2\nexternal_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)\n"
        "print(9*a**2 == a.grad)\nprint(-2*b == b.grad)",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\nwhile y.data.norm() < 1000:\n    y = y * 2\n"
        "v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)\ny.backward(v)\nx.grad",
        "@torch.no_grad()\ndef doubler(t):\n    return t * 2\nq = doubler(x)\nq.requires_grad",
        "x.requires_grad_(False)\nwith torch.enable_grad():\n    r = x * 3\nr.requires_grad, x.grad is None",
        "# raises\nleaf = torch.ones(3, requires_grad=True)\nleaf.add_(1)",
        "# raises\nbig = torch.arange(6.0)\nbig.item()",
        "g = torch.tensor(2.0, requires_grad=True)\ngy = g ** 3\n"
        "(dg,) = torch.autograd.grad(gy, g, create_graph=True)\n"
        "(d2,) = torch.autograd.grad(dg, g)\nprint(dg.item(), d2.item())",
    ],
    "training": [
        "torch.manual_seed(0)\nX = torch.linspace(-1, 1, 64).unsqueeze(1)\n"
        "Y = 3 * X + 0.5 + 0.1 * torch.randn_like(X)\n"
        "model = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))\nloss_fn = nn.MSELoss()\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\nmodel",
        "for epoch in range(20):\n    pred = model(X)\n    loss = loss_fn(pred, Y)\n    optimizer.zero_grad()\n"
        "    loss.backward()\n    optimizer.step()\n    if epoch % 5 == 0:\n"
        "        print(f\"epoch {epoch}: loss {loss.item():>7f}\")",
        "class NeuralNetwork(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.flatten = nn.Flatten()\n        self.linear_relu_stack = nn.Sequential(\n"
        "            nn.Linear(4*4, 32),\n            nn.ReLU(),\n            nn.Dropout(0.2),\n"
        "            nn.Linear(32, 3),\n        )\n\n    def forward(self, x):\n        x = self.flatten(x)\n"
        "        logits = self.linear_relu_stack(x)\n        return logits\n\nnet = NeuralNetwork()\nprint(net)",
        "images = torch.rand(10, 4, 4)\nlabels = torch.randint(0, 3, (10,))\nce = nn.CrossEntropyLoss()\n"
        "adam = torch.optim.Adam(net.parameters(), lr=1e-3)\nnet.train()\nfor step in range(5):\n"
        "    logits = net(images)\n    loss = ce(logits, labels)\n    adam.zero_grad()\n    loss.backward()\n"
        "    adam.step()\nprint(f\"loss: {loss.item():.4f}\")",
        "net.eval()\nwith torch.no_grad():\n    pred_probab = nn.Softmax(dim=1)(net(images))\n"
        "y_pred = pred_probab.argmax(1)\ncorrect = (y_pred == labels).type(torch.float).sum().item()\n"
        "print(f\"Predicted class: {y_pred}\")\ncorrect",
        "for name, param in net.named_parameters():\n    print(f\"Layer: {name} | Size: {param.size()} | "
        "Values : {param[:1, :2] if param.dim() > 1 else param[:2]} \\n\")",
        "def train_loop(model, loss_fn, optimizer, xs, ys):\n    model.train()\n    pred = model(xs)\n"
        "    loss = loss_fn(pred, ys)\n    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n"
        "    return loss.item()\n",
        "losses = [train_loop(net, ce, adam, images, labels) for _ in range(3)]\nlen(losses)",
        "torch.save(net.state_dict(), 'weights.pt')\nnet2 = NeuralNetwork()\n"
        "net2.load_state_dict(torch.load('weights.pt', weights_only=True))\nnet2.eval()\n"
        "torch.equal(net2(images), net.eval()(images))",
        "# raises\nbad = nn.Linear(3, 2)\nbad(torch.ones(4, 5))",
    ],
    "data": [
        "from torch.utils.data import DataLoader, TensorDataset\nfeatures = torch.arange(20.0).reshape(10, 2)\n"
        "targets = torch.arange(10)\nds = TensorDataset(features, targets)\nlen(ds), ds[3]",
        "g = torch.Generator().manual_seed(7)\nloader = DataLoader(ds, batch_size=4, shuffle=True, generator=g)\n"
        "for xb, yb in loader:\n    print(xb.shape, yb)",
        "loader2 = DataLoader(ds, batch_size=3, shuffle=True)\nbatches = [yb.tolist() for _, yb in loader2]\n"
        "batches",
        "it = iter(DataLoader(ds, batch_size=5))\nfirst = next(it)\nfirst",
        "def squares(n):\n    for k in range(n):\n        yield torch.tensor(k) ** 2\n\ntotal = sum(squares(5))\n"
        "gen_list = [t.item() for t in squares(4)]\nprint(total, gen_list)",
        "from torch.distributions import Normal, Categorical\nm = Normal(torch.tensor([0.0]), torch.tensor([1.0]))\n"
        "s = m.sample()\nlp = m.log_prob(s)\nc = Categorical(probs=torch.tensor([0.25, 0.25, 0.5]))\n"
        "draws = c.sample((6,))\nprint(s, lp, draws)",
        "torch.manual_seed(42)\nr1 = torch.rand(2)\nrs = random.random()\nnr = np.random.rand(3)\n"
        "perm = torch.randperm(5)\nprint(r1, rs, nr, perm)",
        "noise = torch.randn(3)\nrand_py = random.random()\nrand_np = np.random.rand(2)\n"
        "drop = nn.functional.dropout(torch.ones(8), p=0.5)\n(noise, rand_py, rand_np, drop)",
        "samples = torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, replacement=True)\n"
        "bern = torch.bernoulli(torch.full((4,), 0.5))\nnormal_ = torch.empty(3).normal_()\n"
        "uni = torch.empty(3).uniform_(-1, 1)\nsamples, bern, normal_, uni",
    ],
    "indexing": [
        "A = torch.randn(2, 3)\nB = torch.randn(3, 4)\nC = torch.einsum('ij,jk->ik', A, B)\n"
        "torch.allclose(C, A @ B), torch.einsum('ii', torch.eye(3))",
        "src = torch.arange(1, 11).reshape(2, 5)\nidx = torch.tensor([[0, 1, 2, 0]])\n"
        "scat = torch.zeros(3, 5, dtype=src.dtype).scatter_(0, idx, src)\nscat",
        "gat = torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]]))\n"
        "wh = torch.where(A > 0, A, torch.zeros_like(A))\ngat, wh",
        "vals, order = torch.sort(torch.tensor([3.0, 1.0, 2.0]), descending=True)\n"
        "top = torch.topk(torch.arange(10.0), 3)\nam = A.argmax()\nam_dim = A.argmax(dim=1)\n"
        "print(vals, order, top.values, top.indices, am, am_dim)",
        "cl = torch.linspace(-2, 2, 5)\ncl.clamp_(min=-1, max=1)\nmf = cl.masked_fill(cl < 0, 0.0)\n"
        "sel = cl[cl > 0]\ncl[cl == 0] = 9\ncl, mf, sel",
        "acc = torch.zeros(3)\nacc.index_add_(0, torch.tensor([0, 2, 0]), torch.tensor([1.0, 2.0, 3.0]))\n"
        "fancy = torch.arange(12).reshape(3, 4)[[0, 2], 1:]\nacc, fancy",
        "u = torch.arange(6)\nchunks = torch.chunk(u, 3)\nsplits = u.split([2, 4])\nuq = torch.unique(torch.tensor("
        "[3, 1, 3, 2]))\nnz = torch.nonzero(u % 2 == 0)\nchunks, splits, uq, nz.squeeze(1)",
        "# raises\ntorch.ones(2, 3) @ torch.ones(2, 3)",
        "# raises\ntorch.cat([torch.ones(2, 3), torch.ones(2, 4)], dim=0)",
        "# raises\ntorch.tensor([1, 2, 3]).view(2, 2)",
    ],
    "magics": [
        "%time w = torch.randn(100, 100) @ torch.randn(100, 100)\nw.shape",
        "!echo hello from the shell\nv = torch.ones(2) * 3\nprint(v)",
        "files = !echo a b\nrs2 = torch.rand(1)\nfiles",
        "%%explain\n%%time\nm2 = torch.randn(50, 50).sum()",
        "def helper(t):\n    return t.relu() + 1\n\nclass Scale(nn.Module):\n    def __init__(self, k):\n"
        "        super().__init__()\n        self.k = nn.Parameter(torch.tensor(float(k)))\n"
        "    def forward(self, x):\n        return helper(x) * self.k\n",
        "sc = Scale(2)\nout = sc(torch.tensor([-1.0, 2.0]))\nout.sum().backward()\nprint(out, sc.k.grad)",
        "# raises\ndef inner(t):\n    return t.view(5)\n\ndef outer(t):\n    return inner(t) + 1\n\n"
        "outer(torch.ones(2, 3))",
        "print('to stderr soon')\nimport sys\nprint('warn', file=sys.stderr)\nq = torch.zeros(2)\nq;",
        "import warnings\nwarnings.warn('careful')\nwt = torch.tensor([1.0])\nwt",
        "lam = lambda t: t * 2\nlam_out = list(map(lam, [torch.ones(1), torch.zeros(1)]))\n"
        "dict_comp = {k: torch.full((1,), k) for k in range(3)}\nlam_out, dict_comp",
        "# raises\nraise ValueError('plain python error')",
        "# raises\nundefined_name + torch.ones(1)",
        "# raises\nsyntax error here(",
        "x_last = torch.arange(3)\nx_last\n# a trailing comment",
    ],
    "warnings": [
        "leaf_w = torch.ones(2, requires_grad=True)\nnon_leaf = leaf_w * 2\nnon_leaf.sum().backward()\n"
        "print(non_leaf.grad)",
        "copied = torch.tensor(torch.arange(3))\ncopied",
        "sm = nn.functional.softmax(torch.tensor([[1.0, 2.0]]))\nsm",
        "frozen = np.arange(3.0)\nfrozen.setflags(write=False)\nfrom_frozen = torch.from_numpy(frozen)\nfrom_frozen",
        "rng_range = torch.range(0, 3)\nrng_range",
        "import warnings\nwith warnings.catch_warnings(record=True) as caught:\n    warnings.simplefilter('always')\n"
        "    torch.tensor(torch.ones(1))\nlen(caught), str(caught[0].message)[:30]",
        "# raises\nneeds = torch.ones(2, requires_grad=True)\nneeds.numpy()",
        "# raises\nf\"{torch.ones(2):.2f}\"",
        "scalar = torch.tensor(3.14159)\nprint(f\"{scalar:.2f} {scalar.item():.3f}\")",
        "empty = torch.empty(0)\nprint(empty.shape, empty.numel(), empty.sum())",
        "# raises\ntorch.empty(0).max()",
        "inf_nan = torch.tensor([1.0, -1.0, 0.0]) / 0\nlog_neg = torch.log(torch.tensor(-1.0))\ninf_nan, log_neg",
        "torch.set_printoptions(precision=2)\nprint(torch.tensor([1.23456, 2.34567]))\n"
        "torch.set_printoptions(profile='default')",
        "torch.set_default_dtype(torch.float64)\nd64 = torch.tensor([1.0])\n"
        "torch.set_default_dtype(torch.float32)\nd64.dtype",
        "big_t = torch.randn(300, 300)\nprint(big_t.mean().item() < 1)\nbig_t",
    ],
    "advanced": [
        "class LegendrePolynomial3(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, input):\n"
        "        ctx.save_for_backward(input)\n        return 0.5 * (5 * input ** 3 - 3 * input)\n\n"
        "    @staticmethod\n    def backward(ctx, grad_output):\n        input, = ctx.saved_tensors\n"
        "        return grad_output * 1.5 * (5 * input ** 2 - 1)\n",
        "P3 = LegendrePolynomial3.apply\nxs = torch.linspace(-1, 1, 5, requires_grad=True)\nys = P3(xs)\n"
        "ys.sum().backward()\nxs.grad",
        "seen = []\nhv = torch.ones(3, requires_grad=True)\n"
        "handle = hv.register_hook(lambda g: seen.append(g.clone()))\n"
        "(hv * 4).sum().backward()\nhandle.remove()\nseen",
        "lin = nn.Linear(2, 2)\nacts = []\nh = lin.register_forward_hook(lambda m, i, o: acts.append(o.shape))\n"
        "lin(torch.ones(1, 2))\nh.remove()\nacts",
        "import inspect\ndef described(t):\n    \"\"\"Doubles.\"\"\"\n    return t * 2\n"
        "src_lines = inspect.getsource(described).splitlines()\nsrc_lines",
        "def main():\n    t = torch.ones(2)\n    print('main ran', t.sum())\n\nif __name__ == '__main__':\n    main()",
        "counter = 0\ndef bump(t):\n    global counter\n    counter += 1\n    return t + counter\n"
        "bumped = [bump(torch.zeros(1)) for _ in range(3)]\ncounter, bumped",
        "import asyncio\nawait asyncio.sleep(0)\nasync_t = torch.ones(1) * 5\nasync_t",
        "sp = torch.sparse_coo_tensor(torch.tensor([[0, 1], [1, 0]]), torch.tensor([3.0, 4.0]), (2, 2))\n"
        "dense = sp.to_dense()\nsp_sum = torch.sparse.sum(sp)\ndense, sp_sum",
        "cplx = torch.tensor([1 + 2j, 3 - 1j])\nspec = torch.fft.fft(torch.ones(4))\ncplx.abs(), spec",
        "with torch.inference_mode():\n    inf_t = torch.ones(2) * 2\ninf_t.is_inference()",
        "metat = torch.ones(2, 3, device='meta')\nmeta_out = metat @ torch.ones(3, 4, device='meta')\nmeta_out.shape",
        "rows = [row.sum().item() for row in torch.arange(6.0).reshape(3, 2)]\nlength = len(torch.ones(4, 2))\n"
        "rows, length",
        "ip_count = get_ipython().execution_count\nip_count",
        "from IPython.display import display\ndisplay(torch.ones(2))\nshown = 1",
        "prev = _\nprev",
        "del rows\n'rows' in dir()",
        "gen = np.random.default_rng(0)\nnp_draw = gen.standard_normal(2)\nrandom.seed(3)\npy_draw = random.random()\n"
        "torch_from_np = torch.as_tensor(np_draw)\nnp_draw, py_draw, torch_from_np.dtype",
        "state = torch.get_rng_state()\na1 = torch.rand(2)\ntorch.set_rng_state(state)\na2 = torch.rand(2)\n"
        "torch.equal(a1, a2)",
        "print('no newline at the end', end='')\nz_end = torch.zeros(1)",
        "# raises\ndef gen_fail():\n    yield torch.ones(1)\n    raise KeyError('inside a generator')\n"
        "list(gen_fail())",
    ],
    "extending": [
        "class ScalarTensor(object):\n    def __init__(self, N, value):\n        self._N = N\n"
        "        self._value = value\n    def __repr__(self):\n"
        "        return f'ScalarTensor(N={self._N}, value={self._value})'\n    def tensor(self):\n"
        "        return self._value * torch.eye(self._N)\n    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        if kwargs is None:\n"
        "            kwargs = {}\n        if func is torch.mean:\n"
        "            return float(args[0]._value) / args[0]._N\n        return NotImplemented\n"
        "d = ScalarTensor(5, 2)\nprint(torch.mean(d))",
        "class LoggingTensor(torch.Tensor):\n    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        if func is torch.add:\n"
        "            print('add called')\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n"
        "lt = torch.ones(2).as_subclass(LoggingTensor)\nlt2 = torch.add(lt, 1)\nprint(type(lt2).__name__, lt2)",
        "import torch.fx\nclass M(nn.Module):\n    def forward(self, x):\n        return torch.relu(x) + 1\n"
        "gm = torch.fx.symbolic_trace(M())\nprint(gm.code)",
        "def f(x):\n    return torch.sin(x) ** 2\ntraced = torch.jit.trace(f, torch.ones(3))\nprint(traced.graph)",
        "from torch.func import vmap, grad\nper = vmap(torch.dot)(torch.ones(3, 2), torch.ones(3, 2))\n"
        "gs = grad(lambda x: (x ** 2).sum())(torch.ones(3))\nper, gs",
        "from torch.utils.data import DataLoader, TensorDataset\nif True:\n"
        "    dl = DataLoader(TensorDataset(torch.arange(8.0)), batch_size=4, num_workers=2)\n"
        "    outs = [b[0].sum().item() for b in dl]\nouts",
        "cfn = torch.compile(lambda x: x.sin() + 1, backend='eager')\ncfn(torch.zeros(2))",
        "ok = torch.autograd.gradcheck(lambda x: x.sin(), torch.ones(2, dtype=torch.float64, requires_grad=True))\nok",
        "import torch.nn.utils.parametrize as P\nclass Sym(nn.Module):\n    def forward(self, X):\n"
        "        return X.triu() + X.triu(1).transpose(-1, -2)\nlayer = nn.Linear(3, 3)\n"
        "P.register_parametrization(layer, 'weight', Sym())\ntorch.equal(layer.weight, layer.weight.T)",
        "q = torch.ao.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 4)), {nn.Linear}, dtype=torch.qint8)\n"
        "q(torch.ones(1, 4)).shape",
        "with torch.autograd.profiler.record_function('x'):\n    rr = torch.ones(2) + 1\nrr",
        "nt = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])\nnt.is_nested",
    ],
    "session": [
        "torch.manual_seed(0)",
        "gen_default = torch.random.default_generator\ntype(gen_default).__name__, torch.initial_seed()",
        "torch.manual_seed(5)\nfrom torch.random import default_generator\n"
        "drawn = torch.rand(2, generator=default_generator)\ndrawn",
        "# raises\nerr_t = torch.ones(2)\nerr_t.view(3)",
        "%tb",
        "%who",
        "get_ipython().run_cell('nested_t = torch.arange(2)\\nnested_t')\nnested_t * 2",
        "# raises\nraise SystemExit(3)",
        "class Tiny(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 1)\n"
        "    def forward(self, x):\n        return self.fc(x).squeeze(-1)\ntiny = Tiny()\n"
        "opt = torch.optim.SGD(tiny.parameters(), lr=0.1, momentum=0.9)\n"
        "sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)\nfor _ in range(3):\n"
        "    opt.zero_grad()\n    nn.functional.mse_loss(tiny(torch.ones(4, 2)), torch.zeros(4)).backward()\n"
        "    opt.step()\n    sched.step()\nsched.get_last_lr(), tiny",
        "torch.nn.utils.clip_grad_norm_(tiny.parameters(), max_norm=0.01)",
        "tiny.fc.weight.data.fill_(0.5)\nwith torch.no_grad():\n    tiny.fc.bias.copy_(torch.tensor([1.0]))\n"
        "tiny.state_dict()",
        "emb = nn.Embedding(10, 3)\nlookup = emb(torch.tensor([[1, 2], [3, 4]]))\n"
        "lstm = nn.LSTM(3, 4, batch_first=True)\n"
        "out_seq, (h_n, c_n) = lstm(lookup)\nconv = nn.Conv2d(1, 2, 3)\n"
        "pool = nn.MaxPool2d(2)\n"
        "feat = pool(conv(torch.randn(1, 1, 6, 6)))\nbn = nn.BatchNorm1d(3)\nnormed = bn(torch.randn(4, 3))\n"
        "out_seq.shape, feat.shape, normed.shape",
        "onehot = nn.functional.one_hot(torch.tensor([0, 2]), 3)\nlin_interp = torch.lerp(torch.zeros(2), "
        "torch.ones(2), 0.3)\ncum = torch.cumsum(torch.arange(4), 0)\nonehot, lin_interp, cum",
    ],
    "modes": [
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nxs_plot = torch.linspace(0, 1, 5)\n"
        "fig, ax = plt.subplots()\nlines = ax.plot(xs_plot, xs_plot ** 2)\nax.set_title(f'max {xs_plot.max():.1f}')\n"
        "as_np = np.asarray(xs_plot)\nplt.close(fig)\nas_np",
        "from torch.overrides import TorchFunctionMode\nclass LoggingMode(TorchFunctionMode):\n"
        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
        "        print('called', func.__name__)\n        return func(*args, **(kwargs or {}))\nwith LoggingMode():\n"
        "    lm = torch.ones(2) + 1\nlm",
        "from torch.utils.flop_counter import FlopCounterMode\nfc = FlopCounterMode(display=False)\nwith fc:\n"
        "    torch.ones(4, 4) @ torch.ones(4, 4)\nfc.get_total_flops()",
        "from torch.utils._python_dispatch import TorchDispatchMode\nclass PrintDispatch(TorchDispatchMode):\n"
        "    def __torch_dispatch__(self, func, types, args=(), kwargs=None):\n        print('aten', func)\n"
        "        return func(*args, **(kwargs or {}))\nwith PrintDispatch():\n    pd = torch.ones(2) * 3\npd",
        "def pack(t):\n    print('pack', t.shape)\n    return t\n"
        "with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):\n"
        "    sx = torch.ones(2, requires_grad=True)\n    sy = (sx * sx).sum()\nsy.backward()\nsx.grad",
        "import threading\nres_th = []\nth = threading.Thread(target=lambda: res_th.append(torch.ones(2).sum()))\n"
        "th.start(); th.join()\nres_th",
        "def rec(n, t):\n    return t if n == 0 else rec(n - 1, t + 1)\nimport sys\n"
        "rr = rec(sys.getrecursionlimit() - 60, torch.zeros(1))\nrr",
    ],
}


def write_notebooks(base: Path) -> list[Path]:
    paths = []
    for name, cells in GROUPS.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(SETUP)] + [nbformat.v4.new_code_cell(c) for c in cells]
        folder = base / name  # each group its own working directory (one cell saves a file)
        folder.mkdir(parents=True)
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


MODES = ("plain", "explain", "steps")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list, ...]]:
    """Every group run plainly, under %%explain and under %%explain --steps: three processes side by side."""
    if not magics_available()["%%explain"]:
        pytest.skip("tensormagic does not provide the %%explain cell magic")
    base = tmp_path_factory.mktemp("tutorials")
    notebooks = write_notebooks(base / "nb")
    procs = {
        mode: subprocess.Popen(
            [sys.executable, str(WORKER), "--mode", mode, "--out", str(base / mode), *map(str, notebooks)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for mode in MODES
    }
    for mode, proc in procs.items():
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"the {mode} run crashed:\n{output[-4000:]}"
    return {
        name: tuple(torch.load(base / mode / f"{i}.pt", weights_only=False) for mode in MODES)
        for i, name in enumerate(GROUPS)
    }


@pytest.mark.parametrize("group", list(GROUPS))
def test_tutorial_cells_are_transparent(group: str, runs: dict[str, tuple[list, ...]]) -> None:
    plain, explained, _ = runs[group]
    assert len(plain) == len(GROUPS[group]) + 1
    assert all(r["explained"] for r in explained[1:] if not is_magic_only(r["source"])), \
        "every cell but the set-up and those of magics only (%tb, %who) runs under %%explain"
    problems = differences(plain, explained)
    assert not problems, "\n\n".join(problems)
    # Every cell that ran to the end got its explanation (a display, captured apart from stdout).
    unexplained = [p["index"] for p, e in zip(plain, explained, strict=True)
                   if e["explained"] and not e["error"] and e["displays"] <= p["displays"]]
    assert not unexplained, f"cells without an explanation: {unexplained}"
    # The plain run must do what the cells say, or the comparison proves little: exactly the "# raises" cells raise.
    raised = [r["index"] for r in plain if r["error"]]
    expected = [i + 1 for i, c in enumerate(GROUPS[group]) if c.startswith("# raises")]
    assert raised == expected, [(r["index"], r["error"], r["message"]) for r in plain if r["error"]]


@pytest.mark.parametrize("group", list(GROUPS))
def test_tutorial_cells_are_transparent_under_steps(group: str, runs: dict[str, tuple[list, ...]]) -> None:
    """``%%explain --steps`` (the line tracer) changes nothing either; every cell that ran shows its timeline."""
    plain, _, stepped = runs[group]
    problems = differences(plain, stepped)
    assert not problems, "\n\n".join(problems)
    unshown = [p["index"] for p, s in zip(plain, stepped, strict=True)
               if s["explained"] and not s["error"] and s["displays"] <= p["displays"]]
    assert not unshown, f"cells without a timeline: {unshown}"


def test_trailing_semicolon_hides_the_value(shell: object) -> None:
    """IPython's display hook looked at the outer ``%%explain`` cell, so ``q;`` printed ``Out[N]`` under it."""
    from IPython.utils.capture import capture_output

    with capture_output() as plain:
        shell.run_cell("q = torch.zeros(2)\nq;", store_history=True)  # type: ignore[attr-defined]
    with capture_output() as explained:
        shell.run_cell("%%explain\nq = torch.zeros(2)\nq;", store_history=True)  # type: ignore[attr-defined]
    assert plain.stdout == explained.stdout == ""
    with capture_output() as shown:
        shell.run_cell("%%explain\nq", store_history=True)  # type: ignore[attr-defined]
    assert "Out[" in shown.stdout


def test_traceback_names_the_cell_as_plain_execution_does(shell: object) -> None:
    """The inner ``run_cell`` ran after the outer one advanced the count: tracebacks said ``In[N+1]``."""
    from IPython.utils.capture import capture_output

    for source in ("torch.ones(2).view(3)", "%%explain\ntorch.ones(2).view(3)"):
        count = shell.execution_count  # type: ignore[attr-defined]
        with capture_output() as out:
            shell.run_cell(source, store_history=True)  # type: ignore[attr-defined]
        assert f"In[{count}]" in out.stdout, out.stdout


KERNEL_CELLS = [
    "torch.manual_seed(1)\nq = torch.zeros(2)\nq;",
    "q * 2",
    "# raises\ntorch.ones(2).view(3)",
    "print(get_ipython().execution_count, torch.rand(1))",
]


def _kernel_outputs(explain: bool, cells: list[str]) -> list[tuple[Any, list[tuple[Any, ...]]]]:
    """Each cell's execution count and outputs (explanations left out) from a real ipykernel, as Jupyter runs it."""
    from nbclient import NotebookClient
    from notebooks import KERNEL_NAME

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext tensormagic\nimport torch")] + [
        nbformat.v4.new_code_cell(("%%explain\n" if explain else "") + c) for c in cells]
    NotebookClient(nb, kernel_name=KERNEL_NAME, allow_errors=True, timeout=120).execute()
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    result = []
    for cell in nb.cells[1:]:
        outs: list[tuple[Any, ...]] = []
        for o in cell.outputs:
            if o.output_type == "display_data":
                continue
            if o.output_type == "error":
                outs.append(("error", o.ename, o.evalue, ansi.sub("", "\n".join(o.traceback))))
            else:
                outs.append((o.output_type, o.get("execution_count"), o.get("text") or o.get("data", {})))
        result.append((cell.execution_count, outs))
    return result


def test_in_a_real_kernel() -> None:
    """In ipykernel too: ``q;`` shows nothing, tracebacks say ``In[N]``, execution counts and draws agree."""
    if not magics_available()["%%explain"]:
        pytest.skip("tensormagic does not provide the %%explain cell magic")
    assert _kernel_outputs(False, KERNEL_CELLS) == _kernel_outputs(True, KERNEL_CELLS)
