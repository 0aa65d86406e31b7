#!/usr/bin/env bash
# Starts the built image as `docker run -v VOLUME:/app/data IMAGE` would (its own CMD, user, working
# directory and environment, through `buildah run`), with no config and an empty volume, and checks what an
# operator relies on: the log says it runs on the embedded defaults, /healthz answers, a mail delivered into
# the volume's Maildir is answered into its .eml outbox, a CLI command works beside the running worker, the MTA
# pipe client hands a mail to it, and SIGTERM stops it cleanly (exit 0, "stopped" logged).
# Usage: bash image/check.sh [TAG]
set -euo pipefail
tag="${1:-localhost/support-inbox:latest}"
buildah=(buildah --storage-driver vfs)
work="$(mktemp -d /tmp/support-inbox-image-check.XXXXXX)"
volume="$work/volume" && mkdir -p "$volume" && chown 1000:1000 "$volume"
log="$work/worker.log"
c="$("${buildah[@]}" from --pull-never "$tag")"
worker_pid=""
runner=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null || true
  pkill -f '^(/usr/local/bin/)?node /app/bin/support-inbox.js start' 2>/dev/null || true
  kill "${runner:-}" 2>/dev/null || true
  "${buildah[@]}" rm "$c" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "image check FAILED: $*" >&2; echo "--- worker log ---" >&2; cat "$log" >&2 || true; exit 1; }
run() { "${buildah[@]}" run --isolation chroot --network host -v "$volume:/app/data" "$c" -- "$@"; }

# The image listens on 127.0.0.1:9464 on the host's network here: another process there would answer for it.
if curl -fsS -o /dev/null http://127.0.0.1:9464/healthz 2>/dev/null; then
  echo "image check FAILED: something already answers on 127.0.0.1:9464 (another support-inbox?); stop it first" >&2
  exit 1
fi

# The image's own CMD, as docker run would start it.
cmd="$("${buildah[@]}" inspect --format '{{range .Docker.Config.Cmd}}{{.}} {{end}}' "$tag")"
echo "starting: $cmd"
# shellcheck disable=SC2086
run $cmd >"$log" 2>&1 &
runner=$!

for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:9464/healthz >/dev/null 2>&1; then break; fi
  kill -0 "$runner" 2>/dev/null || fail "the worker exited before /healthz answered"
  sleep 1
done
curl -fsS http://127.0.0.1:9464/healthz >/dev/null || fail "/healthz did not answer within 120 s"
worker_pid="$(pgrep -n -f '^(/usr/local/bin/)?node /app/bin/support-inbox.js start')" || fail "no worker process found"
grep -q "running on embedded defaults" "$log" || fail "the log does not say it runs on the embedded defaults"
grep -q "embedded PGlite database" "$log" || fail "the log does not name the embedded PGlite database"
echo "ok: started on the embedded defaults, /healthz answers"

# A mail delivered the Maildir way (tmp/, then rename into new/) into the volume is read and answered.
maildir="$volume/var/maildir"
for _ in $(seq 1 30); do [ -d "$maildir/new" ] && break; sleep 1; done
[ -d "$maildir/new" ] || fail "no Maildir at /app/data/var/maildir"
name="$(date +%s).image-check.$$"
printf 'From: Someone <someone@example.org>\r\nTo: support@localhost\r\nSubject: Image check\r\nMessage-ID: <image-check-%s@example.org>\r\nDate: %s\r\n\r\nHello from the image check.\r\n' \
  "$$" "$(date -R)" >"$maildir/tmp/$name"
chown 1000:1000 "$maildir/tmp/$name" && mv "$maildir/tmp/$name" "$maildir/new/$name"
for _ in $(seq 1 90); do
  ls "$volume/var/outbox"/*.eml >/dev/null 2>&1 && break
  sleep 1
done
ls "$volume/var/outbox"/*.eml >/dev/null 2>&1 || fail "no reply written into /app/data/var/outbox within 90 s"
echo "ok: a mail delivered into the volume's Maildir was answered into its .eml outbox"

# The CLI beside the running worker, as `docker compose exec support-inbox support-inbox …` does.
run support-inbox case list >"$work/cli.log" 2>&1 || { cat "$work/cli.log" >&2; fail "a CLI command beside the worker failed"; }
echo "ok: the CLI works beside the running worker"

# The MTA pipe client on the image's PATH (Perl, from the base's perl-base) hands a mail to the running worker.
printf 'From: Someone <someone@example.org>\r\nTo: support@localhost\r\nSubject: Piped check\r\nMessage-ID: <image-pipe-%s@example.org>\r\nDate: %s\r\n\r\nPiped.\r\n' \
  "$$" "$(date -R)" >"$volume/piped.eml"
chown 1000:1000 "$volume/piped.eml"
run sh -c 'support-inbox-pipe ingest --json < /app/data/piped.eml' >"$work/pipe.log" 2>&1 || { cat "$work/pipe.log" >&2; fail "support-inbox-pipe ingest failed"; }
grep -q '"outcome":"refuse"' "$work/pipe.log" || { cat "$work/pipe.log" >&2; fail "support-inbox-pipe did not print the worker's verdict"; }
grep -q "image-pipe-$$@example.org" "$log" || fail "the worker's log does not show the piped mail: it was not handed to the worker"
echo "ok: support-inbox-pipe hands a mail to the running worker and prints its verdict"

kill -TERM "$worker_pid"
status=0
wait "$runner" || status=$?
worker_pid=""
[ "$status" -eq 0 ] || fail "the worker exited with status $status after SIGTERM"
grep -q '"msg":"stopped"' "$log" || fail "the worker did not log \"stopped\" after SIGTERM"
echo "ok: SIGTERM stops it cleanly (exit 0)"
echo "image check passed"
