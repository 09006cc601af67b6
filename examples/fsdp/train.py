"""The training code of the FSDP example: a tiny Llama-style block and one training step.
The smoke test imports this module (the training code's own import) and `fsdp_smoke.py`
runs one FSDP step of it on CPU."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width: int = 64, hidden: int = 128):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.attention = nn.MultiheadAttention(width, num_heads=4, batch_first=True)
        self.feed = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, width))

    def forward(self, x):
        h = self.norm(x)
        x = x + self.attention(h, h, h, need_weights=False)[0]
        return x + self.feed(self.norm(x))


class TinyModel(nn.Module):
    def __init__(self, vocab: int = 256, width: int = 64, layers: int = 2):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(layers))
        self.head = nn.Linear(width, vocab)

    def forward(self, tokens):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def train_step(model, optimizer, batch: int = 2, length: int = 16, vocab: int = 256) -> float:
    tokens = torch.randint(0, vocab, (batch, length))
    logits = model(tokens[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), tokens[:, 1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


if __name__ == "__main__":
    model = TinyModel()
    print("loss", train_step(model, torch.optim.AdamW(model.parameters(), lr=1e-3)))
