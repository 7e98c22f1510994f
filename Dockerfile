# syntax=docker/dockerfile:1
# The My Calls backend. Docker cannot run on our development machines: this
# file is checked by test/deploy/container-files.test.ts, not built, there.
#   docker build -t my-calls-backend .
ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: production dependencies only. Debian (glibc), not Alpine: argon2
# and libsignal ship prebuilt glibc binaries in their npm packages.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime. The TypeScript sources run through tsx, a runtime
# dependency, exactly as `npm start` runs them; there is no build step.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the server's user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY core ./core
COPY adapters ./adapters
COPY apps ./apps
# The image's unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the graceful shutdown: stop accepting, close sockets with
# 1001, finish in-flight requests (SHUTDOWN_TIMEOUT), close the stores, exit 0.
STOPSIGNAL SIGTERM
# node itself, not npm, is the process that gets the signals.
CMD ["node", "--import", "tsx", "apps/server/main.ts"]
