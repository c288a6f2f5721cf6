"""Texts of the concept cards (``card.*``) and the tensor inspector (``inspector.*``).

Each card keeps its title, its teaching points (one per line) and the sentences that carry its measured
numbers; ``tests/test_cards.py`` recomputes every number and checks every claim these sentences make.
Chinese follows the wording of the course notes (感知机, 卷积核, 权值共享, 梯度消失, 自注意力, 重构误差); in
Chinese text, code keeps its ASCII punctuation and the prose around it is full-width.

Templates are :class:`~tensormagic.i18n.forms.Template` strings: an integer value may choose its singular or
plural form, ``{count:# step|# steps}`` (``#`` is the number), as in every catalog.
"""

from .forms import Template

EN: dict[str, str] = {}
ZH: dict[str, str] = {}

# -- shared -------------------------------------------------------------------------------------------
EN.update({
    "card.common.keyboard": "Settings, from the keyboard — this line shows the card as it is now; change a value "
    "and run it:",
    "card.common.code_option": "the example's code, statements separated by ;",
    "card.common.widget_hint": "Change a control: the card runs its torch code again and shows the new numbers.",
    "card.common.figure": "{caption}:",
    "card.common.separator": ", ",
    "card.common.options_title": "settings of this card",
    "card.common.group.models": "Model families",
    "card.common.group.tensors": "Tensor topics, with a live example",
    "card.common.group.training": "Training: autograd and the training loop",
    "card.common.topics_title": "Concept cards — open one with %explain TOPIC (or tensormagic.card('TOPIC')):",
    "card.common.unknown": "No card named {topic!r}.",
    "card.common.did_you_mean": "Did you mean: {names}?",
    "card.common.all_topics": "Topics: {names}",
    "card.common.run": "Run",
    "card.common.code": "Code",
    "card.common.edit_hint": "Edit the code and press Run (or click outside the box). It runs in a private "
    "namespace that holds only torch and np, and the global random generator is restored afterwards: your own "
    "variables and random numbers are not touched.",
    "card.common.no_results": "(the code assigned no variables)",
    "card.common.error": "Error: {error}",
    "card.common.forbidden": "not allowed in a card example: {what}",
    "card.common.printed": "printed: {text}",
    "card.common.value_line": "{name}: {kind} {shape} {dtype}",
    "card.common.expression": "last expression →",
})
ZH.update({
    "card.common.keyboard": "用键盘修改设置 —— 下面这一行就是当前的卡片；改一个值再运行：",
    "card.common.code_option": "示例代码，语句之间用“;”分隔",
    "card.common.widget_hint": "改动一个控件：卡片会重新运行它的 torch 代码，并显示新的数值。",
    "card.common.figure": "{caption}：",
    "card.common.separator": "，",
    "card.common.options_title": "这张卡片的设置",
    "card.common.group.models": "模型家族",
    "card.common.group.tensors": "张量主题（带可编辑的示例）",
    "card.common.group.training": "训练：自动求导与训练循环",
    "card.common.topics_title": "概念卡片 —— 用 %explain 主题（或 tensormagic.card('主题')）打开：",
    "card.common.unknown": "没有名为 {topic!r} 的卡片。",
    "card.common.did_you_mean": "你是不是想找：{names}？",
    "card.common.all_topics": "全部主题：{names}",
    "card.common.run": "运行",
    "card.common.code": "代码",
    "card.common.edit_hint": "修改代码后点击“运行”（或点击输入框外部）。代码在一个只含 torch 和 np 的私有命名空间中执行，"
    "执行后全局随机数生成器会被恢复：不会改动你自己的变量和随机数。",
    "card.common.no_results": "（这段代码没有给任何变量赋值）",
    "card.common.error": "出错：{error}",
    "card.common.forbidden": "卡片示例中不允许：{what}",
    "card.common.printed": "打印输出：{text}",
    "card.common.value_line": "{name}: {kind} {shape} {dtype}",
    "card.common.expression": "最后一个表达式 →",
})

# -- cnn ----------------------------------------------------------------------------------------------
EN.update({
    "card.cnn.title": "CNN — convolutional neural network",
    "card.cnn.points": "A convolution kernel is a small grid of weights that slides over the image; at every position "
    "it computes one weighted sum of the window under it, over all input channels, plus a bias (the local "
    "receptive field).\n"
    "The same kernel is used at every position (weight sharing), so the number of parameters does not depend on "
    "the image size.\n"
    "Max pooling keeps the largest value of each window and shrinks the feature map (average pooling keeps the "
    "mean instead); the next layers see a wider area of the image through fewer numbers.\n"
    "A real nn.Conv2d is built and run for the settings shown here, and the edge detection below is a real "
    "convolution too.",
    "card.cnn.control.size": "input size",
    "card.cnn.control.channels": "in channels",
    "card.cnn.control.kernel": "kernel size",
    "card.cnn.control.stride": "stride",
    "card.cnn.control.padding": "padding",
    "card.cnn.input": "Input {shape} (batch, channels, height, width) → nn.Conv2d({channels}, {out}, "
    "kernel_size={kernel}, stride={stride}, padding={padding})",
    "card.cnn.output": "Output shape: {shape}",
    "card.cnn.formula_same": "Formula for each side: ⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {side}, "
    "the size nn.Conv2d returned",
    "card.cnn.formula_differs": "Formula for each side: ⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = "
    "{side}; nn.Conv2d returned {real}",
    "card.cnn.too_small": "No output: the kernel ({kernel}) is larger than the padded input ({padded}), and "
    "nn.Conv2d refuses it; lower the kernel size or add padding.",
    "card.cnn.conv_params": "Conv layer parameters: {out}×{channels}×{kernel}×{kernel} weights + {out} biases "
    "= {count:,}",
    "card.cnn.dense_params": "A fully connected layer from the same {inputs:,} inputs to the same {outputs:,} outputs "
    "would need {count:,} parameters: {ratio} times as many.",
    "card.cnn.sharing": "Weight sharing: the conv layer uses the same kernels at "
    "{positions:its single output position|all # output positions} instead of learning weights for each.",
    "card.cnn.feature": "Edge detection: the {image} picture below, through a 3×3 Sobel kernel, gives a {feature} "
    "feature map with values from {low} to {high}. They are negative where the brightness rises from left to right "
    "(the left sides of the square and of the bar), positive where it falls (their right sides), and 0 on flat "
    "areas and along the top and bottom edges: this kernel sees vertical edges only. The strongest responses "
    "(±{peak}) are the square's left and right sides.",
    "card.cnn.relu": "ReLU keeps the positive values and sets the {negatives:# negative one|# negative ones} to 0: "
    "the left sides (dark→bright) of the square and of the bar are gone.",
    "card.cnn.pool": "Max pooling 2×2 then keeps the largest value of each 2×2 window: {feature} → {pooled}, "
    "{before:,} numbers → {after:,}. What survives is the right sides only, the square's (up to {square}) and the "
    "bar's (up to {bar}); every left side is 0.",
    "card.cnn.flipped": "The same kernel with its sign flipped would keep the left sides instead (up to {square} and "
    "{bar}): a CNN learns many kernels, and each keeps what it responds to.",
    "card.cnn.fig.image": "input picture (built in code)",
    "card.cnn.fig.image_text": "input picture, built in code (@ = 1, + = 0.5, blank = 0)",
    "card.cnn.fig.feature": "feature map (left to right): orange = dark→bright edge, blue = bright→dark",
    "card.cnn.fig.feature_text": "feature map, left to right (- below −{half}: dark→bright, + above {half}: "
    "bright→dark, \",\" weaker but not 0, · 0)",
    "card.cnn.fig.pooled": "after ReLU and 2×2 max pooling",
    "card.cnn.fig.pooled_text": "after ReLU and 2×2 max pooling (blank = 0 … @ = {high})",
})
ZH.update({
    "card.cnn.title": "CNN —— 卷积神经网络",
    "card.cnn.points": "卷积核是一小块权重，在图像上滑动；每到一个位置，就对它下面的窗口在所有输入通道上做一次加权求和，"
    "再加上偏置（局部感受野）。\n"
    "同一个卷积核在所有位置重复使用（权值共享），所以参数个数与图像大小无关。\n"
    "最大池化在每个窗口里保留最大的值并缩小特征图（平均池化保留的是平均值）；后面的层用更少的数看到图像中更大的范围。\n"
    "按这里显示的设置，会真实地创建并运行一个 nn.Conv2d；下面的边缘检测也是一次真实的卷积。",
    "card.cnn.control.size": "输入尺寸",
    "card.cnn.control.channels": "输入通道数",
    "card.cnn.control.kernel": "卷积核大小",
    "card.cnn.control.stride": "步长",
    "card.cnn.control.padding": "填充",
    "card.cnn.input": "输入 {shape}（批量，通道，高，宽）→ nn.Conv2d({channels}, {out}, kernel_size={kernel}, "
    "stride={stride}, padding={padding})",
    "card.cnn.output": "输出形状：{shape}",
    "card.cnn.formula_same": "每条边的公式：⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {side}，"
    "与 nn.Conv2d 实际返回的大小一致",
    "card.cnn.formula_differs": "每条边的公式：⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {side}；"
    "nn.Conv2d 实际返回 {real}",
    "card.cnn.too_small": "没有输出：卷积核（{kernel}）比填充后的输入（{padded}）还大，nn.Conv2d 会拒绝；"
    "请减小卷积核或增加填充。",
    "card.cnn.conv_params": "卷积层参数：{out}×{channels}×{kernel}×{kernel} 个权重 + {out} 个偏置 = {count:,}",
    "card.cnn.dense_params": "如果用全连接层，把同样的 {inputs:,} 个输入映射到同样的 {outputs:,} 个输出，"
    "需要 {count:,} 个参数：是卷积层的 {ratio} 倍。",
    "card.cnn.sharing": "权值共享：卷积层在{positions:唯一一个输出位置|全部 # 个输出位置}上使用同一组卷积核，"
    "而不是为每个位置单独学习权重。",
    "card.cnn.feature": "边缘检测：下面这幅 {image} 的图片经过 3×3 Sobel 卷积核，得到 {feature} 的特征图，"
    "数值从 {low} 到 {high}。从左到右由暗变亮的地方（正方形和竖条的左边）为负，由亮变暗的地方（它们的右边）为正，"
    "平坦区域以及上下两条水平边缘上为 0：这个卷积核只对竖直边缘有响应。最强的响应（±{peak}）在正方形的左右两边。",
    "card.cnn.relu": "ReLU 保留正值，把 {negatives} 个负值变成 0：正方形和竖条由暗变亮的左边都消失了。",
    "card.cnn.pool": "接着做 2×2 最大池化，在每个 2×2 窗口里保留最大值：{feature} → {pooled}，"
    "{before:,} 个数 → {after:,} 个数。保留下来的只有右边：正方形的（最大 {square}）和竖条的（最大 {bar}）；"
    "左边全部为 0。",
    "card.cnn.flipped": "把同一个卷积核取相反数，保留下来的就会是左边（最大 {square} 和 {bar}）："
    "CNN 会学习许多个卷积核，每个卷积核保留它自己响应的特征。",
    "card.cnn.fig.image": "输入图片（用代码生成）",
    "card.cnn.fig.image_text": "输入图片，用代码生成（@ = 1，+ = 0.5，空白 = 0）",
    "card.cnn.fig.feature": "特征图（从左到右）：橙色 = 由暗变亮的边缘，蓝色 = 由亮变暗",
    "card.cnn.fig.feature_text": "特征图，从左到右（- 小于 −{half}：由暗变亮，+ 大于 {half}：由亮变暗，"
    "“,”较弱但不为 0，· 为 0）",
    "card.cnn.fig.pooled": "ReLU 和 2×2 最大池化之后",
    "card.cnn.fig.pooled_text": "ReLU 和 2×2 最大池化之后（空白 = 0 … @ = {high}）",
})

