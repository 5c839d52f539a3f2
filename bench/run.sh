#!/usr/bin/env bash
# Runs the batpak-jvm benchmark harness and writes bench/results/<timestamp>.{json,md,png} and latest.*.
#
#   bench/run.sh            full mode: every scenario, 5 rounds (about 20 minutes)
#   bench/run.sh --quick    the target scenarios, the reads and stream delivery, 3 rounds (under 4 minutes)
#   bench/run.sh --jfr ...  also records a JFR profile to bench/results/<timestamp>.jfr
#   bench/run.sh jmh ...    runs only the JMH micro-benchmarks (JMH's own options)
#
# Other options are passed to the harness: --rounds N, --read-events N, --sqlite shared|per-appender,
# --jmh/--no-jmh, --no-appends, --no-reads, --no-streams, --out DIR, --data DIR.
# Builds the benchmarks jar when it is missing or older than the sources; needs only Java 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=bench/target/batpak-bench.jar
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml bench/pom.xml bench/src core/pom.xml core/src actors/pom.xml actors/src \
        streams/pom.xml streams/src -newer "$JAR" -type f -print -quit)" ]; then
  echo "building $JAR"
  mvn -B -q -pl bench -am package -DskipTests
fi

# Chronicle Queue needs these opens/exports in every JVM that loads it (the jar's manifest carries them too);
# a fixed heap keeps GC sizing out of the comparison.
JVM_FLAGS=(
  -Xms2g -Xmx2g
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
)

ARGS=()
MODE_GIVEN=0
for a in "$@"; do
  case "$a" in
    --jfr)
      mkdir -p bench/results
      JVM_FLAGS+=("-XX:StartFlightRecording=filename=bench/results/$(date -u +%Y%m%d-%H%M%S).jfr,settings=profile")
      ;;
    --quick|--full|--smoke|jmh) MODE_GIVEN=1; ARGS+=("$a") ;;
    *) ARGS+=("$a") ;;
  esac
done
if [ "$MODE_GIVEN" = 0 ]; then
  ARGS=(--full "${ARGS[@]+"${ARGS[@]}"}")
fi

exec java "${JVM_FLAGS[@]}" -jar "$JAR" "${ARGS[@]}"
