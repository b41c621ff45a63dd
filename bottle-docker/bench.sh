#!/usr/bin/env bash
# Runs the docker backend benchmark: N lifecycles against the docker CLI doing the same steps,
# interleaved in one run, then M bottles at once, then K claims from a warm pool against K cold
# launches with the SDK's bundle. Needs a Docker engine and busybox-static.
#   bottle-docker/bench.sh [N=10] [M=50] [K=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl bottle-docker -am >/dev/null
mvn -B -q -ntp test-compile -pl bottle-docker >/dev/null
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -ntp dependency:build-classpath -pl bottle-docker -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
cp=$(cat "$cpfile")
java -cp "bottle-docker/target/test-classes:bottle-docker/target/classes:$cp" \
  dev.bottles.docker.bench.DockerBenchmark "${1:-10}" "${2:-50}" "${3:-10}"
