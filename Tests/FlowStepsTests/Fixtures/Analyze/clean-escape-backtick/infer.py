import numpy as np
import torch

print(torch.from_numpy(np.ones(3)).sum().item())
