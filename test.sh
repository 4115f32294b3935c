#!/usr/bin/env bash
# Runs Sigil's whole test suite on a fresh machine: installs what the tests need, then builds and tests with Maven.
# The end-to-end tests start a real Kafka broker and the four services as processes, and use real OpenSSH
# (ssh, ssh-keygen, sshd), OpenSSL, kubectl (preinstalled on this machine type), setfacl for POSIX ACL readers,
# podman with runc and mmdebstrap to build and run Sigil's container images, and headless Chromium for the console.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v setfacl >/dev/null || need+=(acl)
command -v ssh >/dev/null || need+=(openssh-client)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)   # the GitHub Action and GitLab template download the agent with curl
# The container test builds Sigil's images from Debian packages and runs them with podman (runc; see deploy/containers).
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
# The web console is tested in headless Chromium through chromedriver.
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} for the tests ..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

exec mvn -B -ntp verify "$@"
