#!/usr/bin/env bash
# Restores the Bicep CLI from NuGet and compiles/lints the templates in infra/.
#
#   scripts/bicep.sh path          print the path of the bicep binary (restoring it first if needed)
#   scripts/bicep.sh check         build + lint main.bicep and build the three .bicepparam examples; fails on any warning
#   scripts/bicep.sh build OUTDIR  write the compiled ARM JSON (main.json, main.parameters.json, main.prod.parameters.json,
#                                  main.private.parameters.json) and a snapshot of each example (main.snapshot.json,
#                                  main.prod.snapshot.json, main.private.snapshot.json)
#   scripts/bicep.sh snapshot PARAMS OUTFILE
#                                  evaluate main.bicep with a .bicepparam file (its `using` names main.bicep in
#                                  the same folder) and write the resources it would deploy: the offline
#                                  What-If the tests read (parameters, conditions and loops resolved; values
#                                  known only at deployment, such as an identity's principal id, stay expressions)
#                                  A snapshot never holds the value of a @secure() parameter: those stay expressions too.
#
# The production and private examples read a few environment variables that have no default (the operators'
# group, the on-call address, the SendGrid sender and key), so a deployment without them stops naming them. Building
# and linting are not deployments: this script fills those, and only those, with obvious placeholders when they
# are unset (see example_env), so `check` works on any machine and in CI before the secrets exist.
#
# Why NuGet: this machine reaches only the package registries, and `az bicep install` downloads from GitHub.
# The Bicep team publishes the same self-contained binary as Azure.Bicep.CommandLine.<rid>; a throwaway
# project with a PackageDownload item pulls it into the NuGet global packages folder. Idempotent: the
# restore runs only when the binary is not there yet.
set -euo pipefail

BICEP_VERSION="0.49.2"
BICEP_PACKAGE="Azure.Bicep.CommandLine.linux-x64"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
restore_dir="$repo_root/.tools/bicep-restore"   # git-ignored

bicep_path() {
  local packages
  # The global packages folder honours NUGET_PACKAGES, so ask NuGet instead of assuming ~/.nuget/packages.
  packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
  # NuGet lower-cases package ids in the folder layout.
  local bin="${packages%/}/$(echo "$BICEP_PACKAGE" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION/tools/bicep"
  if [[ ! -f "$bin" ]]; then
    restore >&2
  fi
  if [[ ! -f "$bin" ]]; then
    echo "bicep.sh: restore finished but $bin is missing" >&2
    exit 1
  fi
  # NuGet extracts without the executable bit.
  [[ -x "$bin" ]] || chmod +x "$bin"
  echo "$bin"
}

restore() {
  mkdir -p "$restore_dir"
  # The repo's Directory.Build.props / Directory.Packages.props (central package management, warnings as
  # errors) would apply to this project too; it has nothing to do with them, so it opts out of both.
  cat > "$restore_dir/bicep-restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
    <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$BICEP_PACKAGE" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
XML
  # Set ImportDirectoryBuildProps on the command line as well: MSBuild reads Directory.Build.props before
  # the project body, so only a global property reliably suppresses it.
  dotnet restore "$restore_dir/bicep-restore.csproj" --nologo \
    -p:ImportDirectoryBuildProps=false -p:ImportDirectoryPackagesProps=false
}

PARAMS_EXAMPLES=(infra/main.bicepparam infra/main.prod.bicepparam infra/main.private.bicepparam)

# The required variables of the examples, each kept if set, else a placeholder nobody could deploy by mistake
# (.invalid never resolves; the all-zero group does not exist).
example_env() {
  echo "NOTIFY_OPERATORS_GROUP_ID=${NOTIFY_OPERATORS_GROUP_ID:-00000000-0000-0000-0000-000000000000}"
  echo "NOTIFY_ALERT_EMAIL=${NOTIFY_ALERT_EMAIL:-oncall@notify.invalid}"
  echo "NOTIFY_SENDGRID_FROM_EMAIL=${NOTIFY_SENDGRID_FROM_EMAIL:-notifications@notify.invalid}"
  echo "NOTIFY_SENDGRID_API_KEY=${NOTIFY_SENDGRID_API_KEY:-SG.placeholder-not-a-key}"
}

# Runs bicep; for the production and private examples with their required variables filled (the development
# example reads NOTIFY_ALERT_EMAIL as optional, so it must see the caller's environment as is).
bicep_with_examples() {
  local assignments=() arg
  for arg in "$@"; do
    case "$arg" in
      *main.prod.bicepparam | *main.private.bicepparam) mapfile -t assignments < <(example_env) ;;
    esac
  done
  env "${assignments[@]}" "$BICEP" "$@"
}

