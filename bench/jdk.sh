# Sourced by bench/run and bench/gemm-report.sh: finds a JDK 25+ `java`, the same way bin/lanes does.
# The default java on PATH may be older; the Vector API and the build need 25.

# Prints the feature release of a java binary ("25" for 25.0.1, "1" for 1.8), or nothing.
java_major() {
  "$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Prints the path of a java binary whose major version is >= 25: JAVA_HOME's when it is one, else
# the one on PATH, else the newest under /usr/lib/jvm. Fails with a message when there is none.
find_java25() {
  local candidate major best="" best_major=0
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    printf '%s\n' "$best"
    return 0
  fi
  echo "no JDK 25+ found: set JAVA_HOME to one (checked JAVA_HOME, PATH and /usr/lib/jvm)" >&2
  return 1
}
