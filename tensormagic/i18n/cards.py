"""Texts of the concept cards (``card.*``) and the tensor inspector (``inspector.*``).

Each card keeps its title, its teaching points (one per line) and the sentences that carry its measured
numbers. Chinese follows the wording of the course notes (感知机, 卷积核, 权值共享, 梯度消失, 自注意力, 重构误差).
"""

EN: dict[str, str] = {}
ZH: dict[str, str] = {}

# -- shared -------------------------------------------------------------------------------------------
EN.update({
    "card.common.keyboard": "Settings, from the keyboard — this card as it is now (change a value and run it):",
    "card.common.code_option": "the example's code, statements separated by ;",
    "card.common.widget_hint": "Change a control: the card runs its torch code again and shows the new numbers.",
    "card.common.figure": "{caption}:",
    "card.common.options_title": "settings of this card",
    "card.common.group.models": "Model families",
    "card.common.group.tensors": "Tensor topics, with a live example",
    "card.common.topics_title": "Concept cards — open one with %explain TOPIC (or tensormagic.card('TOPIC')):",
    "card.common.unknown": "No card named {topic!r}.",
    "card.common.did_you_mean": "Did you mean: {names}?",
    "card.common.all_topics": "Topics: {names}",
    "card.common.run": "Run",
    "card.common.code": "Code",
    "card.common.edit_hint": "Edit the code and press Run (or leave the box): it runs in a private namespace with "
    "torch and np; your own variables are not touched.",
    "card.common.no_results": "(the code assigned no variables)",
    "card.common.error": "Error: {error}",
    "card.common.forbidden": "not allowed in a card example: {what}",
    "card.common.printed": "printed: {text}",
    "card.common.value_line": "{name}: {kind} {shape} {dtype}",
    "card.common.expression": "last expression →",
})
ZH.update({
    "card.common.keyboard": "用键盘修改设置 —— 下面这一行就是当前的卡片（改一个值再运行）：",
    "card.common.code_option": "示例代码，语句之间用 ; 分隔",
    "card.common.widget_hint": "改动一个控件：卡片会重新运行它的 torch 代码，并显示新的数值。",
    "card.common.figure": "{caption}：",
    "card.common.options_title": "这张卡片的设置",
    "card.common.group.models": "模型家族",
    "card.common.group.tensors": "张量主题（带可编辑的示例）",
    "card.common.topics_title": "概念卡片 —— 用 %explain 主题 （或 tensormagic.card（'主题'）） 打开：",
    "card.common.unknown": "没有名为 {topic!r} 的卡片。",
    "card.common.did_you_mean": "你是不是想找：{names}?",
    "card.common.all_topics": "全部主题：{names}",
    "card.common.run": "运行",
    "card.common.code": "代码",
    "card.common.edit_hint": "修改代码后点击“运行”（或让输入框失去焦点）："
    "代码在一个只含 torch 和 np 的私有命名空间中执行，"
    "不会改动你自己的变量。",
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
    "it computes one weighted sum of a local window (local receptive field).\n"
    "The same kernel is used at every position (weight sharing), so the parameter count does not grow with "
    "the image size.\n"
    "Pooling keeps the strongest response in each window and shrinks the feature map, so later layers see "
    "a wider area with fewer numbers.\n"
    "Move the sliders: a real nn.Conv2d is rebuilt and run each time.",
    "card.cnn.control.size": "input size",
    "card.cnn.control.channels": "in channels",
    "card.cnn.control.kernel": "kernel size",
    "card.cnn.control.stride": "stride",
    "card.cnn.control.padding": "padding",
    "card.cnn.input": "Input {shape} (batch, channels, height, width) → nn.Conv2d({channels}, {out}, "
    "kernel_size={kernel}, stride={stride}, padding={padding})",
    "card.cnn.output": "Output shape: {shape}",
    "card.cnn.formula": "Formula for each side: ⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {side} "
    "(matches what nn.Conv2d returned)",
    "card.cnn.too_small": "No output: the kernel ({kernel}) is larger than the padded input ({padded}). "
    "nn.Conv2d refuses this; lower the kernel size or add padding.",
    "card.cnn.conv_params": "Conv layer parameters: {out}×{channels}×{kernel}×{kernel} weights + {out} biases "
    "= {count}",
    "card.cnn.dense_params": "A fully connected layer from the same {inputs} inputs to the same {outputs} outputs "
    "would need {count} parameters — {ratio}× more.",
    "card.cnn.sharing": "Weight sharing: the conv layer reuses its kernels at all {positions} output positions "
    "instead of learning separate weights for each.",
    "card.cnn.feature": "Edge detection: the {image} picture below through a 3×3 Sobel kernel gives a {feature} "
    "feature map; the strongest responses (±{peak}) sit exactly on the vertical edges.",
    "card.cnn.pool": "Max pooling 2×2 after ReLU: {feature} → {pooled}, {before} numbers → {after}; the edges "
    "are still there.",
    "card.cnn.fig.image": "input picture (built in code)",
    "card.cnn.fig.feature": "feature map (left to right): orange = dark→bright edge, blue = bright→dark",
    "card.cnn.fig.pooled": "after ReLU + 2×2 max pooling",
    "card.cnn.fig.feature_text": "feature map, left to right (- strong dark→bright edge, + strong bright→dark, "
    "\",\" weak, · zero)",
})
ZH.update({
    "card.cnn.title": "CNN —— 卷积神经网络",
    "card.cnn.points": "卷积核是一小块权重，在图像上滑动；每到一个位置，就对局部窗口做一次加权求和（局部感受野）。\n"
    "同一个卷积核在所有位置重复使用（权值共享），所以参数量不随图像大小增长。\n"
    "池化层在每个窗口里保留最强的响应并缩小特征图，后面的层用更少的数看到更大的范围。\n"
    "拖动滑块：每次都会重新创建并运行一个真实的 nn.Conv2d。",
    "card.cnn.control.size": "输入尺寸",
    "card.cnn.control.channels": "输入通道数",
    "card.cnn.control.kernel": "卷积核大小",
    "card.cnn.control.stride": "步长",
    "card.cnn.control.padding": "填充",
    "card.cnn.input": "输入 {shape} （批量，通道，高，宽） → nn.Conv2d({channels}, {out}, kernel_size={kernel}, "
    "stride={stride}, padding={padding})",
    "card.cnn.output": "输出形状：{shape}",
    "card.cnn.formula": "每条边的公式：⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {side} "
    "（与 nn.Conv2d 实际返回的一致）",
    "card.cnn.too_small": "没有输出：卷积核（{kernel}）比填充后的输入（{padded}）还大，nn.Conv2d 会报错；"
    "请减小卷积核或增加填充。",
    "card.cnn.conv_params": "卷积层参数：{out}×{channels}×{kernel}×{kernel} 个权重 + {out} 个偏置 = {count}",
    "card.cnn.dense_params": "如果用全连接层，把同样的 {inputs} 个输入映射到同样的 {outputs} 个输出，"
    "需要 {count} 个参数 —— 多 {ratio} 倍。",
    "card.cnn.sharing": "权值共享：卷积层在全部 {positions} 个输出位置上重复使用同一组卷积核，"
    "而不是为每个位置单独学习权重。",
    "card.cnn.feature": "边缘检测：下面这幅 {image} 的图片经过 3×3 Sobel 卷积核，得到 {feature} 的特征图；"
    "最强的响应（±{peak}）正好落在竖直边缘上。",
    "card.cnn.pool": "ReLU 之后做 2×2 最大池化：{feature} → {pooled}, {before} 个数 → {after} 个数；边缘依然保留。",
    "card.cnn.fig.image": "输入图片（用代码生成）",
    "card.cnn.fig.feature": "特征图（从左到右）：橙色 = 由暗变亮的边缘，蓝色 = 由亮变暗",
    "card.cnn.fig.pooled": "ReLU + 2×2 最大池化之后",
    "card.cnn.fig.feature_text": "特征图，从左到右（- 强的由暗变亮边缘，+ 强的由亮变暗，\",\" 较弱，· 为零）",
})

