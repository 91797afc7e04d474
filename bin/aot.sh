# Sourced by ./kiln: the start-up cache in kiln-cli/target/startup/ (next to the jar, so `mvn clean` removes it):
#  - kiln.aot: JDK 25's AOT cache (JEPs 483, 514, 515) of the classes `kiln serve` loads, links and profiles while it
#    starts, trained by dev.kiln.cli.StartupTraining (a real `kiln serve` of one small model, stopped once ready);
#  - native/: ONNX Runtime's and SQLite's native libraries unpacked once, which both libraries would otherwise
#    unpack from their jars into the temporary folder at every start (about 30 MB together).
# A stamp of the JDK and of every jar on the class path says when it is stale: then it is built again, once, before
# the command runs. KILN_AOT=off runs without any of it; a JDK before 25 gets no AOT cache.
# Never fails the start: a cache that cannot be built or that the JVM refuses leaves the command running without it.

# $1 = main jar, $2 = library folder; the rest: the JVM options the command runs with. Appends to AOT_OPTS (an
# array the caller declared) the options that use the cache, if there is a usable one.
kiln_aot() {
  local jar=$1 lib=$2
  shift 2
  [ "${KILN_AOT:-on}" != off ] || return 0
  local dir="${jar%/*}/startup" now
  now=$(kiln_aot_stamp "$jar" "$lib")
  if [ "$now" != "$(cat "$dir/stamp" 2>/dev/null)" ]; then
    # Where it cannot be written (a read-only install), a stale cache is not used: its native libraries would be
    # another version's.
    mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] || return 0
    # Several launches at once (replicas started together) build it once: the others wait, then find it fresh.
    exec 9>"$dir/lock"
    flock 9 2>/dev/null || true
    [ "$now" = "$(cat "$dir/stamp" 2>/dev/null)" ] || kiln_aot_build "$jar" "$lib" "$dir" "$now" "$@"
    exec 9>&-
  fi
  [ -f "$dir/ok" ] && kiln_aot_use "$dir"
  return 0
}

# Appends to AOT_OPTS the options that use the cache in folder $1.
kiln_aot_use() {
  local o
  while IFS= read -r o; do AOT_OPTS+=("$o"); done < <(kiln_aot_native "$1")
  # -Xlog:aot=off: a cache the JVM refuses anyway (a copied checkout, another JDK build) is not worth a warning at
  # each start; the JVM then runs without it. KILN_JAVA_OPTS come later and can turn the log back on.
  [ -f "$1/kiln.aot" ] && AOT_OPTS+=(-XX:AOTCache="$1/kiln.aot" -Xlog:aot=off -Xlog:cds=off)
  return 0
}

# What the cache depends on: the JDK (its path and release file) and each class path jar's size and time.
kiln_aot_stamp() {
  echo "$JAVA_HOME"
  cat "$JAVA_HOME/release" 2>/dev/null || true
  stat -c '%n %s %Y' "$1" "$2"/*.jar
}

# The system properties, one a line, that point ONNX Runtime and SQLite at the unpacked libraries (none where absent).
kiln_aot_native() {
  [ -d "$1/native/onnxruntime" ] && echo "-Donnxruntime.native.path=$1/native/onnxruntime"
  [ -f "$1/native/sqlite/libsqlitejdbc.so" ] &&
    printf '%s\n' "-Dorg.sqlite.lib.path=$1/native/sqlite" -Dorg.sqlite.lib.name=libsqlitejdbc.so
  return 0
}

# $1 lib, $2 folder: unpacks the libraries of this machine's platform (Linux x86_64 and aarch64; none elsewhere).
kiln_aot_unpack() {
  local ort sqlite jar
  case "$(uname -sm)" in
    "Linux x86_64") ort=linux-x64 sqlite=x86_64 ;;
    "Linux aarch64") ort=linux-aarch64 sqlite=aarch64 ;;
    *) return 0 ;;
  esac
  for jar in "$1"/onnxruntime*.jar; do
    [ -f "$jar" ] && (mkdir -p "$2/x" && cd "$2/x" && "$JAVA_HOME/bin/jar" xf "$jar" "ai/onnxruntime/native/$ort/") &&
      [ -d "$2/x/ai/onnxruntime/native/$ort" ] && mv "$2/x/ai/onnxruntime/native/$ort" "$2/native/onnxruntime"
  done
  for jar in "$1"/sqlite-jdbc-*.jar; do
    [ -f "$jar" ] && (mkdir -p "$2/x" && cd "$2/x" && "$JAVA_HOME/bin/jar" xf "$jar" "org/sqlite/native/Linux/$sqlite/") &&
      [ -d "$2/x/org/sqlite/native/Linux/$sqlite" ] && mv "$2/x/org/sqlite/native/Linux/$sqlite" "$2/native/sqlite"
  done
  rm -rf "$2/x"
  return 0
}

# $1 jar, $2 lib, $3 folder, $4 stamp, the rest: JVM options. The training run starts with the unpacked libraries,
# so it proves them too; when it fails, nothing of the cache is used. The stamp is written even then, so that a
# machine where it cannot work does not retry at every start; a new build or JDK tries again.
kiln_aot_build() {
  local jar=$1 lib=$2 dir=$3 stamp=$4 major scratch o
  shift 4
  echo "kiln: building the start-up cache (once per build, about 15 s)..." >&2
  rm -rf "$dir/native" "$dir/kiln.aot" "$dir/ok"
  mkdir -p "$dir/native"
  kiln_aot_unpack "$lib" "$dir"
  local train=("$@")
  while IFS= read -r o; do train+=("$o"); done < <(kiln_aot_native "$dir")
  major=$(kiln_java_major "$JAVA_HOME")
  [ "${major:-0}" -ge 25 ] && train+=(-XX:AOTCacheOutput="$dir/kiln.aot.tmp")
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/kiln-aot.XXXXXX")
  if java "${train[@]}" -cp "$jar:$lib/*" dev.kiln.cli.StartupTraining "$scratch" >"$dir/log" 2>&1; then
    [ -s "$dir/kiln.aot.tmp" ] && mv -f "$dir/kiln.aot.tmp" "$dir/kiln.aot"
    touch "$dir/ok"
  else
    echo "kiln: could not build the start-up cache (see $dir/log); starting without it" >&2
  fi
  rm -rf "$scratch" "$dir/kiln.aot.tmp" "$dir/kiln.aot.tmp.config"
  printf '%s\n' "$stamp" >"$dir/stamp"
}
