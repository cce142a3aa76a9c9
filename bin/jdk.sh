# Sourced by bin/lanes and the bench/ scripts: finds a JDK 25+ `java`. The default java on PATH may
# be older; the Vector API, the FFM API and the build need 25.

# Prints the major version of the java binary $1 ("25"), or nothing if it does not run.
java_major() {
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  printf '%s\n' "${v%%.*}"
}

# Prints the newest java of major version >= 25 among LANES_JAVA, JAVA_HOME, the usual install
# folders and PATH; LANES_JAVA or JAVA_HOME wins outright when it qualifies. Returns 1, saying so on
# stderr, when there is none.
find_java25() {
  local candidates=() d j m best="" best_major=0
  [ -n "${LANES_JAVA:-}" ] && candidates+=("$LANES_JAVA")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
  done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for j in "${candidates[@]}"; do
    m=$(java_major "$j" || true)
    if [[ "$m" =~ ^[0-9]+$ ]] && [ "$m" -ge 25 ] && [ "$m" -gt "$best_major" ]; then
      best=$j
      best_major=$m
      if [ "$j" = "${LANES_JAVA:-}" ] || [ "$j" = "${JAVA_HOME:-}/bin/java" ]; then break; fi
    fi
  done
  # LANES_JAVA names one java on purpose: passing over it without a word would hide the mistake.
  if [ -n "${LANES_JAVA:-}" ] && [ "$best" != "$LANES_JAVA" ]; then
    m=$(java_major "$LANES_JAVA" || true)
    echo "lanes: warning: LANES_JAVA=$LANES_JAVA is ${m:+Java $m, }not a JDK 25 or newer; using ${best:-none}" >&2
  fi
  if [ -z "$best" ]; then
    echo "lanes: no JDK 25 or newer found (set JAVA_HOME to one)" >&2
    return 1
  fi
  printf '%s\n' "$best"
}
