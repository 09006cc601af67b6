ARG BASE_IMAGE=nvcr.io/nvidia/pytorch:24.07-py3
FROM ${BASE_IMAGE} AS base
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends git=1:2.43.0-1ubuntu7.1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /workspace
COPY requirements.txt /workspace/
RUN pip install --no-cache-dir -r requirements.txt

FROM base AS hpto
COPY . /workspace/hpto
RUN pip install --no-cache-dir -r /workspace/hpto/requirements-hpto.txt
COPY --from=base /workspace/requirements.txt /workspace/hpto/requirements.lock
USER 1000:1000
ENTRYPOINT ["python", "-m", "hpto.train"]
