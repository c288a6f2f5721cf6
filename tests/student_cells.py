"""Forty cells as students of weeks 1-3 write them: tensors, NumPy, views, in-place changes, broadcasting, matmul,
reductions, autograd, losses and a small training loop, with the mistakes students really make.

They run in order in one namespace (a notebook), some raise (a mistake), and every note they produce must be true
(``tests/test_claims.py``) in both languages. Each entry: (what the student is trying, the cell).
"""

from __future__ import annotations

STUDENT_CELLS: list[tuple[str, str]] = [
    # week 1: tensors
    ("a tensor from a list", "scores = torch.tensor([[90, 85.5], [70, 60]])\nscores.dtype"),
    ("integers stay integers", "counts = torch.tensor([3, 1, 4])\ncounts.dtype"),
    ("a float tensor of zeros", "z = torch.zeros(2, 3)\nz.shape"),
    ("explicit dtype", "ids = torch.tensor([1, 2, 3], dtype=torch.int32)"),
    ("a range, end excluded", "r = torch.arange(1, 10, 2)\nr"),
    ("linspace, both ends", "grid = torch.linspace(-1, 1, 5)\ngrid"),
    ("random numbers with a seed", "torch.manual_seed(42)\nnoise = torch.randn(2, 2)"),
    ("uninitialised memory", "buf = torch.empty(3)\nbuf.fill_(0)"),
    ("float to int truncates", "prices = torch.tensor([1.7, -2.5, 3.2])\nwhole = prices.int()\nwhole"),
    ("to float16", "small = prices.half()"),
    ("numpy array to tensor shares memory", "arr = np.arange(6.0)\nt = torch.from_numpy(arr)\nt[0] = 100\narr[0]"),
    ("torch.tensor copies", "copy = torch.tensor(arr)\ncopy[1] = -1\narr[1]"),
    ("tensor to numpy", "back = t.numpy()\nback[2] = 7\nt[2]"),
    ("a copy of a temporary", "indep = torch.from_numpy(arr.copy())\nindep[3] = 0"),
    ("legacy constructor", "legacy = torch.Tensor(arr)\nlegacy.dtype"),
    ("indexing gives a view", "m = torch.arange(12).reshape(3, 4)\nrow = m[1]\nrow[0] = 99\nm"),
    ("fancy indexing copies", "picked = m[[0, 2]]\npicked[0, 0] = -5\nm[0, 0]"),
    ("transpose then view fails", "mt = m.t()\nflat = mt.view(12)"),
    ("reshape copies when it must", "flat = mt.reshape(12)"),
    ("rebinding is not in place", "x = torch.ones(3)\ny = x\nx = x + 10\ny += 1\ny"),
    ("in-place through an alias", "p = torch.zeros(4)\nq = p\nq.add_(1)\np"),
    ("a method that does not change in place", "v = torch.tensor([1.0, -2.0, 3.0])\nv.abs()\nv"),
    # week 1: arithmetic
    ("broadcast a row", "grid2 = torch.ones(3, 4) + torch.arange(4)\ngrid2.shape"),
    ("broadcast fails", "bad = torch.ones(3) * torch.ones(2)"),
    ("int division gives float", "halves = torch.tensor([3, 4]) / 2\nhalves"),
    ("floor division", "floors = torch.tensor([7, -7]) // 2"),
    ("comparison gives bool", "mask = scores > 80\nmask.sum()"),
    ("matrix product", "w = torch.randn(2, 3)\nx_in = torch.randn(4, 2)\nh = x_in @ w\nh.shape"),
    ("matmul shape mistake", "oops = w @ x_in"),
    ("column means", "col_mean = scores.mean(dim=0)"),
    ("row sums keep dims", "row_sum = scores.sum(dim=1, keepdim=True)\nscores / row_sum"),
    ("max with indices", "best, where = scores.max(dim=1)"),
    ("item of a single value", "total = scores.sum().item()\ntotal"),
    ("item of many values", "scores.item()"),
    # weeks 2-3: autograd, losses, training
    (
        "a leaf that requires grad",
        "wgt = torch.tensor([1.0, 2.0], requires_grad=True)\nout = (wgt * 3).sum()\nout.backward()\nwgt.grad",
    ),
    ("changing a leaf in place", "wgt.add_(1)"),
    ("updating under no_grad", "with torch.no_grad():\n    wgt -= 0.1 * wgt.grad\nwgt.grad.zero_()"),
    ("a linear layer", "layer = nn.Linear(3, 2)\nyhat = layer(torch.ones(4, 3))\nyhat.shape"),
    ("a loss", "target = torch.tensor([0, 1, 1, 0])\nloss = nn.functional.cross_entropy(yhat, target)\nloss.item()"),
    (
        "a training loop",
        "model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "X = torch.randn(16, 2)\nY = X.sum(dim=1, keepdim=True)\n"
        "for step in range(5):\n"
        "    pred = model(X)\n"
        "    loss = ((pred - Y) ** 2).mean()\n"
        "    opt.zero_grad()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "loss.item()",
    ),
]
