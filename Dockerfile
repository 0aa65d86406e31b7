# support-inbox image: `docker build -t support-inbox .`
# Run with the config mounted as a file (secrets from the environment, ${VAR} in the YAML):
#   docker run --rm -v "$PWD/support-inbox.yaml:/etc/support-inbox/config.yaml:ro" \
#     -e DATABASE_URL -e IMAP_PASSWORD -e SMTP_PASSWORD -v support-inbox-data:/app/data support-inbox

# --- build: full dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled code only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# glibc otherwise raises its mmap threshold after the first big free and serves later multi-MB Buffers
# (attachments) from heaps it never returns: peak RSS of the ingest benchmark 257 MB → 227 MB with this.
ENV MALLOC_MMAP_THRESHOLD_=131072
# A young generation of at most 3 × 4 MB instead of 3 × 16 MB: 20 MB less RSS at rest and under load, with
# no loss of ingest rate (mail buffers die young either way; the worker scavenges after every batch).
ENV NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
COPY policies ./policies
COPY templates ./templates
# Embedded-default locations (PGlite data, Maildir, .eml outbox) must be writable by the non-root user.
RUN mkdir -p /app/data /app/var /etc/support-inbox && chown -R node:node /app/data /app/var
USER node
VOLUME ["/app/data", "/app/var"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/support-inbox.js", "start", "--config", "/etc/support-inbox/config.yaml"]
