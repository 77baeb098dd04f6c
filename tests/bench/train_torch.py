"""The reference for `npm run bench -- train`: the paper's MNIST net trained by PyTorch on the CPU.

The same work as `kleinscope train --arch mnist-paper --runs R --steps S --batch B --snapshots S` does per run:
conv 3x3 (valid) 1->64, ReLU, 2x2 max-pool, conv 3x3 (valid) 64->8, ReLU, 2x2 max-pool, dense 200->512, ReLU,
dense 512->10, mean softmax cross-entropy, Adam (lr 1e-3); R runs one after the other, each with its own seed,
then the test accuracy on 1,000 held-out images and the conv kernels written at the last step. The images are
random tensors of MNIST's shape (28x28x1, values in [0, 1], 10 classes), not MNIST itself: the arithmetic per
step does not depend on the pixel values. The bench runs it with Debian's /usr/bin/python3 and times the whole
process; it is never a dependency of the project.

usage: train_torch.py --threads N --runs R --steps S --batch B --out DIR
"""

import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, required=True)
parser.add_argument("--runs", type=int, default=8)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--out", required=True)
args = parser.parse_args()

import torch  # noqa: E402  (after the arguments, so a bad command line fails fast)
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)

TRAIN, TEST = 9000, 1000  # the packed MNIST's split in Kleinscope


def mnist_paper() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(5 * 5 * 8, 512),
        nn.ReLU(),
        nn.Linear(512, 10),
    )


data = torch.Generator().manual_seed(0)
images = torch.rand(TRAIN + TEST, 1, 28, 28, generator=data)
labels = torch.randint(0, 10, (TRAIN + TEST,), generator=data)
started = time.perf_counter()
accuracies = []
for run in range(args.runs):
    torch.manual_seed(1000 + run)
    model = mnist_paper()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.Generator().manual_seed(run)
    model.train()
    for step in range(args.steps):
        batch = torch.randint(0, TRAIN, (args.batch,), generator=order)
        optimiser.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
        loss.backward()
        optimiser.step()
    model.eval()
    with torch.no_grad():
        predicted = model(images[TRAIN:]).argmax(1)
        accuracies.append((predicted == labels[TRAIN:]).float().mean().item())
    folder = os.path.join(args.out, f"run-{run:03d}")
    os.makedirs(folder, exist_ok=True)
    for layer, conv in enumerate([model[0], model[3]], start=1):
        # Kleinscope's layout, [3, 3, cin, cout], as raw float32.
        kernel = conv.weight.detach().permute(2, 3, 1, 0).contiguous()
        with open(os.path.join(folder, f"step-{args.steps:07d}-conv{layer}.f32"), "wb") as f:
            f.write(kernel.numpy().tobytes())
print(
    json.dumps(
        {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "trainSeconds": time.perf_counter() - started,
            "lastLoss": loss.item(),
            "accuracy": sum(accuracies) / len(accuracies),
        }
    )
)