# -- perceptron / ANN ---------------------------------------------------------------------------------
EN.update({
    "card.perceptron.title": "Perceptron and ANN (multi-layer perceptron)",
    "card.perceptron.points": "A perceptron computes a weighted sum w·x + b and outputs 1 when it is positive: its "
    "decision boundary is one straight line.\n"
    "It can learn any linearly separable problem (AND, OR), but no straight line separates XOR.\n"
    "An ANN (multi-layer perceptron) adds a hidden layer with a non-linear activation between input and output; "
    "the hidden units bend the boundary, so XOR becomes solvable.\n"
    "Both models are trained live on the four points of the data set chosen here.",
    "card.perceptron.control.data": "data set",
    "card.perceptron.data": "Data set {name}: {table}",
    "card.perceptron.perceptron_ok": "Single perceptron (perceptron learning rule, from w = 0, b = 0): epoch {epoch} "
    "was the first without a mistake, so training stopped with w = ({w1}, {w2}), b = {b}; accuracy {accuracy}.",
    "card.perceptron.perceptron_fail": "Single perceptron: epoch {epochs}, the last one, still made "
    "{mistakes:# mistake|# mistakes}. On XOR it never converges: no straight line puts both 1s on one side and both "
    "0s on the other. Accuracy of its final weights: {accuracy}.",
    "card.perceptron.mlp": "MLP 2 → {hidden} (tanh) → 1, trained {steps} steps with Adam (learning rate 0.1): "
    "accuracy {accuracy}, final loss (binary cross-entropy) {loss}.",
    "card.perceptron.why": "Its output layer is linear: the hidden layer has mapped the four points to a new space "
    "where one straight line does separate them — that is what the non-linear transform buys.",
    "card.perceptron.fig.perceptron": "perceptron: one straight boundary (blue region = predicts 1)",
    "card.perceptron.fig.mlp": "MLP with {hidden} hidden units: a bent boundary",
    "card.perceptron.fig.text": "Decision regions over [-0.5, 1.5]² (# predicts 1, · predicts 0, digits are the "
    "data points with their target): perceptron left, MLP with {hidden} hidden units right",
})
ZH.update({
    "card.perceptron.title": "感知机与 ANN（多层感知机）",
    "card.perceptron.points": "感知机计算加权和 w·x + b，结果为正时输出 1：它的决策边界只是一条直线。\n"
    "它能学会任何线性可分的问题（与 AND、或 OR），但没有一条直线能分开异或 XOR。\n"
    "ANN（多层感知机）在输入层和输出层之间加入带非线性激活函数的隐藏层；隐藏单元把边界“掰弯”，XOR 就能解决了。\n"
    "两个模型都会现场在这里所选数据集的四个点上训练。",
    "card.perceptron.control.data": "数据集",
    "card.perceptron.data": "数据集 {name}：{table}",
    "card.perceptron.perceptron_ok": "单个感知机（感知机学习规则，从 w = 0、b = 0 开始）：第 {epoch} 轮第一次没有出错，"
    "训练就此停止，w = ({w1}, {w2})，b = {b}；准确率 {accuracy}。",
    "card.perceptron.perceptron_fail": "单个感知机：最后一轮（第 {epochs} 轮）仍然错了 {mistakes} 次。在 XOR 上它永远不会收敛："
    "没有一条直线能把两个 1 放在一边、两个 0 放在另一边。最终权重的准确率：{accuracy}。",
    "card.perceptron.mlp": "多层感知机 2 → {hidden} (tanh) → 1，用 Adam（学习率 0.1）训练 {steps} 步："
    "准确率 {accuracy}，最终损失（二元交叉熵）{loss}。",
    "card.perceptron.why": "它的输出层是线性的：隐藏层已经把四个点映射到一个新空间，在那里一条直线就能把它们分开 —— "
    "这就是非线性变换的作用。",
    "card.perceptron.fig.perceptron": "感知机：只有一条直线边界（蓝色区域 = 预测为 1）",
    "card.perceptron.fig.mlp": "有 {hidden} 个隐藏单元的多层感知机：弯曲的边界",
    "card.perceptron.fig.text": "[-0.5, 1.5]² 上的决策区域（# 预测为 1，· 预测为 0，数字是数据点及其目标值）："
    "左边是感知机，右边是有 {hidden} 个隐藏单元的多层感知机",
})

