#!/usr/bin/env bash
# Lays out what the container image carries under /opt/kiln: a jlinked Java runtime with only the modules Kiln needs,
# the kiln-cli jar and its lib/. Used by the Containerfile's build stage and by build-offline.sh, so both images hold
# the same files.
#   deploy/container/dist.sh JDK_HOME KILN_CLI_TARGET OUT    # e.g. $JAVA_HOME kiln-cli/target /opt/kiln
set -euo pipefail
jdk=$1 target=$2 out=$3
jar=$(ls "$target"/kiln-cli-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
if [ ! -d "$target/lib" ]; then
  echo "dist: $target/lib missing: build with ./mvnw -DskipTests package -pl kiln-cli -am" >&2
  exit 1
fi

# jdeps finds what the code links against from the main jar down. Loaded by name or through the service loader, and so
# invisible to it: TLS's elliptic curves and PKCS#11 (jdk.crypto.*), PostgreSQL's GSS and SASL authentication,
# DNS lookups through JNDI (jdk.naming.dns), zip file systems (jdk.zipfs), XML parsers, and jcmd's attach listener so
# that an operator can take a thread or heap dump from a running container (jcmd itself is not inside).
release=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
found=$("$jdk/bin/jdeps" --ignore-missing-deps -q --recursive --multi-release "$release" --print-module-deps \
  --class-path "$target/lib/*" "$jar")
extra=jdk.crypto.ec,jdk.crypto.cryptoki,java.security.jgss,java.security.sasl,jdk.naming.dns,jdk.zipfs,jdk.attach
extra=$extra,java.xml
rm -rf "$out"
mkdir -p "$(dirname "$out")"
# Not --strip-debug: on Linux it also strips native symbols with objcopy, which JDK images (eclipse-temurin) lack.
"$jdk/bin/jlink" --add-modules "$found,$extra" --strip-java-debug-attributes --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out/jre"
mkdir -p "$out/lib"
cp "$jar" "$out/kiln-cli.jar"
cp "$target"/lib/*.jar "$out/lib/"
# ONNX Runtime's and SQLite's native libraries unpacked once, as ./kiln's start-up cache does (bin/aot.sh): otherwise
# both unpack them from their jars into /tmp at every start. The Containerfile points the JVM at them and trains the
# AOT cache on this layout.
mkdir -p "$out/native"
(JAVA_HOME=$jdk && . "$(dirname "${BASH_SOURCE[0]}")/../../bin/aot.sh" && kiln_aot_unpack "$out/lib" "$out")
echo "dist: $out (modules: $found,$extra)" >&2
