#!/usr/bin/env bash
# Egress's cost on loopback against a direct connection, in one run:
#   bottle-bundle/bench.sh [requests-per-latency-run] [seconds-per-throughput-run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -Dstyle.color=never -pl bottle-api,bottle-sidecars,bottle-bundle install -DskipTests >/dev/null
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -o -Dstyle.color=never -pl bottle-bundle dependency:build-classpath -Dmdep.outputFile="$cpfile" \
  -Dmdep.includeScope=test >/dev/null
java -cp "bottle-bundle/target/test-classes:bottle-bundle/target/classes:$(cat "$cpfile")" \
  dev.bottles.bundle.bench.EgressBenchmark "$@"
