#!/usr/bin/env bash
# Runs Sigil's whole test suite on a fresh machine: installs what the tests need, then builds and tests with Maven.
# The end-to-end tests start a real Kafka broker and the four services as processes, and use real OpenSSH
# (ssh, ssh-keygen, sshd), OpenSSL, kubectl (preinstalled on this machine type) and setfacl for POSIX ACL readers.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v setfacl >/dev/null || need+=(acl)
command -v ssh >/dev/null || need+=(openssh-client)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} for the tests ..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

exec mvn -B -ntp verify "$@"
