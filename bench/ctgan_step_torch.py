"""One CTGAN training step in PyTorch on CPU: the same networks, spans, batch and losses as
bench/SynthNNBench/main.swift (discriminator step with the WGAN-GP penalty, then generator step).
Prints milliseconds per step."""
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

CONTINUOUS, MODES = 6, 10
DISCRETE = [9, 16, 7, 15, 6, 5, 2, 42, 2]
DATA = CONTINUOUS * (1 + MODES) + sum(DISCRETE)
COND = sum(DISCRETE)
BATCH, PAC, EMBEDDING, HIDDEN = 500, 10, 128, 256


class Residual(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.fc = nn.Linear(i, o)
        self.bn = nn.BatchNorm1d(o)

    def forward(self, x):
        return torch.cat([F.relu(self.bn(self.fc(x))), x], dim=1)


def main():
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    generator = nn.Sequential(
        Residual(EMBEDDING + COND, HIDDEN),
        Residual(EMBEDDING + COND + HIDDEN, HIDDEN),
        nn.Linear(EMBEDDING + COND + 2 * HIDDEN, DATA),
    )
    d_in = PAC * (DATA + COND)
    discriminator = nn.Sequential(
        nn.Linear(d_in, HIDDEN), nn.LeakyReLU(0.2), nn.Dropout(0.5),
        nn.Linear(HIDDEN, HIDDEN), nn.LeakyReLU(0.2), nn.Dropout(0.5),
        nn.Linear(HIDDEN, 1),
    )
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)

    def activate(raw):
        parts, start = [], 0
        for _ in range(CONTINUOUS):
            parts.append(torch.tanh(raw[:, start:start + 1]))
            parts.append(F.gumbel_softmax(raw[:, start + 1:start + 1 + MODES], tau=0.2))
            start += 1 + MODES
        for width in DISCRETE:
            parts.append(F.gumbel_softmax(raw[:, start:start + width], tau=0.2))
            start += width
        return torch.cat(parts, dim=1)

    def conditions():
        columns = torch.randint(len(DISCRETE), (BATCH,))
        cond = torch.zeros(BATCH, COND)
        mask = torch.zeros(BATCH, len(DISCRETE))
        offsets = [sum(DISCRETE[:i]) for i in range(len(DISCRETE))]
        for row in range(BATCH):
            column = int(columns[row])
            level = int(torch.randint(DISCRETE[column], (1,)))
            cond[row, offsets[column] + level] = 1
            mask[row, column] = 1
        return cond, mask

    def condition_loss(raw, cond, mask):
        total, start, cstart = 0, CONTINUOUS * (1 + MODES), 0
        for index, width in enumerate(DISCRETE):
            logp = F.log_softmax(raw[:, start:start + width], dim=1)
            target = cond[:, cstart:cstart + width] * mask[:, index:index + 1]
            total = total - (logp * target).sum()
            start += width
            cstart += width
        return total / BATCH

    def real_batch():
        data = torch.zeros(BATCH, DATA)
        for row in range(BATCH):
            start = 0
            for _ in range(CONTINUOUS):
                data[row, start] = float(torch.rand(1)) * 2 - 1
                data[row, start + 1 + int(torch.randint(MODES, (1,)))] = 1
                start += 1 + MODES
            for width in DISCRETE:
                data[row, start + int(torch.randint(width, (1,)))] = 1
                start += width
        return data

    def batch_inputs():
        c1, _ = conditions()
        c2, mask = conditions()
        return (c1, torch.randn(BATCH, EMBEDDING), real_batch(), torch.rand(BATCH // PAC, 1, 1),
                c2, mask, torch.randn(BATCH, EMBEDDING))

    def step(inputs):
        c1, noise, real, alpha_packs, c2, mask, noise2 = inputs
        with torch.no_grad():
            fake = activate(generator(torch.cat([noise, c1], dim=1)))
        fake_in = torch.cat([fake, c1], dim=1)
        real_in = torch.cat([real, c1], dim=1)
        y_fake = discriminator(fake_in.view(-1, d_in))
        y_real = discriminator(real_in.view(-1, d_in))
        alpha = alpha_packs.repeat(1, PAC, 1).view(-1, 1)
        interpolates = (alpha * real_in + (1 - alpha) * fake_in).detach().requires_grad_(True)
        critic = discriminator(interpolates.view(-1, d_in))
        gradient = torch.autograd.grad(critic.sum(), interpolates, create_graph=True)[0]
        penalty = ((gradient.view(-1, d_in).pow(2).sum(dim=1).sqrt() - 1) ** 2).mean() * 10
        loss_d = y_fake.mean() - y_real.mean()
        opt_d.zero_grad(set_to_none=True)
        (penalty + loss_d).backward()
        opt_d.step()

        raw = generator(torch.cat([noise2, c2], dim=1))
        activated = activate(raw)
        y_fake2 = discriminator(torch.cat([activated, c2], dim=1).view(-1, d_in))
        loss_g = condition_loss(raw, c2, mask) - y_fake2.mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        return float((loss_d + penalty).detach()), float(loss_g.detach())

    # The inputs of every step (conditions, real rows, noise, mixing weights) are made before the
    # clock starts, in both implementations: the step itself is what is timed.
    warmup = [batch_inputs() for _ in range(3)]
    timed = [batch_inputs() for _ in range(steps)]
    for inputs in warmup:
        step(inputs)
    start = time.perf_counter()
    for inputs in timed:
        last = step(inputs)
    seconds = time.perf_counter() - start
    print(f"torch {torch.__version__}: {seconds / steps * 1000:.2f} ms per step ({steps} steps, "
          f"width {DATA}, cond {COND}, batch {BATCH}, pac {PAC}, threads {threads}); losses D {last[0]:.4f} G {last[1]:.4f}")


if __name__ == "__main__":
    main()
