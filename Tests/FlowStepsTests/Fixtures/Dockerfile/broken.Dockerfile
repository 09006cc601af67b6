FROM python:3.11-slim AS build
RUNN pip install torch
ENTRYPOINT [ "python", 'app.py' ]
FROM build AS BUILD
COPY --from=runtime /x /y
SHELL /bin/bash -c
ENV ONLY_KEY
FROM python:${PY:-3.11 AS bad name
HEALTHCHECK --interval=5s SOMETHING
ADD --bogus=1 a
RUN echo ${
COPY <<EOF /etc/app.conf
key=value
