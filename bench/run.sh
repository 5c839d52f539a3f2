#!/usr/bin/env bash
# Runs the batpak-jvm benchmark harness and writes bench/results/<timestamp>.{json,md,png} and latest.*.
#
#   bench/run.sh            full mode: every scenario, 5 rounds (about 20 minutes)
#   bench/run.sh --quick    the target scenarios, the reads and stream delivery, 3 rounds (under 4 minutes)
#   bench/run.sh --jfr ...  also records a JFR profile to bench/results/<timestamp>.jfr
#   bench/run.sh jmh ...    runs only the JMH micro-benchmarks (JMH's own options)
#   bench/run.sh cluster [...]  the cluster store on loopback: 3 nodes against 1, remote against local appends
#                           and cursors (about 3 minutes; options: --seconds S --warmup S --rounds N
#                           --in-flight N --latency-samples N --cursor-events N --data DIR --out DIR)
#   bench/run.sh persistence [...]  EventSourcedBehavior on the batpak journal vs pekko-persistence-jdbc on H2 and
#                           on a throwaway local PostgreSQL 15 server (about 12 minutes; options: --seconds S
#                           --warmup S --rounds N --entities 1,100,1000 --recovery-events N --out DIR)
#
# Other options are passed to the harness: --rounds N, --read-events N, --sqlite shared|per-appender,
# --jmh/--no-jmh, --no-appends, --no-reads, --no-streams, --out DIR, --data DIR.
# Builds the benchmarks jar when it is missing or older than the sources; needs only Java 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=bench/target/batpak-bench.jar
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml bench/pom.xml bench/src core/pom.xml core/src actors/pom.xml actors/src \
        streams/pom.xml streams/src persistence/pom.xml persistence/src cluster/pom.xml cluster/src -newer "$JAR" -type f -print -quit)" ]; then
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

if [ "${1:-}" = "cluster" ]; then
  shift
  java -Xms2g -Xmx2g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$JAR" io.batpak.bench.cluster.ClusterBench "$@"
  exit $?
fi

if [ "${1:-}" = "persistence" ]; then
  shift
  PG_ARGS=()
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  PGDIR=""
  stop_pg() {
    if [ -n "$PGDIR" ]; then
      if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $PGDIR/data -m fast stop" >/dev/null 2>&1 || true
      else "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true; fi
      rm -rf "$PGDIR"
    fi
  }
  trap stop_pg EXIT
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL not installed (apt-get install postgresql): its cells are skipped"
  else
    # A throwaway server on a real disk (not tmpfs), fsync and synchronous_commit at their defaults (on).
    PGDIR=$(mktemp -d /var/tmp/batpak-pg.XXXXXX)
    PORT=${BATPAK_PG_PORT:-54329}
    RUN=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; RUN=(su postgres -s /bin/sh -c); fi
    START="$PGBIN/initdb -D $PGDIR/data -A trust -U postgres >$PGDIR/initdb.log 2>&1 && \
           $PGBIN/pg_ctl -D $PGDIR/data -o '-p $PORT -k $PGDIR -c listen_addresses=localhost' -l $PGDIR/server.log -w start >/dev/null"
    if { [ ${#RUN[@]} -gt 0 ] && "${RUN[@]}" "$START"; } || { [ ${#RUN[@]} -eq 0 ] && sh -c "$START"; }; then
      echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') started on port $PORT in $PGDIR"
      PG_ARGS=(--pg-url "jdbc:postgresql://localhost:$PORT/postgres" --pg-user postgres)
    else
      echo "PostgreSQL could not start (see below): its cells are skipped"; cat "$PGDIR"/*.log 2>/dev/null | tail -20
    fi
  fi
  java -Xms2g -Xmx2g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$JAR" io.batpak.bench.persistence.PersistenceBench "${PG_ARGS[@]+"${PG_ARGS[@]}"}" "$@"
  exit $?
fi

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
