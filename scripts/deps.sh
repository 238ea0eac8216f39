#!/usr/bin/env bash
# Installs Erlang/OTP and Elixir from Debian (and docker-compose for the
# compose check, chromium for the observer's browser test) when they are
# missing. The tests need real peers.
set -euo pipefail
missing=()
command -v erl >/dev/null 2>&1 || missing+=(erlang-nox)
command -v erlc >/dev/null 2>&1 || missing+=(erlang-nox)
command -v elixir >/dev/null 2>&1 || missing+=(elixir)
# etop (erlang-observer) for interop's TestEtopOnGoNode.
erl -noshell -eval 'case code:which(etop) of non_existing -> halt(1); _ -> halt(0) end.' >/dev/null 2>&1 || missing+=(erlang-observer)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "deps: installing ${missing[*]} with apt-get"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: FAILED: need root to apt-get install ${missing[*]} (erl/elixir are required by the test suite)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq || ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
  echo "deps: FAILED: apt-get could not install ${missing[*]}; install Erlang/OTP (erl, erlc, epmd) and Elixir by hand" >&2
  exit 1
fi
for c in erl erlc epmd elixir docker-compose chromium; do
  command -v "$c" >/dev/null 2>&1 || { echo "deps: FAILED: $c still missing after install" >&2; exit 1; }
done