# -- perceptron / ANN ---------------------------------------------------------------------------------
EN.update({
    "card.perceptron.title": "Perceptron and ANN (multi-layer perceptron)",
    "card.perceptron.points": "A perceptron computes a weighted sum w·x + b and outputs 1 when it is positive: its "
    "decision boundary is one straight line.\n"
    "It can learn any linearly separable problem (AND, OR), but no straight line separates XOR.\n"
    "An ANN adds a hidden layer with a non-linear activation between input and output; the hidden units "
    "bend the boundary, so XOR becomes solvable.\n"
    "Pick a data set: both models are trained live, right now, on the four points.",
    "card.perceptron.control.data": "data set",
    "card.perceptron.data": "Data set {name}: {table}",
    "card.perceptron.perceptron_ok": "Single perceptron (perceptron learning rule): no mistakes after epoch "
    "{epoch}; w = ({w1}, {w2}), b = {b}; accuracy {accuracy}.",
    "card.perceptron.perceptron_fail": "Single perceptron: still making mistakes after {epochs} epochs — it never "
    "converges; final accuracy {accuracy}. No straight line puts both 1s on one side and both 0s on the other.",
    "card.perceptron.mlp": "MLP 2 → {hidden} (tanh) → 1, trained {steps} steps with Adam: accuracy {accuracy}, "
    "loss {loss}.",
    "card.perceptron.why": "The hidden layer maps the four points to a new space where one straight line does "
    "separate them — that is what 'non-linear transform' buys.",
    "card.perceptron.fig.perceptron": "perceptron: one straight boundary (blue region = predicts 1)",
    "card.perceptron.fig.mlp": "MLP with {hidden} hidden units: a bent boundary",
    "card.perceptron.fig.text": "Decision regions over [-0.5, 1.5]² (# predicts 1, · predicts 0, digits are the "
    "data points): perceptron left, MLP with {hidden} hidden units right",
})
ZH.update({
    "card.perceptron.title": "感知机与 ANN（多层感知机）",
    "card.perceptron.points": "感知机计算加权和 w·x + b, 结果为正时输出 1: 它的决策边界只是一条直线。\n"
    "它能学会任何线性可分的问题（与 AND、或 OR），但没有一条直线能分开异或 XOR。\n"
    "ANN 在输入层和输出层之间加入带非线性激活函数的隐藏层；隐藏单元把边界“掰弯”, XOR 就能解决了。\n"
    "选择一个数据集：两个模型都会现场在这四个点上训练。",
    "card.perceptron.control.data": "数据集",
    "card.perceptron.data": "数据集 {name}: {table}",
    "card.perceptron.perceptron_ok": "单个感知机（感知机学习规则）：第 {epoch} 轮起不再出错；"
    "w = ({w1}, {w2}), b = {b}; 准确率 {accuracy}。",
    "card.perceptron.perceptron_fail": "单个感知机：训练 {epochs} 轮后仍然出错 —— 永远不会收敛；最终准确率 {accuracy}。"
    "没有一条直线能把两个 1 放在一边、两个 0 放在另一边。",
    "card.perceptron.mlp": "多层感知机 2 → {hidden} (tanh) → 1, 用 Adam 训练 {steps} 步："
    "准确率 {accuracy}, 损失 {loss}。",
    "card.perceptron.why": "隐藏层把四个点映射到一个新空间，在那里一条直线就能把它们分开 —— 这就是“非线性变换”的作用。",
    "card.perceptron.fig.perceptron": "感知机：只有一条直线边界（蓝色区域 = 预测为 1）",
    "card.perceptron.fig.mlp": "有 {hidden} 个隐藏单元的多层感知机：弯曲的边界",
    "card.perceptron.fig.text": "[-0.5, 1.5]² 上的决策区域（# 预测为 1, · 预测为 0, 数字是数据点）："
    "左边是感知机，右边是有 {hidden} 个隐藏单元的多层感知机",
})

