import torch
import torchvision

model = torchvision.models.resnet50()
print(model(torch.zeros(1, 3, 224, 224)).shape)
