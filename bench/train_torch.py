#!/usr/bin/python3
"""The PyTorch side of bench/train: trains the same MLP or CNN as Kiln on the file TrainBench wrote.

A plain loop, as a PyTorch user would write it: index shuffling with torch.randperm (no DataLoader), batches
gathered by fancy indexing, Adam, cross-entropy on logits, and per step the batch loss and correct count read
back to Python (Kiln's loop does the same: it reports loss and training accuracy per epoch). Weights start like
DJL's default XavierInitializer (uniform, bound sqrt(6 / ((fan_in + fan_out) / 2))) with zero biases, as Kiln's
do. Only the training loop of each epoch is timed, in wall time and in this thread's CPU time (with one intra-op
thread, PyTorch computes on the calling thread). Prints one JSON object on stdout.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def read(path):
    header = np.fromfile(path, dtype="<i4", count=4)
    n_train, n_test, h, w = (int(v) for v in header)
    offset = 16
    def take(count, dtype):
        nonlocal offset
        a = np.fromfile(path, dtype=dtype, count=count, offset=offset)
        offset += count * 4
        return a
    train_x = take(n_train * h * w, "<f4").reshape(n_train, 1, h, w)
    train_y = take(n_train, "<i4").astype(np.int64)
    test_x = take(n_test * h * w, "<f4").reshape(n_test, 1, h, w)
    test_y = take(n_test, "<i4").astype(np.int64)
    return (torch.from_numpy(train_x), torch.from_numpy(train_y), torch.from_numpy(test_x),
            torch.from_numpy(test_y))


def network(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
    raise ValueError("model: " + name)


def djl_xavier(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            receptive = m.weight[0][0].numel()
            fan_in = m.weight.shape[1] * receptive
            fan_out = m.weight.shape[0] * receptive
            bound = math.sqrt(6.0 / ((fan_in + fan_out) / 2.0))
            nn.init.uniform_(m.weight, -bound, bound)
            nn.init.zeros_(m.bias)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eps", type=float, default=1e-7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_x, train_y, test_x, test_y = read(a.data)
    if a.model == "mlp":
        train_x = train_x.reshape(len(train_x), -1)
        test_x = test_x.reshape(len(test_x), -1)
    model = network(a.model)
    djl_xavier(model)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, eps=a.eps)
    n = len(train_x)
    epoch_seconds = []
    epoch_cpu_seconds = []
    losses = []
    for _ in range(a.epochs):
        model.train()
        start = time.perf_counter()
        cpu_start = time.thread_time()
        order = torch.randperm(n)
        loss_sum = 0.0
        correct = 0
        for i in range(0, n, a.batch):
            idx = order[i:i + a.batch]
            xb = train_x[idx]
            yb = train_y[idx]
            opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        epoch_seconds.append(time.perf_counter() - start)
        epoch_cpu_seconds.append(time.thread_time() - cpu_start)
        losses.append(loss_sum / n)
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "epoch_seconds": epoch_seconds,
                      "epoch_cpu_seconds": epoch_cpu_seconds, "losses": losses, "accuracy": accuracy}))


if __name__ == "__main__":
    main()