# -- rnn ----------------------------------------------------------------------------------------------
EN.update({
    "card.rnn.title": "RNN — recurrent neural network",
    "card.rnn.points": "An RNN reads a sequence one step at a time and carries a hidden state from each step to the "
    "next: h_t = tanh(W_ih·x_t + W_hh·h_(t−1) + b). The same weights are used at every step.\n"
    "That is why it handles sequences of any length (text, speech, time series) — and why its steps cannot "
    "run in parallel: step t needs h_(t−1).\n"
    "Training sends the gradient backwards through every step; multiplied by W_hh and tanh' again and again, "
    "it usually shrinks (vanishing gradient) or grows (exploding gradient), so long-range dependencies are "
    "hard to learn.\n"
    "Move the slider: the real nn.RNN runs on a longer or shorter sequence, and the gradient is measured.",
    "card.rnn.control.length": "sequence length",
    "card.rnn.shapes": "nn.RNN(input_size={size}, hidden_size={hidden}): input {input} (length, batch, features) → "
    "output {output} (one hidden state per step), h_n {last}",
    "card.rnn.steps": "{length} sequential step(s), each waiting for the previous one: {steps}",
    "card.rnn.gradient": "Gradient reaching the first input from the last hidden state: "
    "‖∂(sum of h_{length})/∂x_1‖ = {norm} (length 1: {first}; ratio {ratio})",
    "card.rnn.table": "Measured gradient norm at step 1, by sequence length: {values}",
    "card.rnn.why": "The first inputs barely influence the training signal of a long sequence: this is the "
    "vanishing gradient (LSTM/GRU gates and Transformers were designed around it).",
    "card.rnn.fig.gradient": "gradient norm reaching step 1 (log scale) for lengths 1…40; orange = current length",
})
ZH.update({
    "card.rnn.title": "RNN —— 循环神经网络",
    "card.rnn.points": "RNN 一次读入序列的一个时间步，并把隐藏状态从这一步带到下一步："
    "h_t = tanh(W_ih·x_t + W_hh·h_(t−1) + b)。每一步使用同一组权重。\n"
    "所以它能处理任意长度的序列（文本、语音、时间序列） —— 但各步不能并行：第 t 步必须等 h_(t−1)。\n"
    "训练时梯度要反向穿过每一步；一次次乘以 W_hh 和 tanh 的导数后，通常会越来越小（梯度消失）或越来越大（梯度爆炸），"
    "因此很难学到长程依赖。\n"
    "拖动滑块：真实的 nn.RNN 在更长或更短的序列上运行，并实际测量梯度。",
    "card.rnn.control.length": "序列长度",
    "card.rnn.shapes": "nn.RNN(input_size={size}, hidden_size={hidden}): 输入 {input} （长度，批量，特征） → "
    "输出 {output} （每一步一个隐藏状态），h_n {last}",
    "card.rnn.steps": "{length} 个依次执行的时间步，每一步都要等上一步：{steps}",
    "card.rnn.gradient": "从最后一个隐藏状态传回第一个输入的梯度：‖∂（h_{length} 各元素之和）/∂x_1‖ = {norm} "
    "（长度为 1 时：{first}; 比值 {ratio}）",
    "card.rnn.table": "实测第 1 步的梯度范数（按序列长度）：{values}",
    "card.rnn.why": "序列一长，最早的输入几乎影响不到训练信号：这就是梯度消失"
    "（LSTM/GRU 的门控和 Transformer 都是为此设计的）。",
    "card.rnn.fig.gradient": "传到第 1 步的梯度范数（对数刻度），长度 1…40; 橙色 = 当前长度",
})

