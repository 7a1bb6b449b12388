# The flotilla image: one binary and its front end on an empty base (no shell, no package
# manager), run as uid 10001. Two ways to build the same final stage:
#
#   docker build -t flotilla .        with registry access: Rust 1.95 builds everything in the
#                                     builder stage (roughly 25 minutes on 2 cores)
#   scripts/image.sh                  with no registry at all: the host's build, assembled by
#                                     the same scripts/rootfs.sh, through the `local` target
#
# Stage order matters: the classic builder builds every stage up to --target, BuildKit only
# those the target needs. `local` comes first and uses nothing but `scratch`, so
# `--target local` never pulls with either builder.

# OCI labels: scripts/image.sh passes the binary's version, the git commit (-dirty for local
# changes) and git's origin URL; with `docker build`, pass them as --build-arg.
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown

# What both images are, whichever stage filled in their root filesystem.
FROM scratch AS base
ARG VERSION
ARG REVISION
ARG SOURCE
LABEL org.opencontainers.image.title="flotilla" \
      org.opencontainers.image.description="A live Docker Swarm visualizer and control panel" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# serve and health both read FLOTILLA_ADDR: change the port with -e FLOTILLA_ADDR=0.0.0.0:9000
# and the health check follows.
ENV FLOTILLA_ADDR=0.0.0.0:8080 \
    LEPTOS_SITE_ROOT=/site \
    DOCKER_HOST=unix:///var/run/docker.sock
# The Docker socket is root:docker 0660: run with --group-add <the socket's gid>, or as root
# (--user 0) where the socket's group cannot be given (see README, The image).
USER 10001:10001
# The audit log, session key, kiosk links and stack uploads (mount a volume here to keep them).
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/flotilla", "health"]
ENTRYPOINT ["/flotilla"]
CMD ["serve"]

# The image from a root filesystem made on the host by scripts/image.sh (scripts/rootfs.sh),
# which passes that directory as the whole build context. A plain `docker build .` with the
# classic builder also runs this stage (on the repository as context): it then holds the
# sources, and nothing uses it.
FROM base AS local
COPY . /

# Build everything, for users who can pull rust:1.95-bookworm and reach crates.io and npm.
FROM rust:1.95-bookworm AS builder
# The scripts hold the pins (wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock,
# binaryen is the npm release that hydrates): run and read them rather than repeat them.
COPY scripts/install.sh scripts/wasm-bindgen.sh /tmp/
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends binutils brotli ca-certificates curl npm; \
    rm -rf /var/lib/apt/lists/*; \
    rustup target add wasm32-unknown-unknown; \
    /tmp/wasm-bindgen.sh; \
    binaryen="$(sed -n 's/^BINARYEN_NPM_VERSION=\([^ ]*\).*/\1/p' /tmp/install.sh)"; \
    npm install --silent --prefix /opt/binaryen "binaryen@$binaryen"
WORKDIR /src
COPY . .
# The release server and the release front end (the wasm-release profile, then wasm-opt as
# cargo-leptos runs it), then the root filesystem, as scripts/image.sh makes it.
RUN set -eux; \
    cargo build --release -p flotilla-server; \
    PATH="/opt/binaryen/node_modules/.bin:$PATH" scripts/build-front.sh; \
    scripts/rootfs.sh target/release/flotilla target/site /rootfs

# The image (the default target): the builder's root filesystem on the common base.
FROM base
COPY --from=builder /rootfs /