# -- rnn ----------------------------------------------------------------------------------------------
EN.update({
    "card.rnn.title": "RNN — recurrent neural network",
    "card.rnn.points": "An RNN reads a sequence one step at a time and carries a hidden state from each step to the "
    "next: h_t = tanh(W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh), starting from h_0 = 0. The same weights are used at "
    "every step.\n"
    "That is why it handles sequences of any length (text, speech, time series) — and why its steps cannot run in "
    "parallel: step t needs h_(t−1).\n"
    "Training sends the gradient backwards through every step; multiplied again and again by W_hh and by tanh's "
    "derivative, it usually shrinks (vanishing gradient) or grows (exploding gradient), so long-range dependencies "
    "are hard to learn.\n"
    "Below, a real nn.RNN (untrained, with PyTorch's default initialisation) runs on a sequence of the length "
    "chosen here, and the gradient is measured.",
    "card.rnn.control.length": "sequence length",
    "card.rnn.shapes": "nn.RNN(input_size={size}, hidden_size={hidden}): input {input} (length, batch, features) → "
    "output {output} (the hidden state of every step) and h_n {last} (layers, batch, hidden: the last step's)",
    "card.rnn.steps": "{length:1 step|# sequential steps, each waiting for the previous one}: {steps}",
    "card.rnn.gradient": "Gradient reaching the first input from the last hidden state: "
    "‖∂(sum of h_{length})/∂x_1‖ = {norm} (with length 1: {first}; ratio {ratio})",
    "card.rnn.table": "Measured gradient norm at step 1, by sequence length: {values}",
    "card.rnn.why": "With these weights, the first inputs of a long sequence barely change its last hidden state, so "
    "they barely change the training signal: this is the vanishing gradient. LSTM and GRU add gates that let the "
    "signal pass through many steps; a Transformer connects every position directly.",
    "card.rnn.fig.gradient": "gradient norm reaching step 1 (log scale) for lengths 1…{longest}; orange = current "
    "length",
})
ZH.update({
    "card.rnn.title": "RNN —— 循环神经网络",
    "card.rnn.points": "RNN 一次读入序列的一个时间步，并把隐藏状态从这一步带到下一步："
    "h_t = tanh(W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh)，从 h_0 = 0 开始。每一步使用同一组权重。\n"
    "所以它能处理任意长度的序列（文本、语音、时间序列）—— 但各步不能并行：第 t 步必须等 h_(t−1)。\n"
    "训练时梯度要反向穿过每一步；一次次乘以 W_hh 和 tanh 的导数后，通常会越来越小（梯度消失）或越来越大（梯度爆炸），"
    "因此很难学到长程依赖。\n"
    "下面，一个真实的 nn.RNN（未经训练，使用 PyTorch 的默认初始化）在这里所选长度的序列上运行，并实际测量梯度。",
    "card.rnn.control.length": "序列长度",
    "card.rnn.shapes": "nn.RNN(input_size={size}, hidden_size={hidden})：输入 {input}（长度，批量，特征）→ "
    "输出 {output}（每一步的隐藏状态）和 h_n {last}（层数，批量，隐藏单元：最后一步的隐藏状态）",
    "card.rnn.steps": "{length:1 个时间步|# 个依次执行的时间步，每一步都要等上一步}：{steps}",
    "card.rnn.gradient": "从最后一个隐藏状态传回第一个输入的梯度：‖∂(Σh_{length})/∂x_1‖ = {norm}"
    "（Σh_{length} 是 h_{length} 各元素之和；长度为 1 时：{first}；比值 {ratio}）",
    "card.rnn.table": "实测第 1 步的梯度范数（按序列长度）：{values}",
    "card.rnn.why": "在这组权重下，长序列最早的输入几乎改变不了最后的隐藏状态，因此也几乎影响不到训练信号："
    "这就是梯度消失。LSTM 和 GRU 加入门控，让信号能穿过许多步；Transformer 则把每个位置直接连在一起。",
    "card.rnn.fig.gradient": "传到第 1 步的梯度范数（对数刻度），长度 1…{longest}；橙色 = 当前长度",
})

# -- transformer --------------------------------------------------------------------------------------
EN.update({
    "card.transformer.title": "Transformer — self-attention",
    "card.transformer.points": "Self-attention lets every position look at every other position directly: each "
    "token asks a question (query), every token offers a key and a value, and the softmax of query·key / √d_k "
    "decides how much of each value to take (d_k is the size of one head's keys; dividing by √d_k keeps the typical "
    "size of the scores from growing with it).\n"
    "Attention itself ignores word order, so a position code is added to each token's embedding first.\n"
    "All positions are computed together (a few matrix multiplications), instead of one step per token as in an "
    "RNN — and the first token reaches the last in one hop, not length−1 hops.\n"
    "It is a different architecture, not a kind of RNN; it powers BERT, GPT and large language models, and vision "
    "models such as ViT.\n"
    "The attention below is computed by a real, untrained nn.MultiheadAttention on a toy sentence.",
    "card.transformer.sentence": "the cat sat on the mat because it was tired",
    "card.transformer.pronoun": "it",
    "card.transformer.referent": "cat",
    "card.transformer.control.length": "tokens",
    "card.transformer.control.head": "weights of",
    "card.transformer.control.average": "average",
    "card.transformer.control.head_number": "head {number}",
    "card.transformer.positions": "Position codes: each token's embedding (a random but fixed vector per word) gets "
    "the sinusoidal code of its position added, PE(pos, 2i) = sin(pos / 10000^(2i/{dim})) and PE(pos, 2i+1) = "
    "cos(pos / 10000^(2i/{dim})), for d = {dim} features; the table below shows them.",
    "card.transformer.duplicates": "The two '{word}' (tokens {first} and {second}) have the same embedding; only their "
    "position codes tell them apart.",
    "card.transformer.order": "Measured: without position codes, reversing the tokens only reverses the output rows "
    "(largest difference {without}); with them, the reversed sentence gives other outputs (largest difference "
    "{with_}).",
    "card.transformer.shapes": "nn.MultiheadAttention(embed_dim={embed}, num_heads={heads}): input {input} "
    "(batch, tokens, features) → output {output}, attention weights {weights} (batch, heads, query, key)",
    "card.transformer.scaling": "Recomputed by hand from the layer's own weights: softmax(Q·Kᵀ / √d_k) per head, "
    "with d_k = {embed} / {heads} = {dk} (√d_k = {root}), gives the weights nn.MultiheadAttention returned (largest "
    "difference {diff}). Without the division the scores would be {root} times larger and the softmax sharper: the "
    "largest weight would be {unscaled} instead of {scaled}.",
    "card.transformer.parallel": "One call of the layer computed all {length}×{length} query–key pairs of all {heads} "
    "heads together ({scores:,} scores).",
    "card.transformer.rnn": "An RNN cell over the same tokens needed {steps} sequential steps (the loop ran {steps} "
    "times), and information from the first token passes through {distance:# step|# steps} to reach the last.",
    "card.transformer.rows": "Each row is a softmax, so it sums to 1 (measured row sums: {low} … {high}).",
    "card.transformer.strongest": "Where each token looks most: {pairs}",
    "card.transformer.untrained": "These weights are untrained (random but fixed), so the pattern means nothing "
    "linguistic yet; training is what would give it meaning.",
    "card.transformer.pronoun_line": "Here '{pronoun}' gives '{referent}' a weight of {weight} and looks most at "
    "'{top}' ({top_weight}): an untrained layer does not know what '{pronoun}' refers to.",
    "card.transformer.fig.heat": "attention weights: row = query token, column = key token",
    "card.transformer.fig.positions": "position codes PE: row = position, column = feature",
})
ZH.update({
    "card.transformer.title": "Transformer —— 自注意力",
    "card.transformer.points": "自注意力让每个位置直接关注其他所有位置：每个词提出一个“问题”（query），"
    "每个词提供 key 和 value，query·key / √d_k 经过 softmax 决定从每个 value 中取多少"
    "（d_k 是一个头的 key 的长度；除以 √d_k 让分数的典型大小不随它变大）。\n"
    "注意力本身不考虑词序，所以要先给每个词的嵌入向量加上位置编码。\n"
    "所有位置一起算完（几次矩阵乘法），而不是像 RNN 那样每个词一步 —— 第一个词到最后一个词只需一跳，"
    "而不是“长度−1”跳。\n"
    "它不是 RNN 的衍生，而是另一种架构；BERT、GPT 等大语言模型，以及 ViT 等视觉模型都基于它。\n"
    "下面的注意力由一个真实的、未经训练的 nn.MultiheadAttention 在一个玩具句子上计算得出。",
    "card.transformer.sentence": "小 猫 坐 在 垫子 上 因为 它 累 了",
    "card.transformer.pronoun": "它",
    "card.transformer.referent": "猫",
    "card.transformer.control.length": "词数",
    "card.transformer.control.head": "显示",
    "card.transformer.control.average": "平均",
    "card.transformer.control.head_number": "第 {number} 个头",
    "card.transformer.positions": "位置编码：每个词的嵌入向量（每个词一个随机但固定的向量）加上它所在位置的正弦编码，"
    "PE(pos, 2i) = sin(pos / 10000^(2i/{dim}))，PE(pos, 2i+1) = cos(pos / 10000^(2i/{dim}))，"
    "共 d = {dim} 个特征；见下表。",
    "card.transformer.duplicates": "两个“{word}”（第 {first} 和第 {second} 个词）的嵌入向量相同；只有位置编码能区分它们。",
    "card.transformer.order": "实测：没有位置编码时，把词序倒过来只会让输出的各行倒过来（最大差值 {without}）；"
    "有了位置编码，倒序的句子得到不同的输出（最大差值 {with_}）。",
    "card.transformer.shapes": "nn.MultiheadAttention(embed_dim={embed}, num_heads={heads})：输入 {input}"
    "（批量，词数，特征）→ 输出 {output}，注意力权重 {weights}（批量，头，query，key）",
    "card.transformer.scaling": "用这一层自己的权重手算：每个头的 softmax(Q·Kᵀ / √d_k)，"
    "其中 d_k = {embed} / {heads} = {dk}（√d_k = {root}），得到的正是 nn.MultiheadAttention 返回的权重"
    "（最大差值 {diff}）。如果不除以 √d_k，分数会大 {root} 倍，softmax 更尖锐：最大的权重会是 {unscaled}，而不是 {scaled}。",
    "card.transformer.parallel": "这一层的一次调用就同时算出了全部 {heads} 个头的 {length}×{length} 个 query–key 组合"
    "（共 {scores:,} 个分数）。",
    "card.transformer.rnn": "用 RNN 单元处理同样的词需要 {steps} 个依次执行的步骤（循环运行了 {steps} 次），"
    "第一个词的信息要经过 {distance} 步才能到达最后一个词。",
    "card.transformer.rows": "每一行都是一个 softmax，所以行和为 1（实测行和：{low} … {high}）。",
    "card.transformer.strongest": "每个词最关注的词：{pairs}",
    "card.transformer.untrained": "这些权重没有经过训练（随机但固定），所以这个图案还没有任何语言上的含义；"
    "要靠训练才能让它有意义。",
    "card.transformer.pronoun_line": "这里“{pronoun}”给“{referent}”的权重是 {weight}，它最关注的是“{top}”（{top_weight}）："
    "未经训练的层并不知道“{pronoun}”指的是什么。",
    "card.transformer.fig.heat": "注意力权重：行 = query 词，列 = key 词",
    "card.transformer.fig.positions": "位置编码 PE：行 = 位置，列 = 特征",
})