# -- transformer --------------------------------------------------------------------------------------
EN.update({
    "card.transformer.title": "Transformer — self-attention",
    "card.transformer.points": "Self-attention lets every position look at every other position directly: each token "
    "asks a question (query), every token offers a key and a value, and the softmax of query·key decides how "
    "much of each value to take.\n"
    "All positions are computed together in one parallel step (a few matrix multiplications), instead of one "
    "step per token as in an RNN — and the first token reaches the last in one hop, not length−1 hops.\n"
    "It is a different architecture, not a kind of RNN; it powers BERT, GPT and large language models, and "
    "vision models such as ViT.\n"
    "The attention below is computed by a real nn.MultiheadAttention on a toy sentence.",
    "card.transformer.sentence": "the cat sat on the mat because it was tired",
    "card.transformer.control.length": "tokens",
    "card.transformer.control.head": "weights of",
    "card.transformer.control.average": "average",
    "card.transformer.control.head_number": "head {number}",
    "card.transformer.shapes": "nn.MultiheadAttention(embed_dim={embed}, num_heads={heads}): input {input} "
    "(batch, tokens, features) → output {output}, attention weights {weights} (batch, heads, query, key)",
    "card.transformer.parallel": "One call computed all {length}×{length} query–key pairs of both heads at once "
    "({scores} scores): 1 parallel step.",
    "card.transformer.rnn": "An RNN cell over the same tokens needed {steps} sequential steps (measured: the loop ran "
    "{steps} times), and information from the first token passes through {distance} steps to reach the last.",
    "card.transformer.rows": "Each row is a softmax: the row sums are between {low} and {high}.",
    "card.transformer.strongest": "Where each token looks most: {pairs}",
    "card.transformer.untrained": "These weights are untrained (random but fixed): the pattern has no linguistic "
    "meaning yet; training is what would make 'it' attend to 'cat'.",
    "card.transformer.fig.heat": "attention weights: row = query token, column = key token",
})
ZH.update({
    "card.transformer.title": "Transformer —— 自注意力",
    "card.transformer.points": "自注意力让每个位置直接关注其他所有位置："
    "每个词提出一个“问题”(query), 每个词提供 key 和 value, "
    "query·key 经过 softmax 决定从每个 value 中取多少。\n"
    "所有位置在一个并行步骤里一起算完（几次矩阵乘法），而不是像 RNN 那样每个词一步 —— 第一个词到最后一个词只需一跳，"
    "而不是 长度−1 跳。\n"
    "它不是 RNN 的衍生，而是另一种架构；BERT、GPT 等大语言模型，以及 ViT 等视觉模型都基于它。\n"
    "下面的注意力由真实的 nn.MultiheadAttention 在一个玩具句子上计算得出。",
    "card.transformer.sentence": "猫 坐 在 垫子 上 ， 因为 它 累 了",
    "card.transformer.control.length": "词数",
    "card.transformer.control.head": "显示",
    "card.transformer.control.average": "平均",
    "card.transformer.control.head_number": "第 {number} 个头",
    "card.transformer.shapes": "nn.MultiheadAttention(embed_dim={embed}, num_heads={heads}): 输入 {input} "
    "（批量，词数，特征） → 输出 {output}, 注意力权重 {weights} （批量，头，query, key）",
    "card.transformer.parallel": "一次调用就同时算出了两个头的全部 {length}×{length} 个 query–key 组合"
    "（共 {scores} 个分数）：1 个并行步骤。",
    "card.transformer.rnn": "用 RNN 单元处理同样的词需要 {steps} 个依次执行的步骤（实测：循环运行了 {steps} 次），"
    "第一个词的信息要经过 {distance} 步才能到达最后一个词。",
    "card.transformer.rows": "每一行都是一个 softmax: 行和在 {low} 到 {high} 之间。",
    "card.transformer.strongest": "每个词最关注的词：{pairs}",
    "card.transformer.untrained": "这些权重没有经过训练（随机但固定）：图案还没有语言上的含义；"
    "正是训练让“它”去关注“猫”。",
    "card.transformer.fig.heat": "注意力权重：行 = query 词，列 = key 词",
})

