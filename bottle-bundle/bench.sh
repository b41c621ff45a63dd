#!/usr/bin/env bash
# Egress's cost on loopback against a direct connection, in one run:
#   bottle-bundle/bench.sh [requests-per-latency-run] [seconds-per-throughput-run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl bottle-api,bottle-sidecars,bottle-bundle install -DskipTests >/dev/null
cp=$(mvn -B -q -o -pl bottle-bundle dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
exec java -cp "bottle-bundle/target/test-classes:bottle-bundle/target/classes:$cp" \
  dev.bottles.bundle.bench.EgressBenchmark "$@"
