#!/usr/bin/env bash
# Checks a deployment's inputs before anything is deployed; .github/workflows/deploy.yml runs it, and so can you.
#
#   scripts/deploy-env.sh variables PARAMS   list the environment variables PARAMS (a .bicepparam) reads, one a
#                                            line: "NAME required" (no default) or "NAME optional"
#   scripts/deploy-env.sh check PARAMS       fail, naming each one, when a required variable is unset or empty,
#                                            or when AZURE_RESOURCE_GROUP is (a pipeline passes an unset GitHub
#                                            variable as an empty string, which Bicep would take as a value)
#   scripts/deploy-env.sh private PARAMS     exit 0 when PARAMS turns the private network on (vnetEnabled = true)
#   scripts/deploy-env.sh provider PARAMS    with the private network: fail unless the subscription has the
#                                            Microsoft.App resource provider registered (Flex Consumption's VNet
#                                            integration delegates its subnet to Microsoft.App/environments). A
#                                            pipeline with rights on the resource group only cannot register it;
#                                            someone with subscription rights runs, once:
#                                              az provider register --namespace Microsoft.App --wait
#   scripts/deploy-env.sh runner PARAMS      with the private network: fail unless this runs on a self-hosted
#                                            runner (RUNNER_ENVIRONMENT), which is meant to sit inside the network
#                                            (docs/deploy.md, "Deploy from a pipeline")
#
# Messages go to stderr, each also as a GitHub Actions error annotation (::error::) when GITHUB_ACTIONS is set.
set -euo pipefail

fail() {
  [[ "${GITHUB_ACTIONS:-}" == "true" ]] && echo "::error::$*"
  echo "deploy-env.sh: $*" >&2
}

params_file() {
  local file="${1:?usage: scripts/deploy-env.sh COMMAND PARAMS}"
  [[ -f "$file" ]] || { fail "no parameter file '$file' (NOTIFY_PARAMETERS_FILE names a file under infra/)"; exit 2; }
  echo "$file"
}

# readEnvironmentVariable('NAME') has no default (required); readEnvironmentVariable('NAME', ...) has one.
variables() {
  local file
  file="$(params_file "$1")"
  grep -v '^\s*//' "$file" \
    | grep -oE "readEnvironmentVariable\('[A-Za-z0-9_]+'\s*[,)]" \
    | sed -E "s/readEnvironmentVariable\('([A-Za-z0-9_]+)'\s*([,)])/\1 \2/" \
    | awk '{ print $1, ($2 == ")" ? "required" : "optional") }' \
    | sort -u -k1,1 -k2,2r | awk '!seen[$1]++'
}

is_private() {
  local file
  file="$(params_file "$1")"
  grep -qE '^\s*param\s+vnetEnabled\s*=\s*true\b' "$file"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  variables)
    variables "$@"
    ;;
  check)
    missing=0
    if [[ -z "${AZURE_RESOURCE_GROUP:-}" ]]; then
      fail "AZURE_RESOURCE_GROUP is not set: the resource group to deploy into (a variable of the GitHub environment)"
      missing=1
    fi
    while read -r name kind; do
      if [[ "$kind" == "required" && -z "${!name:-}" ]]; then
        fail "$name is not set: $1 requires it (a variable or secret of the GitHub environment; docs/deploy.md lists them)"
        missing=1
      fi
    done < <(variables "$@")
    (( missing == 0 )) || exit 1
    echo "deploy-env.sh: every variable $1 requires is set"
    ;;
  private)
    is_private "$@"
    ;;
  provider)
    if ! is_private "$@"; then
      echo "deploy-env.sh: $1 has no virtual network; Microsoft.App is not needed"
      exit 0
    fi
    state="$(az provider show --namespace Microsoft.App --query registrationState -o tsv 2>&1)" || {
      fail "could not read the Microsoft.App resource provider's registration ($state); check it yourself: az provider show --namespace Microsoft.App --query registrationState"
      exit 1
    }
    if [[ "$state" != "Registered" ]]; then
      fail "the Microsoft.App resource provider is '$state' on this subscription; Flex Consumption's VNet integration needs it. Someone with subscription rights runs once: az provider register --namespace Microsoft.App --wait"
      exit 1
    fi
    echo "deploy-env.sh: Microsoft.App is registered"
    ;;
  runner)
    if ! is_private "$@"; then
      echo "deploy-env.sh: $1 has no virtual network; any runner can publish"
      exit 0
    fi
    if [[ "${RUNNER_ENVIRONMENT:-}" != "self-hosted" ]]; then
      fail "$1 closes storage to the internet, so the package is published from a self-hosted runner inside the virtual network: set the environment's variable NOTIFY_RUNNER to that runner's label (this job ran on '${RUNNER_ENVIRONMENT:-unknown}')"
      exit 1
    fi
    echo "deploy-env.sh: publishing from a self-hosted runner"
    ;;
  *)
    echo "usage: scripts/deploy-env.sh [variables|check|private|provider|runner] PARAMS" >&2
    exit 2
    ;;
esac