# -- autoencoder --------------------------------------------------------------------------------------
EN.update({
    "card.autoencoder.title": "Autoencoder",
    "card.autoencoder.points": "An encoder squeezes the input into a few numbers (the latent code, or bottleneck); a "
    "decoder rebuilds the input from them.\n"
    "It is trained without labels: the target is the input itself, and the loss is the reconstruction error.\n"
    "If the bottleneck is too narrow, information is lost; once it is as wide as the number of real factors in "
    "the data, the error stops falling. Uses: dimensionality reduction, denoising, anomaly detection, "
    "generating similar data.\n"
    "Move the slider: one autoencoder per bottleneck size was trained live, on pictures generated in code.",
    "card.autoencoder.control.bottleneck": "bottleneck k",
    "card.autoencoder.data": "Data: {count} pictures of {side}×{side} = {pixels} pixels, each mixed from {factors} "
    "strokes (a row, a column, a diagonal) plus a little noise — generated in code.",
    "card.autoencoder.model": "Model: encoder {pixels} → {hidden} → {k}, decoder {k} → {hidden} → {pixels}; "
    "trained {steps} steps (Adam) to reproduce its own input.",
    "card.autoencoder.error": "Reconstruction error (MSE) with k = {k}: {error} ({percent} of the data's "
    "variance {variance})",
    "card.autoencoder.curve": "Measured error for every bottleneck size: {curve}",
    "card.autoencoder.why": "The pictures were made from {factors} numbers each, so a code of {factors} numbers is "
    "enough: beyond that, a wider bottleneck buys almost nothing.",
    "card.autoencoder.fig.curve": "reconstruction error by bottleneck size (orange = current)",
    "card.autoencoder.fig.pictures": "top: original pictures; bottom: reconstructions through k = {k} numbers",
})
ZH.update({
    "card.autoencoder.title": "自编码器(Autoencoder)",
    "card.autoencoder.points": "编码器把输入压缩成少数几个数（潜在表示，即“瓶颈”）；解码器再用这几个数重构输入。\n"
    "训练不需要标签：目标就是输入本身，损失就是重构误差（无监督学习）。\n"
    "瓶颈太窄会丢失信息；一旦它和数据中真实因素的个数一样宽，误差就不再明显下降。"
    "用途：降维/可视化、去噪、异常检测、生成相似数据。\n"
    "拖动滑块：每种瓶颈大小都有一个自编码器，都是用代码生成的图片现场训练的。",
    "card.autoencoder.control.bottleneck": "瓶颈大小 k",
    "card.autoencoder.data": "数据：{count} 张 {side}×{side} = {pixels} 像素的图片，每张由 {factors} 种笔画"
    "（一行、一列、一条对角线）混合而成，再加一点噪声 —— 全部用代码生成。",
    "card.autoencoder.model": "模型：编码器 {pixels} → {hidden} → {k}, 解码器 {k} → {hidden} → {pixels}; "
    "训练 {steps} 步(Adam), 目标是还原自己的输入。",
    "card.autoencoder.error": "k = {k} 时的重构误差(MSE): {error} （占数据方差 {variance} 的 {percent}）",
    "card.autoencoder.curve": "每种瓶颈大小实测的误差：{curve}",
    "card.autoencoder.why": "每张图片本来就是由 {factors} 个数生成的，所以 {factors} 个数的编码就足够了："
    "再加宽瓶颈几乎没有收益。",
    "card.autoencoder.fig.curve": "不同瓶颈大小的重构误差（橙色 = 当前）",
    "card.autoencoder.fig.pictures": "上：原始图片；下：经过 k = {k} 个数重构的结果",
})