# -- autoencoder --------------------------------------------------------------------------------------
EN.update({
    "card.autoencoder.title": "Autoencoder",
    "card.autoencoder.points": "An encoder squeezes the input into a few numbers (the latent code, or bottleneck); a "
    "decoder rebuilds the input from them.\n"
    "It is trained without labels: the target is the input itself, and the loss is the reconstruction error.\n"
    "If the bottleneck is too narrow, information is lost; once it is as wide as the number of independent factors "
    "that made the data, widening it hardly lowers the error. Uses: dimensionality reduction, denoising, anomaly "
    "detection, generating similar data.\n"
    "One autoencoder per bottleneck size is trained live, on pictures generated in code; the setting chooses which "
    "one is shown.",
    "card.autoencoder.control.bottleneck": "bottleneck k",
    "card.autoencoder.data": "Data: {count} pictures of {side}×{side} = {pixels} pixels, each a random mix of "
    "{factors} strokes (a row, a column, a diagonal) plus noise of standard deviation {noise}, all generated in code.",
    "card.autoencoder.model": "Model: encoder {pixels} → {hidden} → {k}, decoder {k} → {hidden} → {pixels}, with ReLU "
    "after each {hidden}-unit layer (the code of k numbers has none); trained {steps} steps with Adam (learning rate 0.02, all {count} pictures in every "
    "step) to reproduce its own input.",
    "card.autoencoder.error": "Reconstruction error (mean squared error per pixel) with k = {k}: {error}, {percent} "
    "of the data's variance ({variance})",
    "card.autoencoder.curve": "Measured error for every bottleneck size: {curve}",
    "card.autoencoder.why": "The pictures were made from {factors} numbers each. With k = {factors} the error falls to "
    "{at_factors}, about the variance of the noise itself ({noise}² = {noise_variance}), which no code can predict; "
    "a wider bottleneck gains little (the best of k = {wider}, k = {best}, gets {beyond}).",
    "card.autoencoder.fig.curve": "reconstruction error by bottleneck size (orange = current)",
    "card.autoencoder.fig.pictures": "top: original pictures; bottom: reconstructions through k = {k} numbers",
    "card.autoencoder.fig.pictures_text": "top: {shown} original pictures; bottom: their reconstructions through "
    "k = {k} numbers (one grey scale for all: blank = lowest … @ = highest)",
})
ZH.update({
    "card.autoencoder.title": "自编码器（Autoencoder）",
    "card.autoencoder.points": "编码器把输入压缩成少数几个数（潜在表示，即“瓶颈”）；解码器再用这几个数重构输入。\n"
    "训练不需要标签：目标就是输入本身，损失就是重构误差（无监督学习）。\n"
    "瓶颈太窄会丢失信息；一旦它和生成数据的独立因素个数一样宽，再加宽也几乎不能降低误差。"
    "用途：降维与可视化、去噪、异常检测、生成相似数据。\n"
    "每种瓶颈大小都有一个自编码器，都用代码生成的图片现场训练；设置决定显示哪一个。",
    "card.autoencoder.control.bottleneck": "瓶颈大小 k",
    "card.autoencoder.data": "数据：{count} 张 {side}×{side} = {pixels} 像素的图片，每张由 {factors} 种笔画"
    "（一行、一列、一条对角线）随机混合而成，再加上标准差为 {noise} 的噪声，全部用代码生成。",
    "card.autoencoder.model": "模型：编码器 {pixels} → {hidden} → {k}，解码器 {k} → {hidden} → {pixels}，"
    "每个 {hidden} 单元的层后面接 ReLU（k 个数的编码本身没有）；用 Adam（学习率 0.02，每一步都用全部 {count} 张图片）训练 {steps} 步，目标是还原自己的输入。",
    "card.autoencoder.error": "k = {k} 时的重构误差（每个像素的均方误差）：{error}，是数据方差（{variance}）的 {percent}",
    "card.autoencoder.curve": "每种瓶颈大小实测的误差：{curve}",
    "card.autoencoder.why": "每张图片本来就是由 {factors} 个数生成的。k = {factors} 时误差降到 {at_factors}，"
    "约等于噪声本身的方差（{noise}² = {noise_variance}），而噪声是任何编码都无法预测的；"
    "更宽的瓶颈收益很小（k = {wider} 中最好的是 k = {best}，误差 {beyond}）。",
    "card.autoencoder.fig.curve": "不同瓶颈大小的重构误差（橙色 = 当前）",
    "card.autoencoder.fig.pictures": "上：原始图片；下：经过 k = {k} 个数重构的结果",
    "card.autoencoder.fig.pictures_text": "上：{shown} 张原始图片；下：它们经过 k = {k} 个数重构的结果"
    "（所有图片共用一个灰度：空白 = 最低 … @ = 最高）",
})

