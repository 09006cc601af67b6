"""One forward and backward step of the example model under FSDP on CPU: a one-process
process group with the gloo backend (what FSDP needs to initialise), world size 1, the model
sharded with FSDP2's `fully_shard` over a CPU device mesh (FSDP1's wrapper wants a GPU)."""
import os
import tempfile

os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard

from train import TinyModel, train_step

store = tempfile.NamedTemporaryFile(delete=False)
store.close()
dist.init_process_group("gloo", init_method=f"file://{store.name}", rank=0, world_size=1)
try:
    torch.manual_seed(0)
    mesh = init_device_mesh("cpu", (1,))
    model = TinyModel()
    for block in model.blocks:
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    first = train_step(model, optimizer)
    second = train_step(model, optimizer)
    assert torch.isfinite(torch.tensor([first, second])).all(), (first, second)
    print(f"fsdp: world size {dist.get_world_size()}, loss {first:.4f} -> {second:.4f}")
finally:
    dist.destroy_process_group()
    if os.path.exists(store.name):  # the file store removes its file when the group ends
        os.unlink(store.name)
