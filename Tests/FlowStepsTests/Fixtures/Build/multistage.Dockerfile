# syntax=docker/dockerfile:1
ARG PY=3.11
FROM python:${PY}-slim AS base
RUN pip install --no-cache-dir wheel
FROM base AS app
COPY --from=base /usr/lib /usr/lib
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
COPY --from=0 /etc/os-release /etc/os-release
CMD ["python"]
