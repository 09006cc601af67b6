"""One forward and backward step of a tiny two-block model under FSDP, on CPU with gloo.

A `smoke-test` script for `level: full`: it proves the image can build a model, shard it with
FSDP, run a training step and tear the process group down, without a GPU. Exit 0 means it
worked; any exception fails the check with its traceback.
"""
import os
import tempfile

import torch
import torch.distributed as dist
from torch import nn


class Block(nn.Module):
    """A pre-norm MLP block with a residual, the shape of a transformer block's feed-forward half."""

    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.up = nn.Linear(width, 4 * width)
        self.down = nn.Linear(4 * width, width)

    def forward(self, x):
        return x + self.down(nn.functional.silu(self.up(self.norm(x))))


class TinyModel(nn.Module):
    def __init__(self, vocab=64, width=32, blocks=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(blocks))
        self.head = nn.Linear(width, vocab)

    def forward(self, tokens):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def shard(model):
    """FSDP2 (`fully_shard`, torch 2.6 and later) when there, else FSDP1 on the CPU."""
    try:
        from torch.distributed.device_mesh import init_device_mesh
        from torch.distributed.fsdp import fully_shard
    except ImportError:
        from torch.distributed.fsdp import FullyShardedDataParallel
        return FullyShardedDataParallel(model, device_id=torch.device("cpu")), "FSDP1"
    mesh = init_device_mesh("cpu", (1,))
    for block in model.blocks:
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model, "FSDP2"


def main():
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    store = os.path.join(tempfile.mkdtemp(prefix="fsdp-smoke-"), "store")
    dist.init_process_group("gloo", init_method="file://" + store, rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        model, kind = shard(TinyModel())
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        tokens = torch.randint(0, 64, (4, 16))
        logits = model(tokens[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))
        loss.backward()
        optimizer.step()
        if not torch.isfinite(loss):
            raise RuntimeError("the loss is not finite: %r" % loss.item())
        print("%s forward and backward on CPU with gloo: loss %.4f, torch %s" % (kind, loss.item(), torch.__version__))
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
