# syntax=docker/dockerfile:1
# The My Calls backend. Docker cannot run on our development machines: this
# file is checked by test/deploy/container-files.test.ts, not built, there.
#   docker build -t my-calls-backend .
# Node 24, the active LTS; the server is also tested on Node 20 and 22.
ARG NODE_IMAGE=node:24-trixie-slim

# Stage 1: compile the TypeScript sources to JavaScript (dist/) with tsc, and
# bundle the web app into dist/web/, as `npm start` does before it runs them.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY core ./core
COPY adapters ./adapters
COPY apps ./apps
COPY sdk ./sdk
RUN npm run build

# Stage 2: production dependencies only. Debian (glibc), not Alpine: argon2
# and libsignal ship prebuilt glibc binaries in their npm packages. libsignal
# ships them for six platforms (150 MB): only this image's one is kept.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && find node_modules/@signalapp/libsignal-client/prebuilds -mindepth 1 -maxdepth 1 \
    ! -name "$(node -p 'process.platform + "-" + process.arch')" -exec rm -rf {} +

# Stage 3: the runtime. Plain JavaScript emitted by tsc: no TypeScript, no
# loader, no dev dependency in the image.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the server's user.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The image's unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the graceful shutdown: stop accepting, close sockets with
# 1001, finish in-flight requests (SHUTDOWN_TIMEOUT), close the stores, exit 0.
STOPSIGNAL SIGTERM
# node itself, not npm, is the process that gets the signals; the same command
# as `npm start`. --v8-pool-size=0: V8's helper threads (GC, compiler) sized to
# the CPUs the process may use instead of a fixed 4 (README, Deploying).
CMD ["node", "--v8-pool-size=0", "dist/apps/server/main.js"]
