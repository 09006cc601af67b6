/// Each rule firing (with where) and staying silent on a correct Dockerfile.
enum DockerfileRuleCases {
    static let firing: [DockerfileRuleCase] = [
        DockerfileRuleCase("DL3000", "relative WORKDIR", "FROM alpine:3.20\nWORKDIR app\n", at: [(2, 9)]),
        DockerfileRuleCase("DL3002", "last USER root", "FROM alpine:3.20\nUSER app\nUSER root\n", at: [(3, 6)]),
        DockerfileRuleCase("DL3002", "root set in the base stage only", "FROM alpine:3.20 AS base\nUSER 0:0\nFROM base\nRUN id\n", at: [(2, 6)]),
        DockerfileRuleCase("DL3003", "cd in RUN", "FROM alpine:3.20\nRUN mkdir /x && cd /x && make\n", at: [(2, 17)]),
        DockerfileRuleCase("DL3004", "sudo", "FROM debian:12\nRUN sudo apt-get update\n", at: [(2, 5)]),
        DockerfileRuleCase("DL3006", "untagged FROM", "FROM ubuntu\n", at: [(1, 6)]),
        DockerfileRuleCase("DL3006", "ARG that resolves untagged", "ARG IMAGE=ubuntu\nFROM ${IMAGE}\n", at: [(2, 6)]),
        DockerfileRuleCase("DL3007", "latest", "FROM ubuntu:latest AS base\n", at: [(1, 6)]),
        DockerfileRuleCase("DL3008", "unpinned apt-get", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 git \\\n && rm -rf /var/lib/apt/lists/*\n", at: [(2, 81)]),
        DockerfileRuleCase("DL3009", "lists kept in the last stage", "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1\n", at: [(2, 23)]),
        DockerfileRuleCase("DL3014", "no -y", "FROM debian:12\nRUN apt-get update && apt-get install foo=1\n", at: [(2, 23)]),
        DockerfileRuleCase("DL3015", "no --no-install-recommends", "FROM debian:12\nRUN apt-get update && apt-get install -y foo=1\n", at: [(2, 23)]),
        DockerfileRuleCase("DL3016", "npm unpinned", "FROM node:20\nRUN npm install -g typescript@5.4.5 @angular/cli\n", at: [(2, 37)]),
        DockerfileRuleCase("DL3018", "apk unpinned", "FROM alpine:3.20\nRUN apk add --no-cache --virtual .deps curl\n", at: [(2, 40)]),
        DockerfileRuleCase("DL3033", "yum unpinned", "FROM centos:7\nRUN yum install -y httpd-2.4.6 python3-pip\n", at: [(2, 32)]),
        DockerfileRuleCase("DL3041", "dnf unpinned", "FROM fedora:40\nRUN dnf install -y gcc\n", at: [(2, 20)]),
        DockerfileRuleCase("DL3020", "ADD of a local file", "FROM alpine:3.20\nADD app.py /app/\n", at: [(2, 1)]),
        DockerfileRuleCase("DL3022", "COPY --from a later stage", "FROM alpine:3.20 AS a\nCOPY --from=b /x /y\nFROM alpine:3.20 AS b\n", at: [(2, 13)]),
        DockerfileRuleCase("DL3022", "COPY --from an undefined name", "FROM alpine:3.20\nCOPY --from=builder /x /y\n", at: [(2, 13)]),
        DockerfileRuleCase("DL3023", "COPY --from its own stage", "FROM alpine:3.20 AS a\nCOPY --from=A /x /y\n", at: [(2, 13)]),
        DockerfileRuleCase("DL3024", "duplicate stage names", "FROM alpine:3.20 AS a\nFROM alpine:3.20 AS A\n", at: [(2, 21)]),
        DockerfileRuleCase("DL3025", "shell-form CMD", "FROM python:3.11\nCMD python app.py\n", at: [(2, 5)]),
        DockerfileRuleCase("DL3027", "apt", "FROM debian:12\nRUN apt update\n", at: [(2, 5)]),
        DockerfileRuleCase("DL3029", "fixed --platform", "FROM --platform=linux/amd64 python:3.11\n", at: [(1, 6)]),
        DockerfileRuleCase("DL3045", "relative COPY destination", "FROM python:3.11\nCOPY app.py app/\n", at: [(2, 13)]),
        DockerfileRuleCase("DL3047", "wget without --progress", "FROM debian:12\nRUN wget https://example.com/a.tgz\n", at: [(2, 5)]),
        DockerfileRuleCase("DL3059", "consecutive RUNs", "FROM debian:12\nRUN echo a\n# between\nRUN echo b\n", at: [(4, 1)]),
        DockerfileRuleCase("DL3061", "RUN before FROM", "ARG X=1\nRUN echo\nFROM alpine:3.20\n", at: [(2, 1)]),
        DockerfileRuleCase("DL4000", "MAINTAINER", "FROM alpine:3.20\nMAINTAINER Jane <jane@example.com>\n", at: [(2, 1)]),
        DockerfileRuleCase("DL4001", "wget and curl", "FROM debian:12\nRUN wget -q https://a/x\nRUN curl -fsSL https://a/y\n", at: [(3, 5)]),
        DockerfileRuleCase("DL4003", "two CMD", "FROM alpine:3.20\nCMD [\"a\"]\nCMD [\"b\"]\n", at: [(3, 1)]),
        DockerfileRuleCase("DL4004", "two ENTRYPOINT", "FROM alpine:3.20\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n", at: [(3, 1)]),
        DockerfileRuleCase("DL4006", "pipe without pipefail", "FROM debian:12\nRUN curl -fsSL https://x/install.sh | sh\n", at: [(2, 37)]),
        DockerfileRuleCase("apt-no-update", "install without update", "FROM debian:12\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get install -y curl\n", at: [(3, 5)]),
        DockerfileRuleCase("debian-frontend", "no DEBIAN_FRONTEND", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y tzdata\n", at: [(2, 23)]),
        DockerfileRuleCase("copy-before-install", "COPY . . before pip install -r",
                 "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", at: [(3, 6)]),
        DockerfileRuleCase("dockerfile-syntax", "unknown instruction", "FROM alpine:3.20\nCOPPY a b\n", at: [(2, 1)]),
    ]

    static let silent: [DockerfileRuleCase] = [
        DockerfileRuleCase("DL3000", "absolute and variable WORKDIR", "FROM alpine:3.20\nWORKDIR /app\nENV HOME=/root\nWORKDIR $HOME/x\n"),
        DockerfileRuleCase("DL3002", "unprivileged last USER", "FROM alpine:3.20\nUSER root\nRUN id\nUSER 1000\n"),
        DockerfileRuleCase("DL3002", "root only in a build stage", "FROM alpine:3.20 AS build\nUSER root\nFROM alpine:3.20\nUSER app\n"),
        DockerfileRuleCase("DL3003", "WORKDIR instead of cd", "FROM alpine:3.20\nWORKDIR /x\nRUN make\n"),
        DockerfileRuleCase("DL3004", "no sudo", "FROM debian:12\nRUN echo sudo\n"),
        DockerfileRuleCase("DL3006", "tag, digest, scratch, stage, ARG with tag",
                 "FROM ubuntu:22.04 AS base\nFROM ubuntu@sha256:abc\nFROM scratch\nFROM base\nARG X\nFROM $UNSET\n"),
        DockerfileRuleCase("DL3006", "ARG that resolves to a tag", "ARG IMAGE=python:3.11-slim\nFROM ${IMAGE}\n"),
        DockerfileRuleCase("DL3007", "pinned tag", "FROM ubuntu:24.04\nFROM localhost:5000/ubuntu\n"),
        DockerfileRuleCase("DL3008", "pinned, .deb and release", "FROM debian:12\nRUN apt-get install -y curl=7.88 ./x.deb foo/bookworm-backports\n"),
        DockerfileRuleCase("DL3009", "lists removed", "FROM debian:12\nRUN apt-get update && apt-get install -y a=1 && rm -rf /var/lib/apt/lists/*\n"),
        DockerfileRuleCase("DL3009", "not shipped intermediate stage", "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y a=1\nFROM debian:12\nCOPY --from=build /x /x\n"),
        DockerfileRuleCase("DL3009", "cache mount", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y a=1\n"),
        DockerfileRuleCase("DL3014", "-y variants", "FROM debian:12\nRUN apt-get install --yes a && apt-get -qq install b && apt-get install -yq c\n"),
        DockerfileRuleCase("DL3015", "--no-install-recommends", "FROM debian:12\nRUN apt-get install -y --no-install-recommends a\n"),
        DockerfileRuleCase("DL3016", "pinned npm and package.json installs", "FROM node:20\nRUN npm install && npm ci && npm i -g @scope/x@1.2.3 ./local\n"),
        DockerfileRuleCase("DL3018", "pinned apk", "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.0-r0\n"),
        DockerfileRuleCase("DL3033", "pinned yum", "FROM centos:7\nRUN yum install -y httpd-2.4.6 ./local.rpm\n"),
        DockerfileRuleCase("DL3041", "pinned dnf", "FROM fedora:40\nRUN dnf install -y gcc-14.1.1\n"),
        DockerfileRuleCase("DL3020", "ADD of URL and archive", "FROM alpine:3.20\nADD https://example.com/a.txt /a\nADD rootfs.tar.gz /\n"),
        DockerfileRuleCase("DL3022", "earlier stage, index, image", "FROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1.27 /c /c\n"),
        DockerfileRuleCase("DL3023", "another stage", "FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\nCOPY --from=a /x /y\n"),
        DockerfileRuleCase("DL3024", "distinct names", "FROM alpine:3.20 AS a\nFROM alpine:3.20 AS b\n"),
        DockerfileRuleCase("DL3025", "JSON form", "FROM python:3.11\nCMD [\"python\", \"app.py\"]\nENTRYPOINT [\"tini\", \"--\"]\n"),
        DockerfileRuleCase("DL3027", "apt-get and apt-cache", "FROM debian:12\nRUN apt-get update && apt-cache policy curl\n"),
        DockerfileRuleCase("DL3029", "BUILDPLATFORM variable", "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM --platform=${TARGETPLATFORM} alpine:3.20\n"),
        DockerfileRuleCase("DL3045", "WORKDIR set, also through the base stage", "FROM python:3.11 AS base\nWORKDIR /app\nFROM base\nCOPY app.py app/\nCOPY x /abs/\n"),
        DockerfileRuleCase("DL3047", "quiet or progress wget", "FROM debian:12\nRUN wget -q https://a/x && wget --progress=dot:giga https://a/y && wget -nv https://a/z && wget -qO- https://a/w\n"),
        DockerfileRuleCase("DL3059", "chained RUN and different flags", "FROM debian:12\nRUN a && b\nRUN c\nRUN --mount=type=cache,target=/x d\n"),
        DockerfileRuleCase("DL3061", "ARG before FROM", "ARG BASE=alpine:3.20\nFROM ${BASE}\n"),
        DockerfileRuleCase("DL4000", "LABEL maintainer", "FROM alpine:3.20\nLABEL maintainer=\"jane@example.com\"\n"),
        DockerfileRuleCase("DL4001", "one tool per stage", "FROM debian:12 AS a\nRUN wget -q https://a/x\nFROM debian:12\nRUN curl -fsSL https://a/y\n"),
        DockerfileRuleCase("DL4003", "one CMD per stage", "FROM alpine:3.20 AS a\nCMD [\"a\"]\nFROM alpine:3.20\nCMD [\"b\"]\n"),
        DockerfileRuleCase("DL4004", "one ENTRYPOINT per stage", "FROM alpine:3.20 AS a\nENTRYPOINT [\"a\"]\nFROM alpine:3.20\nENTRYPOINT [\"b\"]\n"),
        DockerfileRuleCase("DL4006", "SHELL pipefail, set -o pipefail, or ||",
                 "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | sh\nFROM debian:12 AS b\nRUN set -eo pipefail; curl https://x | sh\nRUN a || b\n"),
        DockerfileRuleCase("apt-no-update", "update first, also in a heredoc",
                 "FROM debian:12\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y a\nRUN <<EOF\napt-get -qq update\napt-get install -y b\nEOF\n"),
        DockerfileRuleCase("debian-frontend", "ARG, ENV in the base stage, or the command prefix",
                 "FROM debian:12 AS a\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y a\nFROM ubuntu:24.04 AS b\nENV DEBIAN_FRONTEND=noninteractive\nFROM b\nRUN apt-get update && apt-get install -y b\nFROM debian:12\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y c\n"),
        DockerfileRuleCase("copy-before-install", "requirements copied first",
                 "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"),
        DockerfileRuleCase("dockerfile-syntax", "every instruction", """
            # syntax=docker/dockerfile:1
            ARG BASE=python:3.11
            FROM --platform=$BUILDPLATFORM ${BASE} AS build
            LABEL org.opencontainers.image.title="x" version=1
            EXPOSE 8080/tcp
            ENV A=1 B="two words"
            ADD --chmod=644 --checksum=sha256:abc https://example.com/x /x
            COPY --chown=1000:1000 --link . /app
            VOLUME ["/data"]
            USER 1000
            WORKDIR /app
            ONBUILD RUN echo hi
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]
            SHELL ["/bin/bash", "-c"]
            RUN --network=none --mount=type=cache,target=/root/.cache echo ok
            CMD ["python"]
            ENTRYPOINT ["tini", "--"]
            """),
    ]
}