# -- deep learning ------------------------------------------------------------------------------------
EN.update({
    "card.deep-learning.title": "What is deep learning?",
    "card.deep-learning.points": "Deep learning is machine learning with artificial neural networks of several "
    "layers; each layer applies a linear map followed by a non-linear activation (here ReLU).\n"
    "Lower layers compute simple features, higher layers combine them into more abstract ones — and the "
    "features are learned from data, not designed by hand.\n"
    "It needs data and compute: every training step runs the whole network over the data.\n"
    "It is hard to interpret (a 'black box'): the knowledge is spread over many numbers, none of which means "
    "much on its own.\n"
    "Below, a tiny network is trained live on two rings of points; pick a point to follow it through the layers.",
    "card.deep-learning.control.sample": "point #",
    "card.deep-learning.layer.input": "input",
    "card.deep-learning.class0": "inner ring",
    "card.deep-learning.class1": "outer ring",
    "card.deep-learning.sample": "Point #{index} = ({x}, {y}), really on the {label}. Layer by layer:",
    "card.deep-learning.zeros": "← ReLU set {count} of them to 0",
    "card.deep-learning.prediction": "The last layer's larger score says: {label}.",
    "card.deep-learning.accuracy": "Accuracy on all {count} points after {steps} training steps: with two hidden "
    "layers {deep}; a single linear layer (no non-linearity) only {linear}.",
    "card.deep-learning.features": "Nobody told the network what 'distance from the centre' is: its {width}+{width} "
    "hidden features were found by gradient descent.",
    "card.deep-learning.black_box": "Black box: the network is {parameters} numbers; no single one of them explains "
    "why a point is called 'outer'.",
    "card.deep-learning.compute": "Data and compute: training ran the network {steps} times over {count} points "
    "= {total} forward passes, even for this toy problem.",
    "card.deep-learning.fig.layers": "this point's values after each layer (blue = larger)",
    "card.deep-learning.fig.deep": "two hidden layers: a curved boundary",
    "card.deep-learning.fig.linear": "one linear layer: a straight boundary",
})
ZH.update({
    "card.deep-learning.title": "什么是深度学习？",
    "card.deep-learning.points": "深度学习是以多层人工神经网络为结构的机器学习；每一层先做线性变换，"
    "再经过非线性激活函数（这里是 ReLU）。\n"
    "较低的层计算简单的特征，较高的层把它们组合成更抽象的特征 —— 而且这些特征是从数据中自动学到的，不是人工设计的。\n"
    "它需要数据和算力：每一步训练都要让整个网络把数据跑一遍。\n"
    "它的可解释性差（“黑箱”）：知识分散在大量数字里，单独看哪一个都说明不了什么。\n"
    "下面现场训练一个小网络来区分两个圆环上的点；选一个点，看它怎样一层层地被变换。",
    "card.deep-learning.control.sample": "第几个点",
    "card.deep-learning.layer.input": "输入",
    "card.deep-learning.class0": "内圈",
    "card.deep-learning.class1": "外圈",
    "card.deep-learning.sample": "第 {index} 个点 = ({x}, {y}), 实际在{label}。逐层输出：",
    "card.deep-learning.zeros": "← ReLU 把其中 {count} 个变成了 0",
    "card.deep-learning.prediction": "最后一层分数较大的一类是：{label}。",
    "card.deep-learning.accuracy": "训练 {steps} 步后在全部 {count} 个点上的准确率：两个隐藏层的网络 {deep}; "
    "只有一个线性层（没有非线性）只有 {linear}。",
    "card.deep-learning.features": "没有人告诉网络什么是“到圆心的距离”: "
    "它的 {width}+{width} 个隐藏特征是梯度下降自己找到的。",
    "card.deep-learning.black_box": "黑箱：这个网络就是 {parameters} 个数字；"
    "没有哪一个单独能解释为什么一个点被判为“外圈”。",
    "card.deep-learning.compute": "数据和算力：即使是这个玩具问题，训练也让网络在 {count} 个点上跑了 {steps} 遍，"
    "共 {total} 次前向计算。",
    "card.deep-learning.fig.layers": "这个点经过每一层后的数值（越蓝越大）",
    "card.deep-learning.fig.deep": "两个隐藏层：弯曲的边界",
    "card.deep-learning.fig.linear": "一个线性层：直线边界",
})

