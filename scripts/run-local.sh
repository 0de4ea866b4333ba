#!/usr/bin/env bash
# Runs Notify locally: installs Azurite (npm, pinned) and starts it on 127.0.0.1:10000-10002 unless one is
# already there (data in .azurite/, git-ignored), then starts the LocalHost on http://127.0.0.1:7071 with a
# demo app, template and user, and prints ready-to-paste curl commands. Ctrl-C stops what it started.
#
# Environment (all optional):
#   NOTIFY_DEMO_APP_KEY     demo app key      (default: demo-app)
#   NOTIFY_DEMO_APP_SECRET  demo app secret   (default: demo-secret-change-me)
#   NOTIFY_PORT             LocalHost port    (default: 7071)
#   Notify__Console__SigningKey  console session key (default: a random one per run)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/azurite.sh

app_key=${NOTIFY_DEMO_APP_KEY:-demo-app}
app_secret=${NOTIFY_DEMO_APP_SECRET:-demo-secret-change-me}
port=${NOTIFY_PORT:-7071}

azurite_install
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Newest first: the LocalHost, then the Azurite this script started (never one that was already running).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_process "${pids[i]}"; done
  exit "$status"
}
trap cleanup EXIT INT TERM

if port_open 10000 && port_open 10001 && port_open 10002; then
  echo "Azurite is already listening on 127.0.0.1:10000-10002; using it."
else
  echo "Starting Azurite on 127.0.0.1:10000-10002 (data in .azurite/)..."
  azurite_start 10000 10001 10002 .azurite .azurite/azurite.log
  pids+=("$AZURITE_PID")
fi

echo "Building the LocalHost..."
dotnet build src/Notify.LocalHost -c Debug -nologo -clp:ErrorsOnly

export Storage="UseDevelopmentStorage=true"
export LocalHost__SeedDemo=true LocalHost__DemoAppKey="$app_key" LocalHost__DemoAppSecret="$app_secret"
export ASPNETCORE_ENVIRONMENT=Development
# The console's session signing key: a fresh dev key per run (sessions end when the script stops), unless one is set.
export Notify__Console__SigningKey="${Notify__Console__SigningKey:-$(head -c 32 /dev/urandom | base64)}"
# The end users' inbox tokens (docs/inbox.md): a random key per run, like the console's.
export Notify__Inbox__SigningKey="${Notify__Inbox__SigningKey:-$(head -c 32 /dev/urandom | base64)}"
# The contact lookup's key, kept beside the Azurite data (git-ignored), so users written in earlier runs stay findable.
mkdir -p .azurite
[ -s .azurite/dev-contact-lookup-key ] || head -c 32 /dev/urandom | base64 > .azurite/dev-contact-lookup-key
export Notify__Console__ContactLookupKey="${Notify__Console__ContactLookupKey:-$(cat .azurite/dev-contact-lookup-key)}"
# The built app itself, not `dotnet run`, so that stopping this script stops it too.
(cd src/Notify.LocalHost && exec dotnet bin/Debug/net10.0/Notify.LocalHost.dll --urls "http://127.0.0.1:$port") &
pids+=("$!")

for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null

cat <<MSG

Notify is running on http://127.0.0.1:$port (Ctrl-C stops it and the Azurite it started).

The operator console: http://127.0.0.1:$port/console/  (sign in with app key $app_key, secret $app_secret)

Send a first notification to the demo user (e-mail, SMS and push through the local Outbox):

  curl -u $app_key:$app_secret -H 'Content-Type: application/json' \\
    http://127.0.0.1:$port/api/v1/notifications \\
    -d '{"eventId":"first-'"\$(date +%s)"'","template":"welcome","recipients":["demo-user"],"data":{"name":"Ann","code":"4711"}}'

The in-app inbox: the demo user's bell (<notify-inbox>) on a demo page, http://127.0.0.1:$port/dev/inbox/
Make an item appear in it, live:

  curl -u $app_key:$app_secret -H 'Content-Type: application/json' \\
    http://127.0.0.1:$port/api/v1/notifications \\
    -d '{"eventId":"inbox-'"\$(date +%s)"'","template":"welcome","recipients":["demo-user"],"channels":["inbox"],"data":{"name":"Ann","code":"4711"}}'

Read its status (use an "id" from the answer above):

  curl -u $app_key:$app_secret http://127.0.0.1:$port/api/v1/notifications/ID

Create or update many users at once (up to 1,000, with devices and preferences; add "dryRun":true to validate only):

  curl -u $app_key:$app_secret -H 'Content-Type: application/json' \\
    http://127.0.0.1:$port/api/v1/users/batch \\
    -d '{"users":[{"userId":"ann","email":"ann@example.com","devices":[{"token":"ann-fcm-token-1","platform":"fcm"}]},{"userId":"bob","phone":"+15555550101","preferences":{"sms":true}}]}'

See what the Outbox "sent":

  curl -u $app_key:$app_secret 'http://127.0.0.1:$port/api/v1/dev/outbox?userId=demo-user'

MSG
wait
