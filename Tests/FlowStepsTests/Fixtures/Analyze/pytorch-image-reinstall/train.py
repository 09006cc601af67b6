import os

import torch
import torch.distributed as dist
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from transformers import AutoModelForCausalLM


def main():
    dist.init_process_group("nccl")
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    model = AutoModelForCausalLM.from_pretrained(os.environ.get("MODEL", "meta-llama/Llama-3.2-1B"))
    model = FSDP(model, device_id=torch.cuda.current_device())
    print("ready", dist.get_rank())
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
