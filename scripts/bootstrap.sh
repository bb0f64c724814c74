#!/usr/bin/env bash
# Installs every Debian package that building, testing and running pseudo-cluster needs.
# Idempotent: packages already present are not touched and apt is not even consulted.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libuv1-dev libinih-dev libspdlog-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  libsasl2-dev libsasl2-modules python3-pure-sasl
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  libzookeeper-mt-dev python3 python3-kazoo zookeeper default-jre-headless
  procps iproute2 psmisc gnuplot-nox
  libncurses-dev tmux netcat-openbsd
  libcpp-httplib-dev chromium chromium-driver python3-selenium
  # export's tests read YAML; make deb (CPack) runs dpkg-shlibdeps, which needs file
  python3-yaml dpkg-dev file
  libssl-dev openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done" >&2