# -- deep learning ------------------------------------------------------------------------------------
EN.update({
    "card.deep-learning.title": "What is deep learning?",
    "card.deep-learning.points": "Deep learning is machine learning with artificial neural networks of several "
    "layers. Each hidden layer computes a linear map plus a bias and then a non-linear activation (here ReLU); the "
    "last layer gives one score per class.\n"
    "Lower layers compute simple features and higher layers combine them into more abstract ones; the features are "
    "learned from data, not designed by hand.\n"
    "It needs data and compute: training takes many steps, each running the network forward and backward over a "
    "batch of examples (usually a mini-batch, a small random part of the data), and usually many passes (epochs) "
    "over the whole data set.\n"
    "It is hard to interpret (a 'black box'): what it learned is spread over many numbers, none of which means much "
    "on its own.\n"
    "Below, a tiny network is trained live on two rings of points; the setting chooses the point followed through "
    "its layers.",
    "card.deep-learning.control.sample": "point #",
    "card.deep-learning.layer.input": "input",
    "card.deep-learning.class0": "inner ring",
    "card.deep-learning.class1": "outer ring",
    "card.deep-learning.sample": "Point #{index} = ({x}, {y}), really on the {label}. Layer by layer:",
    "card.deep-learning.zeros": "← ReLU set {count:# negative value|# negative values} to 0",
    "card.deep-learning.prediction": "The last layer's larger score is the {label}'s: that is the prediction.",
    "card.deep-learning.accuracy": "After {steps} training steps (Adam, learning rate 0.03), the network with two "
    "hidden layers classifies {deep} of the {count} points correctly ({deep_percent}); a single linear layer (no "
    "non-linearity) only {linear} ({linear_percent}).",
    "card.deep-learning.features": "Nobody told the network what 'distance from the centre' is: its {width}+{width} "
    "hidden features were found by gradient descent.",
    "card.deep-learning.black_box": "Black box: the network is {parameters:,} numbers (weights and biases); no single "
    "one of them explains why a point is called 'outer'.",
    "card.deep-learning.compute": "Data and compute: this data set is tiny, so each of the {steps} steps used all "
    "{count} points at once (one full batch): {total:,} points went forward and backward through the network, even "
    "for this toy problem.",
    "card.deep-learning.fig.layers": "this point's values after each layer (darker blue = larger)",
    "card.deep-learning.fig.deep": "two hidden layers: a curved boundary (blue = predicts outer ring)",
    "card.deep-learning.fig.linear": "one linear layer: a straight boundary (blue = predicts outer ring)",
    "card.deep-learning.fig.deep_text": "two hidden layers: a curved boundary over [-1.6, 1.6]² (# predicts outer "
    "ring, · inner ring)",
    "card.deep-learning.fig.linear_text": "one linear layer: a straight boundary over [-1.6, 1.6]² (# predicts outer "
    "ring, · inner ring)",
})
ZH.update({
    "card.deep-learning.title": "什么是深度学习？",
    "card.deep-learning.points": "深度学习是以多层人工神经网络为结构的机器学习。每个隐藏层先做线性变换并加上偏置，"
    "再经过非线性激活函数（这里是 ReLU）；最后一层为每个类别给出一个分数。\n"
    "较低的层计算简单的特征，较高的层把它们组合成更抽象的特征；这些特征是从数据中学到的，不是人工设计的。\n"
    "它需要数据和算力：训练要进行许多步，每一步让网络在一批样本上做一次前向和反向计算"
    "（通常是小批量，即数据中随机取出的一小部分），而且通常要把整个数据集过很多遍（多个 epoch）。\n"
    "它的可解释性差（“黑箱”）：学到的东西分散在大量数字里，单独看哪一个都说明不了什么。\n"
    "下面现场训练一个小网络来区分两个圆环上的点；设置决定跟踪哪一个点穿过各层。",
    "card.deep-learning.control.sample": "第几个点",
    "card.deep-learning.layer.input": "输入",
    "card.deep-learning.class0": "内圈",
    "card.deep-learning.class1": "外圈",
    "card.deep-learning.sample": "第 {index} 个点 = ({x}, {y})，实际在{label}。逐层输出：",
    "card.deep-learning.zeros": "← ReLU 把 {count} 个负值变成了 0",
    "card.deep-learning.prediction": "最后一层中{label}的分数较大：这就是预测结果。",
    "card.deep-learning.accuracy": "训练 {steps} 步（Adam，学习率 0.03）后，两个隐藏层的网络把 {count} 个点中的 {deep} 个"
    "分对了（{deep_percent}）；只有一个线性层（没有非线性）的模型只分对了 {linear} 个（{linear_percent}）。",
    "card.deep-learning.features": "没有人告诉网络什么是“到圆心的距离”：它的 {width}+{width} 个隐藏特征是梯度下降自己找到的。",
    "card.deep-learning.black_box": "黑箱：这个网络就是 {parameters:,} 个数字（权重和偏置）；"
    "没有哪一个单独能解释为什么一个点被判为“外圈”。",
    "card.deep-learning.compute": "数据和算力：这个数据集很小，所以 {steps} 步中的每一步都一次用上全部 {count} 个点"
    "（整批训练）：即使是这个玩具问题，也有 {total:,} 个点次经过了网络的前向和反向计算。",
    "card.deep-learning.fig.layers": "这个点经过每一层后的数值（蓝色越深越大）",
    "card.deep-learning.fig.deep": "两个隐藏层：弯曲的边界（蓝色 = 预测为外圈）",
    "card.deep-learning.fig.linear": "一个线性层：直线边界（蓝色 = 预测为外圈）",
    "card.deep-learning.fig.deep_text": "两个隐藏层：[-1.6, 1.6]² 上弯曲的边界（# 预测为外圈，· 内圈）",
    "card.deep-learning.fig.linear_text": "一个线性层：[-1.6, 1.6]² 上的直线边界（# 预测为外圈，· 内圈）",
})

# -- tensor topics (live examples) --------------------------------------------------------------------
EN.update({
    "card.tensor-creation.title": "Creating tensors",
    "card.tensor-creation.points": "A tensor is an n-dimensional array: 0-d is a scalar, 1-d a vector, 2-d a "
    "matrix, and so on; its shape lists the size of each axis.\n"
    "torch.tensor(data) copies the data you give it; Python floats become the default float type (float32 unless "
    "torch.set_default_dtype changed it), Python ints become int64.\n"
    "torch.arange(start, end, step) excludes end (half-open); torch.linspace(start, end, steps) includes both ends "
    "and makes exactly steps elements.\n"
    "torch.zeros / ones / full(shape, value) make a new, filled tensor (full takes its dtype from the value: 7 gives "
    "int64, 7.0 float32); the *_like versions copy another tensor's shape, dtype and device, not its values.",
    "card.dtypes.title": "Element types (dtype)",
    "card.dtypes.points": "Every element of a tensor has the same dtype. Floating-point data defaults to float32: "
    "4 bytes per element, half the memory of float64, usually faster, and precise enough for most deep learning.\n"
    "Converting float to int truncates toward zero (1.9 → 1, −1.9 → −1): it does not round.\n"
    ".type(dtype), .half(), .float(), .double(), .int(), .long() return a converted copy when the dtype changes, "
    "and the original keeps its dtype; when the tensor already has that dtype they return the tensor itself, not a "
    "copy (for a float32 tensor a, a.float() is a is True).\n"
    "A NumPy array of Python floats is float64 by default, and torch.tensor(array) keeps float64.",
    "card.numpy-sharing.title": "Tensors and NumPy: shared or copied memory",
    "card.numpy-sharing.points": "torch.from_numpy(array) and tensor.numpy() share memory: writing through one "
    "changes the other.\n"
    "torch.tensor(array), array.copy() and tensor.clone() make independent copies.\n"
    "Sharing is fast (nothing is copied) but surprising when you forget it; the example writes n[0] = 100 after "
    "building t and c — look at which of them changed.",
    "card.numpy-sharing.pairs": "Variables that share elements (measured from their memory addresses): {pairs}",
    "card.broadcasting.title": "Broadcasting",
    "card.broadcasting.points": "An element-wise operation on tensors of different shapes aligns the shapes from "
    "the right.\n"
    "Two sizes fit if they are equal or one of them is 1 (or missing); a size-1 axis is stretched to match without "
    "copying the input: the same values are read again (stride 0).\n"
    "(3, 1) + (4,) → (3, 4): c[i, j] = a[i, 0] + b[j], so each of a's 3 values meets each of b's 4 values. "
    "(3,) + (4,) is an error.",
    "card.broadcasting.aligned": "Shapes aligned from the right (· = missing axis, treated as size 1):",
    "card.broadcasting.together": "broadcast together → {shape}",
    "card.broadcasting.incompatible": "incompatible: some axis has two different sizes, neither of them 1",
    "card.matmul.title": "Matrix multiplication",
    "card.matmul.points": "A @ B (torch.matmul) multiplies matrices: (n, m) @ (m, p) → (n, p); the inner sizes m "
    "must match and disappear.\n"
    "Extra leading axes are batch axes: (5, 2, 3) @ (3, 4) → (5, 2, 4), one product per batch element.\n"
    "A * B is different: it multiplies element by element, with broadcasting, so the result has the shape that A "
    "and B broadcast to (their own shape when both have the same).",
    "card.reductions.title": "Reductions along dim",
    "card.reductions.points": "sum, mean, max, min … with dim=k combine the elements along axis k; that axis "
    "disappears from the shape (max and min with dim return both the values and their indices).\n"
    "For a (2, 3) tensor, dim=0 reduces the 2 rows → (3,) (one result per column); dim=1 reduces the 3 columns → "
    "(2,) (one per row).\n"
    "keepdim=True keeps the reduced axis with size 1 — (2, 1) — so the result still broadcasts against the "
    "original (a (2, 3) tensor minus its (2, 1) row sums is still (2, 3)).",
})
ZH.update({
    "card.tensor-creation.title": "创建张量",
    "card.tensor-creation.points": "张量就是多维数组：0 维是标量，1 维是向量，2 维是矩阵，以此类推；"
    "形状（shape）列出每个轴的长度。\n"
    "torch.tensor(data) 会复制你给的数据；Python 浮点数变成默认浮点类型（float32，除非用 torch.set_default_dtype "
    "改过），Python 整数变成 int64。\n"
    "torch.arange(start, end, step) 不包含 end（左闭右开）；torch.linspace(start, end, steps) 两端都包含，"
    "并且恰好生成 steps 个元素。\n"
    "torch.zeros / ones / full(shape, value) 创建填充好的新张量（full 的类型由填充值决定：7 得到 int64，7.0 得到 "
    "float32）；*_like 版本沿用另一个张量的形状、元素类型和设备，而不是它的值。",
    "card.dtypes.title": "元素类型（dtype）",
    "card.dtypes.points": "张量的所有元素类型相同。浮点数据默认是 float32：每个元素 4 字节，内存只有 float64 的一半，"
    "通常计算更快，精度对大多数深度学习任务足够。\n"
    "浮点转整数会向零截断（1.9 → 1，−1.9 → −1），不是四舍五入。\n"
    ".type(dtype)、.half()、.float()、.double()、.int()、.long() 在类型改变时返回转换后的副本，原张量的类型不变；"
    "如果张量已经是这个类型，它们返回张量本身，而不是副本（对 float32 张量 a，a.float() is a 为 True）。\n"
    "由 Python 浮点数构成的 NumPy 数组默认是 float64，torch.tensor(array) 会保留 float64。",
    "card.numpy-sharing.title": "张量与 NumPy：共享内存还是复制",
    "card.numpy-sharing.points": "torch.from_numpy(array) 和 tensor.numpy() 共享内存：通过一个修改，另一个也跟着变。\n"
    "torch.tensor(array)、array.copy() 和 tensor.clone() 得到独立的副本。\n"
    "共享很快（什么都不复制），但忘了它就会吃惊；示例在创建 t 和 c 之后执行 n[0] = 100 —— 看看谁变了。",
    "card.numpy-sharing.pairs": "共享元素的变量（根据内存地址实测）：{pairs}",
    "card.broadcasting.title": "广播机制",
    "card.broadcasting.points": "形状不同的张量做逐元素运算时，形状从右边开始对齐。\n"
    "两个长度相等，或其中一个是 1（或缺失），就能匹配；长度为 1 的轴会被“拉伸”到对方的长度，而不复制输入："
    "同样的值被反复读取（步长为 0）。\n"
    "(3, 1) + (4,) → (3, 4)：c[i, j] = a[i, 0] + b[j]，a 的 3 个值与 b 的 4 个值两两相遇。(3,) + (4,) 会报错。",
    "card.broadcasting.aligned": "从右对齐后的形状（· = 缺失的轴，当作长度 1）：",
    "card.broadcasting.together": "广播结果 → {shape}",
    "card.broadcasting.incompatible": "不兼容：某个轴上有两个不同的长度，且都不是 1",
    "card.matmul.title": "矩阵乘法",
    "card.matmul.points": "A @ B（torch.matmul）做矩阵乘法：(n, m) @ (m, p) → (n, p)；中间的长度 m 必须相同，相乘后消失。\n"
    "前面多出来的轴是批量轴：(5, 2, 3) @ (3, 4) → (5, 2, 4)，每个批量元素各做一次乘法。\n"
    "A * B 不同：它逐元素相乘（带广播），所以结果的形状是 A 和 B 广播后的形状（两者形状相同时就是它们自己的形状）。",
    "card.reductions.title": "沿 dim 的归约运算",
    "card.reductions.points": "sum、mean、max、min …… 指定 dim=k 时，把第 k 个轴上的元素归约成一个；这个轴从形状中消去"
    "（带 dim 的 max 和 min 同时返回数值和它们的下标）。\n"
    "对形状 (2, 3) 的张量，dim=0 把 2 行归约 → (3,)（每列一个结果）；dim=1 把 3 列归约 → (2,)（每行一个结果）。\n"
    "keepdim=True 会把归约的轴保留为长度 1 —— (2, 1) —— 这样结果还能和原张量广播（(2, 3) 的张量减去它 (2, 1) 的行和，结果仍是 (2, 3)）。",
})

