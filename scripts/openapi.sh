#!/usr/bin/env bash
# Regenerates docs/openapi/v1.json: boots the LocalHost in the OpenAPI document test (with its own in-memory
# Azurite) and, in update mode, writes what it serves at /openapi/v1.json over the committed file. Run it after an
# intended API change and commit the file; without it, the test fails and shows where the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/azurite.sh

azurite_install
dotnet build tests/Notify.IntegrationTests -c Release -nologo -clp:ErrorsOnly
NOTIFY_UPDATE_OPENAPI=1 dotnet tests/Notify.IntegrationTests/bin/Release/net10.0/Notify.IntegrationTests.dll -noColor -noLogo \
  -method "Notify.IntegrationTests.OpenApiDocumentTests.The_committed_document_is_the_one_the_LocalHost_serves"
git --no-pager diff --stat -- docs/openapi/v1.json
