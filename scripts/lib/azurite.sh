#!/usr/bin/env bash
# Helpers to install and run Azurite (the Azure Storage emulator, pinned in package.json).
# Sourced by run-local.sh and test.sh; not run on its own.

# The emulator's fixed, public development account (documented by Microsoft; not a secret).
AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

# Installs the pinned npm tools (Azurite, the browser tests' Chromium) into node_modules unless they are there and
# no newer than package-lock.json.
azurite_install() {
  if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing Azurite and the test browser (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

# True when something listens on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# azurite_start BLOB QUEUE TABLE LOCATION|--in-memory LOGFILE: starts Azurite in the background, sets AZURITE_PID.
azurite_start() {
  local blob=$1 queue=$2 table=$3 location=$4 log=$5
  local storage=(--location "$location")
  if [ "$location" = "--in-memory" ]; then
    storage=(--inMemoryPersistence)
  else
    mkdir -p "$location"
  fi
  # --skipApiVersionCheck: Azure.Storage.Queues 12.28 speaks a service version newer than Azurite 3.37 knows.
  node_modules/.bin/azurite --silent --skipApiVersionCheck \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table" \
    "${storage[@]}" >"$log" 2>&1 &
  AZURITE_PID=$!
  for _ in $(seq 1 100); do
    if port_open "$blob" && port_open "$queue" && port_open "$table"; then
      return 0
    fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      echo "Azurite exited; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "Azurite did not start listening within 20 s; its log:" >&2
  cat "$log" >&2
  return 1
}

# azurite_connection_string BLOB QUEUE TABLE
azurite_connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$1/$AZURITE_ACCOUNT;QueueEndpoint=http://127.0.0.1:$2/$AZURITE_ACCOUNT;TableEndpoint=http://127.0.0.1:$3/$AZURITE_ACCOUNT;"
}

# stop_process PID: asks politely, then insists after 3 s (Azurite can wait on idle keep-alive connections).
stop_process() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