# -- autograd -----------------------------------------------------------------------------------------
EN.update({
    "card.autograd.title": "Autograd — the computation graph and backward()",
    "card.autograd.points": "Outside torch.no_grad(), every operation on a tensor that requires grad records a node "
    "of a graph: the result's grad_fn (MulBackward0, AddBackward0, PowBackward0, …) says how it was made, and its "
    "next_functions point to the nodes of its inputs.\n"
    "A leaf is a tensor you made yourself, not the result of an operation; a leaf with requires_grad=True ends its "
    "branch of the graph in an AccumulateGrad node, which adds the gradient it receives into the leaf's .grad.\n"
    "backward() applies the chain rule from the output back to the leaves: each node multiplies the gradient it "
    "receives by its own local derivative and passes the result on.\n"
    "Only leaves that require grad get a .grad: an input that does not require grad is a None in next_functions, "
    "and results in between keep .grad None unless you call retain_grad() on them.\n"
    "The graph here is read from the real grad_fn chain of y = (w·x + b)², computed again whenever a setting "
    "changes.",
    "card.autograd.control.x": "x",
    "card.autograd.control.x_requires_grad": "x.requires_grad",
    "card.autograd.code_title": "The code this card runs (x and its requires_grad come from the settings):",
    "card.autograd.forward": "Forward: w = {w} and b = {b} are leaves made with requires_grad=True, x = {x} "
    "(requires_grad={x_grad}); z = w·x + b = {z} and y = z² = {y}.",
    "card.autograd.graph": "While computing, autograd recorded the graph drawn below: y.grad_fn is {root}; following "
    "next_functions from it leads through {chain} and ends in {count:one AccumulateGrad node|# AccumulateGrad "
    "nodes}, one per leaf that requires grad ({leaves}).",
    "card.autograd.backward": "y.backward() starts at {root} with ∂y/∂y = {first}; it passes ∂y/∂z = 2·z = {dz} to "
    "AddBackward0, which hands it unchanged to both of its inputs; MulBackward0 multiplies it by x on the way to w "
    "(and by w on the way to x, when x requires grad); each AccumulateGrad adds what reaches it into its leaf's "
    ".grad. That is the chain rule, one node at a time.",
    "card.autograd.grad_w": "w.grad = ∂y/∂w = 2·(w·x + b)·x = 2 · {z} · {x} = {value}",
    "card.autograd.grad_b": "b.grad = ∂y/∂b = 2·(w·x + b) = 2 · {z} = {value}",
    "card.autograd.grad_x": "x.grad = ∂y/∂x = 2·(w·x + b)·w = 2 · {z} · {w} = {value}: with requires_grad=True, x "
    "is a leaf too and has its own AccumulateGrad node.",
    "card.autograd.no_grad_x": "x.grad is None: x was made without requires_grad, so its slot in MulBackward0's "
    "next_functions is None and no gradient flows to it.",
    "card.autograd.nonleaf": "z is not a leaf (an operation made it): its .grad stays None after backward(), unless "
    "z.retain_grad() was called before.",
    "card.autograd.accumulate": "Computing z and y again and calling y.backward() a second time, without clearing "
    ".grad, would make w.grad {twice}: backward() adds to .grad. That is why a training loop calls "
    "optimizer.zero_grad() before each backward().",
    "card.autograd.flat": "Here z = 0: y = z² is at its lowest point, where its slope is 0, so every gradient is 0.",
    "card.autograd.node.none": "{name} needs no gradient",
    "card.autograd.node.receives": "receives {value}",
    "card.autograd.fig.graph": "the graph of y, read from y.grad_fn: backward() runs along the arrows, from y's "
    "node to the leaves",
    "card.autograd.fig.tree": "the graph of y, from y.grad_fn down to the leaves (what each node receives in "
    "backward())",
})
ZH.update({
    "card.autograd.title": "自动求导（autograd）—— 计算图与 backward()",
    "card.autograd.points": "在 torch.no_grad() 之外，对需要梯度的张量做的每一次运算都会在计算图中记下一个节点："
    "结果的 grad_fn（MulBackward0、AddBackward0、PowBackward0 ……）说明它是怎样算出来的，"
    "它的 next_functions 指向各个输入的节点。\n"
    "叶子张量是你自己创建的张量，而不是运算的结果；requires_grad=True 的叶子在图中以一个 AccumulateGrad "
    "节点结束它那一支，这个节点把收到的梯度累加到叶子的 .grad 中。\n"
    "backward() 从输出往回、按链式法则一直算到各个叶子：每个节点把收到的梯度乘以自己的局部导数，再往下传。\n"
    "只有需要梯度的叶子才会得到 .grad：不需要梯度的输入在 next_functions 中是 None，"
    "中间结果的 .grad 保持为 None，除非对它们调用 retain_grad()。\n"
    "这里的图读自 y = (w·x + b)² 真实的 grad_fn 链，每次改动设置都会重新计算。",
    "card.autograd.control.x": "x",
    "card.autograd.control.x_requires_grad": "x.requires_grad",
    "card.autograd.code_title": "这张卡片运行的代码（x 和它的 requires_grad 来自设置）：",
    "card.autograd.forward": "前向计算：w = {w} 和 b = {b} 是用 requires_grad=True 创建的叶子，x = {x}"
    "（requires_grad={x_grad}）；z = w·x + b = {z}，y = z² = {y}。",
    "card.autograd.graph": "计算的同时，autograd 记录下了下面画出的计算图：y.grad_fn 是 {root}；"
    "从它出发沿 next_functions 经过 {chain}，最后到达 {count} 个 AccumulateGrad 节点，"
    "每个需要梯度的叶子一个（{leaves}）。",
    "card.autograd.backward": "y.backward() 从 {root} 开始，∂y/∂y = {first}；它把 ∂y/∂z = 2·z = {dz} 传给 "
    "AddBackward0，AddBackward0 原样传给它的两个输入；MulBackward0 在传向 w 时乘以 x"
    "（x 需要梯度时，传向 x 时乘以 w）；每个 AccumulateGrad 把收到的梯度累加到它的叶子的 .grad 中。"
    "这就是链式法则，一个节点一个节点地算。",
    "card.autograd.grad_w": "w.grad = ∂y/∂w = 2·(w·x + b)·x = 2 · {z} · {x} = {value}",
    "card.autograd.grad_b": "b.grad = ∂y/∂b = 2·(w·x + b) = 2 · {z} = {value}",
    "card.autograd.grad_x": "x.grad = ∂y/∂x = 2·(w·x + b)·w = 2 · {z} · {w} = {value}：requires_grad=True 时，"
    "x 也是叶子，有它自己的 AccumulateGrad 节点。",
    "card.autograd.no_grad_x": "x.grad 是 None：创建 x 时没有 requires_grad，所以它在 MulBackward0 的 "
    "next_functions 中的位置是 None，没有梯度流向它。",
    "card.autograd.nonleaf": "z 不是叶子（它是运算的结果）：backward() 之后它的 .grad 仍是 None，"
    "除非之前调用过 z.retain_grad()。",
    "card.autograd.accumulate": "如果不清除 .grad，重新计算 z 和 y 再调用一次 y.backward()，w.grad 会变成 {twice}："
    "backward() 是把梯度加到 .grad 上。所以训练循环在每次 backward() 之前都要调用 optimizer.zero_grad()。",
    "card.autograd.flat": "这里 z = 0：y = z² 正处在最低点，那里的斜率是 0，所以所有梯度都是 0。",
    "card.autograd.node.none": "{name} 不需要梯度",
    "card.autograd.node.receives": "收到 {value}",
    "card.autograd.fig.graph": "y 的计算图，读自 y.grad_fn：backward() 沿箭头方向从 y 的节点走到各个叶子",
    "card.autograd.fig.tree": "y 的计算图，从 y.grad_fn 一直到各个叶子（每个节点在 backward() 中收到的梯度）",
})

