import torchaudio

print(torchaudio.__version__)
