#!/usr/bin/env bash
# Runs the whole test suite: restore, build (warnings are errors), a private in-memory Azurite on free
# ports, every test project, then one closing line "tests: N passed, N failed[, N skipped]" counted from
# the result files. Exit code is non-zero when anything failed.
#   scripts/test.sh          everything (CI): unit, API, fault-injection, browser tests and the bench's short run
#   scripts/test.sh --fast   the inner loop: unit and API tests only, leaving out the tests that carry
#                            [Trait("Kind", "Fault")], [Trait("Kind", "Browser")] or [Trait("Kind", "Benchmark")],
#                            and the bench's short run
# Any other argument goes to every test executable (xUnit v3 filters, e.g. -class 'Notify.Core.Tests.X').
set -euo pipefail
cd "$(dirname "$0")/.."

fast=false
if [ "${1:-}" = --fast ]; then fast=true; shift; fi
filters=()
if $fast; then filters=(-trait- Kind=Fault -trait- Kind=Browser -trait- Kind=Benchmark); fi
source scripts/lib/azurite.sh

azurite_install
echo "Building..."
dotnet build NotifyFunctions.sln -c Release -nologo -clp:ErrorsOnly
# The client tests take Notify.Client from its packed package, with a version no earlier run used: pack, then build.
client_version=$(bash scripts/pack-client.sh)
echo "Packed Notify.Client $client_version"

results=TestResults
rm -rf "$results" && mkdir -p "$results"
blob=$(free_port); queue=$(free_port); table=$(free_port)
azurite_start "$blob" "$queue" "$table" --in-memory "$results/azurite.log"
trap 'stop_process "$AZURITE_PID"' EXIT
export NOTIFY_TEST_STORAGE; NOTIFY_TEST_STORAGE=$(azurite_connection_string "$blob" "$queue" "$table")
echo "Azurite (in memory) on 127.0.0.1:$blob/$queue/$table"
# The fault-injection tests append their figures (faults, accepted, lost, duplicated) here.
export NOTIFY_FAULT_REPORT; NOTIFY_FAULT_REPORT="$PWD/$results/faults.txt"

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  # The shared test helpers (Azurite, the fake providers) are a library, not a test project.
  if [ "$name" = Notify.Testing ]; then continue; fi
  echo "== $name"
  # Test projects are xUnit v3 executables; -result-xml writes the counts the closing line is made of.
  if ! $fast && [ "$name" = Notify.Channels.Tests ]; then
    # The breaker fault tests play an outage against wall-clock probes; beside the ~400 parallel provider tests their
    # probes can starve and the run waits out its deadline. They run apart, right after the rest of the project.
    dotnet "tests/$name/bin/Release/net10.0/$name.dll" -noColor -noLogo -result-xml "$results/$name.xml" -trait- Kind=Fault "$@" || status=1
    dotnet "tests/$name/bin/Release/net10.0/$name.dll" -noColor -noLogo -result-xml "$results/$name.faults.xml" -trait Kind=Fault "$@" || status=1
    continue
  fi
  dotnet "tests/$name/bin/Release/net10.0/$name.dll" -noColor -noLogo -result-xml "$results/$name.xml" "${filters[@]}" "$@" || status=1
done

# The benchmark's short mode, so it cannot rot: it asserts nothing about speed, only that the pipeline
# delivers (exit 1 otherwise). Figures: docs/benchmarks.md. It starts its own Azurite.
if ! $fast; then
  echo "== Notify.Bench --short"
  dotnet bench/Notify.Bench/bin/Release/net10.0/Notify.Bench.dll --short --out "$results/bench-short.json" || status=1
fi

if [ -s "$results/faults.txt" ]; then
  echo "== Fault injection (each: a batch of deliveries under one fault)"
  cat "$results/faults.txt"
fi
node scripts/lib/count-results.js "$results"/*.xml || status=1
exit $status
