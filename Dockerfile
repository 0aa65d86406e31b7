# support-inbox image: `docker build -t support-inbox .` (or `buildah bud`; see image/build-local.sh).
#
# With no config it starts on the embedded defaults, everything under the volume at /app/data:
#   docker run --rm -v support-inbox-data:/app/data support-inbox
#   → PGlite in /app/data/data, Maildir in /app/data/var/maildir (deliver into new/), mail written as .eml
#     files into /app/data/var/outbox; the log says so line by line.
# With Postgres and a config (secrets from the environment, ${VAR} in the YAML):
#   docker run --rm -v "$PWD/support-inbox.yaml:/etc/support-inbox/config.yaml:ro" \
#     -e SUPPORT_INBOX_CONFIG=/etc/support-inbox/config.yaml -e DATABASE_URL -e IMAP_PASSWORD -e SMTP_PASSWORD \
#     -v support-inbox-data:/app/data support-inbox
# compose.yaml runs it next to Postgres.

# --- build: full dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled code only (no tsx, no TypeScript, no test tools) ---
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
# The embedded defaults are paths relative to the working directory (./data, ./var/maildir, ./var/outbox,
# ./support-inbox.yaml), so working in the volume puts all of them, and an optional config, in it.
# `support-inbox` on the PATH, so `docker compose exec support-inbox support-inbox case list` works, and the
# MTA pipe client beside it (Perl from the image's perl-base: no package to add).
RUN ln -s /app/bin/support-inbox.js /usr/local/bin/support-inbox \
  && ln -s /app/bin/support-inbox-pipe /usr/local/bin/support-inbox-pipe \
  && mkdir -p /app/data /etc/support-inbox && chown -R node:node /app/data
USER node
WORKDIR /app/data
VOLUME ["/app/data"]
EXPOSE 9464
# /healthz of the HTTP listener (http.listen, default 127.0.0.1:9464: inside the container, so the check
# reaches it). A config that moves the listener or sets `http: false` must change or drop this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The worker stops its loops, finishes the batch in hand and closes the database on SIGTERM.
STOPSIGNAL SIGTERM
CMD ["node", "/app/bin/support-inbox.js", "start"]
