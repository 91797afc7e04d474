# Sourced by ./kiln and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# HOME may be unset (cron, systemd units, `env -i`): the Maven wrapper keeps its downloads under $HOME/.m2 and the
# JDK search looks in $HOME/.sdkman, so it is taken from the user's passwd entry, else the temp folder.
if [ -z "${HOME:-}" ]; then
  HOME=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6 || true)
  [ -n "$HOME" ] && [ -d "$HOME" ] || HOME=${TMPDIR:-/tmp}
  export HOME
fi

# Order: $KILN_JAVA_HOME, $JAVA_HOME, the java on PATH, then every JDK under the usual install roots
# (newest first). Fails loudly rather than building with a JDK that cannot compile Java 21.

kiln_java_major() { # $1 = JDK home; prints its feature version, or nothing
  local rel="$1/release" v
  [ -x "$1/bin/javac" ] || return 0
  if [ -f "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  fi
  echo "$v"
}

kiln_find_jdk() {
  local c v
  local onpath=""
  if command -v javac >/dev/null 2>&1; then onpath=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")"); fi
  for c in "${KILN_JAVA_HOME:-}" "${JAVA_HOME:-}" "$onpath" \
           $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* 2>/dev/null | sort -rV); do
    [ -n "$c" ] || continue
    v=$(kiln_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$c"; return 0; fi
  done
  return 1
}

if ! KILN_JDK=$(kiln_find_jdk); then
  echo "kiln: no JDK 21 or newer found (set KILN_JAVA_HOME to one)" >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$KILN_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