# -- training loop ------------------------------------------------------------------------------------
EN.update({
    "card.training-loop.title": "The training loop — five lines and the learning rate",
    "card.training-loop.points": "Training repeats five lines: forward (the model's prediction), loss (one number "
    "saying how wrong it is), zero_grad (clear the last step's gradients), backward (the gradient of the loss with "
    "respect to every parameter) and step (move every parameter a little against its gradient).\n"
    "The learning rate lr sets the size of each move: too small and the loss crawls down; too large and each step "
    "overshoots the minimum by more than the last, so the loss grows — it diverges.\n"
    "Here a tiny model, nn.Linear(1, 1), learns a line from 20 noisy points by plain gradient descent (SGD on all "
    "the points at every step) with the mean squared error; the settings choose lr and the number of steps.",
    "card.training-loop.control.lr": "learning rate",
    "card.training-loop.control.steps": "steps",
    "card.training-loop.code_title": "The loop as you would write it (the card runs these five lines for every "
    "setting, with SGD's update written out, and starts from weights drawn with its own random generator):",
    "card.training-loop.comment.forward": "forward",
    "card.training-loop.comment.loss": "loss",
    "card.training-loop.comment.zero_grad": "clear the old gradients",
    "card.training-loop.comment.backward": "compute the gradients",
    "card.training-loop.comment.step": "update the parameters",
    "card.training-loop.data": "Data: {count} points, x evenly spread from {low} to {high}, y = 2x − 1 plus noise "
    "(drawn with standard deviation 0.3). The model computes w·x + b and starts at w = {w0}, b = {b0}.",
    "card.training-loop.line.forward": "1 prediction = model(x): the model runs on all {count} points at once (one "
    "full batch), {shape_in} → {shape_out}, w·x + b for each; autograd records how (prediction.grad_fn is "
    "{grad_fn}).",
    "card.training-loop.line.loss": "2 loss = F.mse_loss(prediction, y): the mean of the {count} squared errors, a "
    "single number: {loss} before the first step (loss.grad_fn is {grad_fn}).",
    "card.training-loop.line.zero_grad": "3 optimizer.zero_grad(): sets weight.grad and bias.grad to None "
    "(set_to_none=True is its default), so this step's gradients are not added to the last step's.",
    "card.training-loop.line.backward": "4 loss.backward(): computes ∂loss/∂w and ∂loss/∂b through the recorded "
    "graph and stores them in weight.grad and bias.grad: {gw} and {gb} at the first step.",
    "card.training-loop.line.step": "5 optimizer.step(): moves every parameter against its gradient, in place: "
    "p ← p − lr·p.grad. At the first step, w: {w0} − {lr} × {gw} = {w1}.",
    "card.training-loop.lowest": "The lowest loss this model can reach on these points is {lowest}, at w = {w}, "
    "b = {b} (least squares, solved exactly).",
    "card.training-loop.limit": "Where divergence starts: this loss is a bowl whose steepest curvature is "
    "λ = {curvature} (the largest eigenvalue of its Hessian). Gradient descent shrinks the error in every direction "
    "only when lr < 2/λ = {limit}; above that, each step overshoots the bottom along the steepest direction by more "
    "than the last.",
    "card.training-loop.nonfinite": "lr = {lr} diverges: the loss grew from {first} to {last} at step {last_step} "
    "and was {bad} at step {bad_step}; after that it stays inf or NaN, and training is over.",
    "card.training-loop.overflow": "inf means float32 overflowed: a number in the loss's computation passed about "
    "3.4e38, the largest a float32 can hold.",
    "card.training-loop.grew": "lr = {lr} diverges: in {steps:one step|# steps} the loss grew from {first} to "
    "{final}.",
    "card.training-loop.after": "After {steps:one step|# steps} with lr = {lr}: loss {final}, w = {w}, b = {b}; "
    "{percent} of the way from the first loss {first} down to the lowest {lowest}.",
    "card.training-loop.verdict.converged": "Converged: at least 99% of the way down.",
    "card.training-loop.verdict.improving": "Still improving: more steps would bring the loss lower.",
    "card.training-loop.verdict.crawls": "Crawls: less than halfway down after {steps:one step|# steps}, because "
    "each step is small. With lr = {faster} (ten times larger, still below the limit) the same steps get {percent} "
    "of the way.",
    "card.training-loop.verdict.unstable": "This lr is above the limit {limit}: the loss has not grown in these "
    "steps yet, but it will; train longer to see it diverge.",
    "card.training-loop.step_label": "step {step}",
    "card.training-loop.fig.curve": "loss per step (log scale), lr = {lr}; dashed: the lowest loss; × marks where it "
    "stopped being a finite number",
    "card.training-loop.fig.line": "the data (orange), the least-squares line (dashed) and the trained model's line "
    "(blue)",
    "card.training-loop.fig.curve_text": "loss after each number of steps (step 0: before training; the lowest "
    "reachable is {lowest})",
})
ZH.update({
    "card.training-loop.title": "训练循环 —— 五行代码与学习率",
    "card.training-loop.points": "训练就是反复执行五行代码：前向计算（模型的预测）、损失（用一个数衡量错得有多远）、"
    "zero_grad（清除上一步的梯度）、反向传播（损失对每个参数的梯度）、step（让每个参数沿梯度的反方向移动一小步）。\n"
    "学习率 lr 决定每一步移动多远：太小，损失下降得很慢；太大，每一步都越过最低点，而且越过得比上一步更远，"
    "损失越来越大 —— 这就是发散。\n"
    "这里一个很小的模型 nn.Linear(1, 1) 用普通的梯度下降（每一步都用全部 20 个点的 SGD）和均方误差，"
    "从带噪声的点中学一条直线；设置决定 lr 和训练步数。",
    "card.training-loop.control.lr": "学习率",
    "card.training-loop.control.steps": "步数",
    "card.training-loop.code_title": "平常写出来的训练循环（卡片在每个设置下都会运行这五行，SGD 的更新写成了显式的式子；"
    "初始权重用卡片自己的随机数生成器生成）：",
    "card.training-loop.comment.forward": "前向计算",
    "card.training-loop.comment.loss": "损失",
    "card.training-loop.comment.zero_grad": "清除旧梯度",
    "card.training-loop.comment.backward": "计算梯度",
    "card.training-loop.comment.step": "更新参数",
    "card.training-loop.data": "数据：{count} 个点，x 从 {low} 到 {high} 均匀分布，y = 2x − 1 再加上噪声"
    "（按标准差 0.3 抽取）。模型计算 w·x + b，初始值为 w = {w0}，b = {b0}。",
    "card.training-loop.line.forward": "1 prediction = model(x)：模型一次算完全部 {count} 个点（一个完整的批量），"
    "{shape_in} → {shape_out}，每个点算 w·x + b；autograd 记下了计算过程（prediction.grad_fn 是 {grad_fn}）。",
    "card.training-loop.line.loss": "2 loss = F.mse_loss(prediction, y)：{count} 个误差平方的平均值，只是一个数："
    "第一步之前是 {loss}（loss.grad_fn 是 {grad_fn}）。",
    "card.training-loop.line.zero_grad": "3 optimizer.zero_grad()：把 weight.grad 和 bias.grad 设为 None"
    "（默认 set_to_none=True），这样这一步的梯度不会加到上一步的梯度上。",
    "card.training-loop.line.backward": "4 loss.backward()：沿记录下的计算图算出 ∂loss/∂w 和 ∂loss/∂b，"
    "存进 weight.grad 和 bias.grad：第一步时分别是 {gw} 和 {gb}。",
    "card.training-loop.line.step": "5 optimizer.step()：让每个参数沿梯度的反方向原地移动：p ← p − lr·p.grad。"
    "第一步时，w：{w0} − {lr} × {gw} = {w1}。",
    "card.training-loop.lowest": "在这些点上，这个模型能达到的最低损失是 {lowest}，此时 w = {w}，b = {b}"
    "（最小二乘，精确求解）。",
    "card.training-loop.limit": "从哪里开始发散：这个损失函数是一个碗，最陡方向的曲率是 λ = {curvature}"
    "（它的 Hessian 矩阵的最大特征值）。只有当 lr < 2/λ = {limit} 时，梯度下降才会在每个方向上缩小误差；"
    "超过这个值，每一步都会沿最陡的方向越过碗底，而且越过得比上一步更远。",
    "card.training-loop.nonfinite": "lr = {lr} 发散了：损失从 {first} 增大到第 {last_step} 步的 {last}，"
    "第 {bad_step} 步变成了 {bad}；此后它一直是 inf 或 NaN，训练已经无法继续。",
    "card.training-loop.overflow": "inf 表示 float32 溢出了：损失计算中的某个数超过了约 3.4e38，"
    "这是 float32 能表示的最大值。",
    "card.training-loop.grew": "lr = {lr} 发散了：{steps} 步之内，损失从 {first} 增大到 {final}。",
    "card.training-loop.after": "用 lr = {lr} 训练 {steps} 步之后：损失 {final}，w = {w}，b = {b}；"
    "从最初的损失 {first} 到最低的 {lowest}，已经走完了 {percent}。",
    "card.training-loop.verdict.converged": "已经收敛：至少走完了 99%。",
    "card.training-loop.verdict.improving": "还在下降：再多训练几步，损失还会更低。",
    "card.training-loop.verdict.crawls": "下降得很慢：{steps} 步之后还没走到一半，因为每一步都太小。"
    "用 lr = {faster}（大十倍，仍低于上限），同样的步数能走完 {percent}。",
    "card.training-loop.verdict.unstable": "这个 lr 超过了上限 {limit}：在这些步里损失还没有增大，但它一定会增大；"
    "多训练一些步数就能看到它发散。",
    "card.training-loop.step_label": "第 {step} 步",
    "card.training-loop.fig.curve": "每一步的损失（对数刻度），lr = {lr}；虚线：最低损失；× 标出它不再是有限数的地方",
    "card.training-loop.fig.line": "数据（橙色）、最小二乘直线（虚线）和训练出的模型的直线（蓝色）",
    "card.training-loop.fig.curve_text": "训练若干步之后的损失（第 0 步：训练之前；能达到的最低值是 {lowest}）",
})

