#!/usr/bin/env bash
# Builds Kiln's container image from the Containerfile with no container registry: both stages on a Debian bookworm
# root filesystem made with debootstrap from this machine's apt mirror; the build stage takes /opt/kiln (a runtime
# jlinked from the host's JDK by dist.sh, the kiln-cli jar built here and its lib/) from the build context.
#   deploy/container/build-offline.sh [TAG]      # default localhost/kiln:latest; needs root, podman and debootstrap
# KILN_BASE_REBUILD=1 makes the base image again (it is kept between runs as localhost/kiln-base:bookworm).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATH=$PATH:/usr/sbin:/sbin  # debootstrap lives there; a non-login root shell may not have it on PATH
. "$ROOT/bin/jdk.sh"
tag=${1:-localhost/kiln:latest}
base=localhost/kiln-base:bookworm
work=$ROOT/target/container
# Verified on these machines: crun fails on their hybrid cgroup setup and podman's default ulimits are refused.
podman=(podman --runtime runc --cgroup-manager=cgroupfs)
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-offline: $tool missing (apt-get install $tool)" >&2; exit 1; }
done

if [ "${KILN_BASE_REBUILD:-}" = 1 ] || ! "${podman[@]}" image exists "$base"; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] ||
    mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
  echo "build-offline: debootstrap bookworm from ${mirror:?no Debian mirror in the apt configuration}" >&2
  rm -rf "$work/rootfs"
  mkdir -p "$work"
  # minbase: dpkg, bash, coreutils, passwd (useradd). Added: the C++ runtime and OpenMP that the native engines
  # link against, and CA certificates for outgoing TLS (S3, PostgreSQL).
  debootstrap --variant=minbase --include=libgomp1,libstdc++6,ca-certificates bookworm "$work/rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work"/rootfs/var/cache/apt/* "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/usr/share/doc \
    "$work"/rootfs/usr/share/man "$work"/rootfs/usr/share/locale "$work"/rootfs/usr/share/info
  tar -C "$work/rootfs" -c . | "${podman[@]}" import --message "debootstrap bookworm minbase" - "$base" >/dev/null
  rm -rf "$work/rootfs"
fi

jar=$(ls "$ROOT"/kiln-cli/target/kiln-cli-*.jar 2>/dev/null | head -n 1 || true)
if [ -z "$jar" ] || [ ! -d "$ROOT/kiln-cli/target/lib" ]; then
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package -pl kiln-cli -am) >&2
fi
# The build context is only prebuilt/: the build stage moves it to /opt/kiln instead of running Maven.
rm -rf "$work/context"
"$ROOT/deploy/container/dist.sh" "$JAVA_HOME" "$ROOT/kiln-cli/target" "$work/context/prebuilt"
"${podman[@]}" build --runtime runc --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --format docker --build-arg JDK_IMAGE="$base" --build-arg BASE_IMAGE="$base" \
  -f "$ROOT/Containerfile" -t "$tag" "$work/context" >&2
rm -rf "$work/context"
"${podman[@]}" image prune -f >/dev/null
echo "build-offline: $tag, $("${podman[@]}" image inspect --format '{{.Size}}' "$tag") bytes" >&2