# -- tensor topics (live examples) --------------------------------------------------------------------
EN.update({
    "card.tensor-creation.title": "Creating tensors",
    "card.tensor-creation.points": "A tensor is an n-dimensional array: 0-d is a scalar, 1-d a vector, 2-d a "
    "matrix, and so on; its shape lists the size of each axis.\n"
    "torch.tensor(data) copies the data you give it; Python floats become float32, Python ints int64.\n"
    "torch.arange(start, end, step) excludes end (half-open); torch.linspace(start, end, steps) includes both "
    "ends and fixes the number of elements.\n"
    "torch.zeros / ones / full(shape, value) fill a new tensor; the *_like versions copy another tensor's shape.",
    "card.dtypes.title": "Element types (dtype)",
    "card.dtypes.points": "Every element of a tensor has the same dtype. Floating-point data defaults to float32: "
    "half the memory of float64 and faster, precise enough for deep learning.\n"
    "Converting float to int truncates toward zero (1.9 → 1, −1.9 → −1): it does not round.\n"
    ".type(dtype), .half(), .float(), .double(), .int(), .long() return a converted copy; the original keeps "
    "its dtype.\n"
    "A NumPy array is float64 by default, and torch.tensor(array) keeps float64.",
    "card.numpy-sharing.title": "Tensors and NumPy: shared or copied memory",
    "card.numpy-sharing.points": "torch.from_numpy(array) and tensor.numpy() share memory: writing through one "
    "changes the other.\n"
    "torch.tensor(array) and array.copy() / tensor.clone() make independent copies.\n"
    "Sharing is fast (nothing is copied) but surprising when you forget it; the example writes n[0] = 100 "
    "after building t and c — look at which of them changed.",
    "card.numpy-sharing.pairs": "Variables that share elements (measured from their memory addresses): {pairs}",
    "card.broadcasting.title": "Broadcasting",
    "card.broadcasting.points": "An element-wise operation on tensors of different shapes aligns the shapes from "
    "the right.\n"
    "Two sizes fit if they are equal or one of them is 1 (or missing); a size-1 axis is stretched to match, "
    "without copying any data.\n"
    "(3, 1) + (4,) → (3, 4): every row of a meets every column of b. (3,) + (4,) is an error.",
    "card.broadcasting.aligned": "Shapes aligned from the right (· = missing axis, treated as size 1):",
    "card.broadcasting.together": "broadcast together → {shape}",
    "card.broadcasting.incompatible": "incompatible: some axis has two different sizes, neither of them 1",
    "card.matmul.title": "Matrix multiplication",
    "card.matmul.points": "A @ B (torch.matmul) multiplies matrices: (n, m) @ (m, p) → (n, p); the inner sizes "
    "m must match and disappear.\n"
    "Extra leading axes are batch axes: (5, 2, 3) @ (3, 4) → (5, 2, 4), one product per batch element.\n"
    "A * B is different: it multiplies element by element (with broadcasting) and keeps the shape.",
    "card.reductions.title": "Reductions along dim",
    "card.reductions.points": "sum, mean, max, min … with dim=k combine all elements along axis k; that axis "
    "disappears from the shape.\n"
    "For a (2, 3) tensor, dim=0 collapses the 2 rows → (3,) (one result per column); dim=1 collapses the 3 "
    "columns → (2,) (one per row).\n"
    "keepdim=True keeps the axis with size 1 — (2, 1) — so the result still broadcasts against the original.",
})
ZH.update({
    "card.tensor-creation.title": "创建张量",
    "card.tensor-creation.points": "张量就是多维数组：0 维是标量，1 维是向量，2 维是矩阵，以此类推；"
    "形状(shape)列出每个轴的长度。\n"
    "torch.tensor(data) 会复制你给的数据；Python 浮点数变成 float32, Python 整数变成 int64。\n"
    "torch.arange(start, end, step) 不包含 end（左闭右开）；torch.linspace(start, end, steps) 两端都包含（左闭右闭），"
    "并指定元素个数。\n"
    "torch.zeros / ones / full（形状，值） 创建填充好的新张量；*_like 版本沿用另一个张量的形状。",
    "card.dtypes.title": "元素类型(dtype)",
    "card.dtypes.points": "张量的所有元素类型相同。浮点数据默认是 float32: 内存只有 float64 的一半、计算更快，"
    "精度对深度学习足够。\n"
    "浮点转整数会向零截断(1.9 → 1, −1.9 → −1), 不是四舍五入。\n"
    ".type(dtype)、.half()、.float()、.double()、.int()、.long() 返回转换后的副本；原张量的类型不变。\n"
    "NumPy 数组默认是 float64, torch.tensor（数组） 会保留 float64。",
    "card.numpy-sharing.title": "张量与 NumPy: 共享内存还是复制",
    "card.numpy-sharing.points": "torch.from_numpy（数组） 和 tensor.numpy() 共享内存：通过一个修改，另一个也跟着变。\n"
    "torch.tensor（数组）、array.copy() / tensor.clone() 得到独立的副本。\n"
    "共享很快（什么都不复制），但忘了它就会吃惊；示例在创建 t 和 c 之后执行 n[0] = 100 —— 看看谁变了。",
    "card.numpy-sharing.pairs": "共享元素的变量（根据内存地址实测）：{pairs}",
    "card.broadcasting.title": "广播机制",
    "card.broadcasting.points": "形状不同的张量做逐元素运算时，形状从右边开始对齐。\n"
    "两个长度相等，或其中一个是 1（或缺失），就能匹配；长度为 1 的轴会被“拉伸”到对方的长度，而不复制任何数据。\n"
    "(3, 1) + (4,) → (3, 4): a 的每一行与 b 的每一列相遇。(3,) + (4,) 会报错。",
    "card.broadcasting.aligned": "从右对齐后的形状（· = 缺失的轴，当作长度 1）：",
    "card.broadcasting.together": "广播结果 → {shape}",
    "card.broadcasting.incompatible": "不兼容：某个轴上有两个不同的长度，且都不是 1",
    "card.matmul.title": "矩阵乘法",
    "card.matmul.points": "A @ B(torch.matmul)做矩阵乘法：(n, m) @ (m, p) → (n, p); "
    "中间的长度 m 必须相同，相乘后消失。\n"
    "前面多出来的轴是批量轴：(5, 2, 3) @ (3, 4) → (5, 2, 4), 每个批量元素各做一次乘法。\n"
    "A * B 不同：它逐元素相乘（带广播），形状不变。",
    "card.reductions.title": "沿 dim 的归约运算",
    "card.reductions.points": "sum、mean、max、min …… 指定 dim=k 时，把第 k 个轴上的元素合并；这个轴从形状中消失。\n"
    "对形状 (2, 3) 的张量，dim=0 合并 2 行 → (3,)（每列一个结果）；dim=1 合并 3 列 → (2,)（每行一个结果）。\n"
    "keepdim=True 会保留长度为 1 的轴 —— (2, 1) —— 这样结果还能和原张量广播。",
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
    "inspector.nonfinite_skipped": "{count} NaN/Inf value(s) left out of the histogram.",
    "inspector.memory_sparse": "Layout {layout}: only the {nnz} stored values and their indices are in memory, "
    "not a strided block of all elements.",
    "inspector.memory_meta": "No memory: a meta tensor has no storage.",
    "inspector.memory_empty": "No elements, so no element of any storage is used.",
    "inspector.memory_unknown": "The storage of this object could not be mapped to element boxes.",
    "inspector.storage": "Storage: {count} element(s) × {itemsize} bytes = {size}.",
    "inspector.formula": "Element [{index}] lives in storage box {formula} (storage offset + index × stride "
    "on each axis).",
    "inspector.covers": "This view's {numel} element(s) use {distinct} of the {storage} boxes "
    "(boxes {low} … {high}).",
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
    "inspector.slice": "切片 {index}: 显示 {rows} × {columns}",
    "inspector.no_values_meta": "meta 张量只有形状和类型，没有数值：没有分配任何内存。",
    "inspector.no_values_empty": "这个张量没有元素：没有可显示的内容。",
    "inspector.no_values_dtype": "这个数组的 dtype 没有对应的张量类型；不显示它的数值。",
    "inspector.no_values_copy": "显示这些数值需要先转换出一个副本，而这个张量太大了。",
    "inspector.released": "这个张量已经不存在了：它的变量被删除了，查看器不会让你的变量一直占着内存。",
    "inspector.bool_counts": "False: {false} · True: {true}",
    "inspector.no_finite": "没有有限值可以统计。",
    "inspector.complex_magnitude": "复数：直方图统计的是它们的模 |z|。",
    "inspector.nonfinite_skipped": "有 {count} 个 NaN/Inf 值没有计入直方图。",
    "inspector.memory_sparse": "布局 {layout}: 内存中只有 {nnz} 个存储的值及其索引，"
    "而不是所有元素的一整块跨步内存。",
    "inspector.memory_meta": "没有内存：meta 张量没有存储。",
    "inspector.memory_empty": "没有元素，因此不使用任何存储中的元素。",
    "inspector.memory_unknown": "无法把这个对象的存储对应到元素格子上。",
    "inspector.storage": "存储：{count} 个元素 × {itemsize} 字节 = {size}。",
    "inspector.formula": "元素 [{index}] 位于存储格 {formula} （存储偏移 + 每个轴上的 索引 × 步长）。",
    "inspector.covers": "这个视图的 {numel} 个元素用到了 {storage} 个格子中的 {distinct} 个"
    "（第 {low} … {high} 格）。",
    "inspector.repeats": "有些格子被使用了不止一次（步长为 0: 扩展视图重复使用同一个值，而不复制）。",
    "inspector.sharing_title": "还有谁在使用这块内存：",
    "inspector.sharing_unchecked": "没有提供命名空间，因此没有检查与其他变量的内存共享。",
    "inspector.window": "（显示第 {first} … {last} 个存储格）",
    "inspector.order_hint": "蓝色格子属于这个视图；格子下方的 #k 是按行读取视图时该元素的序号。",
})