# -- tensor inspector ---------------------------------------------------------------------------------
EN.update({
    "inspector.tab.values": "values",
    "inspector.tab.histogram": "histogram",
    "inspector.tab.memory": "memory",
    "inspector.axis": "axis",
    "inspector.rows": "rows",
    "inspector.columns": "columns",
    "inspector.index": "index on axis",
    "inspector.first_row": "first row",
    "inspector.first_column": "first column",
    "inspector.bins": "bins",
    "inspector.slice": "slice {index}: {rows} × {columns} shown",
    "inspector.no_values_meta": "A meta tensor has a shape and a dtype but no values: nothing was allocated.",
    "inspector.no_values_empty": "The tensor has no elements: nothing to show.",
    "inspector.no_values_dtype": "This array's dtype has no tensor equivalent; its values are not shown.",
    "inspector.no_values_copy": "Showing these values needs a converted copy, and the tensor is too large for one.",
    "inspector.released": "The tensor no longer exists: its variable was deleted, and the inspector does not "
    "keep your variables alive.",
    "inspector.bool_counts": "False: {false} · True: {true}",
    "inspector.no_finite": "No finite values to count.",
    "inspector.complex_magnitude": "Complex values: the histogram counts their magnitudes |z|.",
    "inspector.nonfinite_skipped": "{count:# NaN/Inf value|# NaN/Inf values} left out of the histogram.",
    "inspector.memory_sparse": "Layout {layout}: only the {nnz} stored values and their indices are in memory, "
    "not a strided block of all elements.",
    "inspector.memory_meta": "No memory: a meta tensor has no storage.",
    "inspector.memory_empty": "No elements, so no element of any storage is used.",
    "inspector.memory_unknown": "The storage of this object could not be mapped to element boxes.",
    "inspector.storage": "Storage: {count:# element|# elements} × {itemsize:# byte|# bytes} = {size}.",
    "inspector.formula": "Element [{index}] lives in storage box {formula} (storage offset + index × stride "
    "on each axis).",
    "inspector.covers": "This view's {numel:single element uses|# elements use} {distinct} of the "
    "{storage:# box|# boxes} (boxes {low} … {high}).",
    "inspector.repeats": "Some boxes are used more than once (a stride of 0: an expanded view repeats values "
    "without copying them).",
    "inspector.sharing_title": "Who else uses this memory:",
    "inspector.sharing_unchecked": "Sharing with other variables was not checked (no namespace was given).",
    "inspector.window": "(showing storage boxes {first} … {last})",
    "inspector.order_hint": "Blue boxes belong to this view; #k under a box is the element's position when "
    "the view is read row by row.",
})
ZH.update({
    "inspector.tab.values": "数值",
    "inspector.tab.histogram": "直方图",
    "inspector.tab.memory": "内存",
    "inspector.axis": "轴",
    "inspector.rows": "行",
    "inspector.columns": "列",
    "inspector.index": "索引，轴",
    "inspector.first_row": "起始行",
    "inspector.first_column": "起始列",
    "inspector.bins": "分箱数",
    "inspector.slice": "切片 {index}：显示 {rows} × {columns}",
    "inspector.no_values_meta": "meta 张量只有形状和类型，没有数值：没有分配任何内存。",
    "inspector.no_values_empty": "这个张量没有元素：没有可显示的内容。",
    "inspector.no_values_dtype": "这个数组的 dtype 没有对应的张量类型；不显示它的数值。",
    "inspector.no_values_copy": "显示这些数值需要先转换出一个副本，而这个张量太大了。",
    "inspector.released": "这个张量已经不存在了：它的变量被删除了，查看器不会让你的变量一直占着内存。",
    "inspector.bool_counts": "False: {false} · True: {true}",
    "inspector.no_finite": "没有有限值可以统计。",
    "inspector.complex_magnitude": "复数：直方图统计的是它们的模 |z|。",
    "inspector.nonfinite_skipped": "有 {count} 个 NaN/Inf 值没有计入直方图。",
    "inspector.memory_sparse": "布局 {layout}：内存中只有 {nnz} 个存储的值及其索引，"
    "而不是所有元素的一整块跨步内存。",
    "inspector.memory_meta": "没有内存：meta 张量没有存储。",
    "inspector.memory_empty": "没有元素，因此不使用任何存储中的元素。",
    "inspector.memory_unknown": "无法把这个对象的存储对应到元素格子上。",
    "inspector.storage": "存储：{count} 个元素 × {itemsize} 字节 = {size}。",
    "inspector.formula": "元素 [{index}] 位于存储格 {formula}（存储偏移 + 每个轴上的索引 × 步长）。",
    "inspector.covers": "这个视图的 {numel} 个元素用到了 {storage} 个格子中的 {distinct} 个"
    "（第 {low} … {high} 格）。",
    "inspector.repeats": "有些格子被使用了不止一次（步长为 0：扩展视图重复使用同一个值，而不复制）。",
    "inspector.sharing_title": "还有谁在使用这块内存：",
    "inspector.sharing_unchecked": "没有提供命名空间，因此没有检查与其他变量的内存共享。",
    "inspector.window": "（显示第 {first} … {last} 个存储格）",
    "inspector.order_hint": "蓝色格子属于这个视图；格子下方的 #k 是按行读取视图时该元素的序号。",
})

EN = {key: Template(text) for key, text in EN.items()}
ZH = {key: Template(text) for key, text in ZH.items()}