# Runs bicep, echoes its output, and fails if it exited non-zero or said "Warning" (belt and braces: the
# linter rules are errors in infra/bicepconfig.json, but compiler diagnostics such as BCP081 are warnings).
run_strict() {
  local out rc=0
  out="$(bicep_with_examples "$@" 2>&1)" || rc=$?
  [[ -n "$out" ]] && echo "$out"
  if (( rc != 0 )); then
    echo "bicep.sh: 'bicep $*' failed (exit $rc)" >&2
    exit "$rc"
  fi
  if grep -qi "warning" <<<"$out"; then
    echo "bicep.sh: 'bicep $*' reported warnings" >&2
    exit 1
  fi
}

# `bicep snapshot` writes <params>.snapshot.json beside the parameters file; run it on a copy of infra/ so
# nothing lands in the work tree. The deployment context is fixed (a made-up subscription and resource
# group) so the names it predicts are stable.
snapshot() {
  local params="$1" outfile="$2" work base
  work="$(mktemp -d)"
  cp -r "$repo_root/infra" "$work/infra"
  base="$(basename "$params" .bicepparam)"
  cp "$params" "$work/infra/$base.bicepparam"
  run_strict snapshot "$work/infra/$base.bicepparam" \
    --subscription-id 00000000-0000-0000-0000-000000000000 \
    --resource-group rg-notify-snapshot \
    --location swedencentral \
    --deployment-name notify-snapshot
  mv "$work/infra/$base.snapshot.json" "$outfile"
  rm -rf "$work"
}

cmd="${1:-check}"
case "$cmd" in
  path)
    bicep_path
    ;;
  check)
    BICEP="$(bicep_path)"
    cd "$repo_root"
    "$BICEP" --version
    # build --stdout prints the template itself, so diagnostics are read from stderr only.
    build_err="$("$BICEP" build infra/main.bicep --stdout 2>&1 >/dev/null)" || { echo "$build_err"; exit 1; }
    if [[ -n "$build_err" ]]; then
      echo "$build_err"
      if grep -qi "warning" <<<"$build_err"; then echo "bicep.sh: build reported warnings" >&2; exit 1; fi
    fi
    run_strict lint infra/main.bicep
    for params in "${PARAMS_EXAMPLES[@]}"; do
      err="$(bicep_with_examples build-params "$params" --stdout 2>&1 >/dev/null)" || { echo "$err"; exit 1; }
      if [[ -n "$err" ]]; then
        echo "$err"
        if grep -qi "warning" <<<"$err"; then echo "bicep.sh: build-params $params reported warnings" >&2; exit 1; fi
      fi
    done
    echo "bicep.sh: main.bicep, main.bicepparam, main.prod.bicepparam and main.private.bicepparam build and lint clean"
    ;;
  build)
    outdir="${2:?usage: scripts/bicep.sh build OUTDIR}"
    BICEP="$(bicep_path)"
    mkdir -p "$outdir"
    outdir="$(cd "$outdir" && pwd)"
    cd "$repo_root"
    run_strict build infra/main.bicep --outfile "$outdir/main.json"
    run_strict build-params infra/main.bicepparam --outfile "$outdir/main.parameters.json"
    run_strict build-params infra/main.prod.bicepparam --outfile "$outdir/main.prod.parameters.json"
    run_strict build-params infra/main.private.bicepparam --outfile "$outdir/main.private.parameters.json"
    snapshot infra/main.bicepparam "$outdir/main.snapshot.json"
    snapshot infra/main.prod.bicepparam "$outdir/main.prod.snapshot.json"
    snapshot infra/main.private.bicepparam "$outdir/main.private.snapshot.json"
    echo "$outdir/main.json"
    ;;
  snapshot)
    params="${2:?usage: scripts/bicep.sh snapshot PARAMS OUTFILE}"
    outfile="${3:?usage: scripts/bicep.sh snapshot PARAMS OUTFILE}"
    BICEP="$(bicep_path)"
    params="$(cd "$(dirname "$params")" && pwd)/$(basename "$params")"
    mkdir -p "$(dirname "$outfile")"
    outfile="$(cd "$(dirname "$outfile")" && pwd)/$(basename "$outfile")"
    snapshot "$params" "$outfile"
    echo "$outfile"
    ;;
  *)
    echo "usage: scripts/bicep.sh [path|check|build OUTDIR|snapshot PARAMS OUTFILE]" >&2
    exit 2
    ;;
esac
