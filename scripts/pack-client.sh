#!/usr/bin/env bash
# Packs src/Notify.Client into artifacts/packages with a version no earlier run used (so the NuGet package cache
# cannot hold a stale copy of it), then builds tests/Notify.Client.Tests against that PACKED package. Prints the
# version. scripts/test.sh calls it; run it alone before running the client tests by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S).$$"
rm -rf artifacts/packages && mkdir -p artifacts/packages
dotnet pack src/Notify.Client -c Release -nologo -clp:ErrorsOnly -o artifacts/packages -p:Version="$version" >&2
dotnet build tests/Notify.Client.Tests -c Release -nologo -clp:ErrorsOnly -p:NotifyClientVersion="$version" >&2
echo "$version"
