# serversctl control plane (README, "Run it in a container"):
#   docker build -t serversctl .
# The Bun the project is tested with (`bun --version`); src/server/container.test.ts keeps them together.
ARG BUN_VERSION=1.4.5

# Every dependency, dev tools included: the agent build imports some of them.
FROM oven/bun:${BUN_VERSION}-debian AS deps
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile

# Only what the server loads at run time.
FROM oven/bun:${BUN_VERSION}-debian AS prod-deps
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --production

# The agent binaries (x64 and arm64) the server hands to enrolling machines,
# built by the same script as everywhere else; arm64's runtime comes from npm.
FROM deps AS build
COPY package.json tsconfig.json bunfig.toml ./
COPY agent ./agent
RUN bun run build:agent

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
# No NODE_ENV=production: Elysia would then hide which field a request got
# wrong, and the server would answer differently from the one the tests check.
ENV DATA_DIR=/data PORT=3000 HOST=0.0.0.0
# A fixed uid/gid, so a host directory mounted on /data can be given to it
# (chown 10001:10001). /data is made 0700 and its own: the server refuses a
# DATA_DIR others can write to, and a new named volume copies this owner and mode.
RUN groupadd --system --gid 10001 serversctl \
 && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/serversctl --shell /usr/sbin/nologin serversctl \
 && install -d -m 0700 -o 10001 -g 10001 /data
# Code stays root's: the server cannot rewrite what it runs.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json bunfig.toml ./
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
COPY agent ./agent
COPY deploy/healthcheck.ts ./deploy/healthcheck.ts
COPY --from=build /app/dist/agent ./dist/agent
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
# Healthy once /healthz says 200 (database reachable, first admin made); 503
# while starting or draining after SIGTERM. Bun itself asks: the image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["bun", "deploy/healthcheck.ts"]
# Bun is PID 1 and main.ts handles SIGTERM itself (drain, finish, exit 0).
# A stop takes up to ~30 s: give it `--stop-timeout 40` (compose: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["bun", "src/server/main.ts"]
