# syntax=docker/dockerfile:1
# FSDP training image on the NGC PyTorch container, with EFA and the AWS OFI NCCL plugin.
FROM nvcr.io/nvidia/pytorch:24.07-py3

ARG DEBIAN_FRONTEND=noninteractive
ARG EFA_INSTALLER_VERSION=1.33.0
ARG AWS_OFI_NCCL_VERSION=v1.9.2-aws
ENV OPEN_MPI_PATH=/opt/amazon/openmpi

RUN apt-get update -y && \
    apt-get remove -y --allow-change-held-packages \
        libmlx5-1 ibverbs-utils libibverbs-dev libibverbs1 && \
    apt-get install -y --no-install-recommends \
        autoconf \
        libhwloc-dev \
        pciutils && \
    rm -rf /var/lib/apt/lists/*

# EFA: the installer brings libfabric and Open MPI.
RUN cd /tmp && \
    curl -sSLO https://efa-installer.amazonaws.com/aws-efa-installer-${EFA_INSTALLER_VERSION}.tar.gz && \
    tar -xf aws-efa-installer-${EFA_INSTALLER_VERSION}.tar.gz && \
    cd aws-efa-installer && \
    ./efa_installer.sh -y -g -d --skip-kmod --skip-limit-conf --no-verify && \
    rm -rf /tmp/aws-efa-installer*

ENV LD_LIBRARY_PATH=/opt/amazon/efa/lib:${OPEN_MPI_PATH}/lib:$LD_LIBRARY_PATH
ENV PATH=/opt/amazon/efa/bin:${OPEN_MPI_PATH}/bin:$PATH

WORKDIR /fsdp
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt
COPY src/ ./src/

ENV NCCL_DEBUG=INFO \
    FI_EFA_USE_DEVICE_RDMA=1
CMD ["torchrun", "--nproc_per_node=8", "src/train.py"]
