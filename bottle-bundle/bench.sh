#!/usr/bin/env bash
# Egress's cost on loopback against a direct connection, in one run:
#   [EGRESS_JVM="<flags>"] bottle-bundle/bench.sh [requests-per-latency-run] [seconds-per-throughput-run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -Dstyle.color=never -pl bottle-api,bottle-sidecars,bottle-bundle install -DskipTests >/dev/null
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
mvn -B -q -o -Dstyle.color=never -pl bottle-bundle dependency:build-classpath -Dmdep.outputFile="$cpfile" \
  -Dmdep.includeScope=test >/dev/null
# EGRESS_JVM="<flags>" runs egress in a JVM of its own with those flags (the bundle image's) and
# reports its resident memory before, under and after the load.
# EGRESS_IMAGE=<bundle image> runs egress in the real bundle image instead (its port published on
# 127.0.0.1 only), for its memory in the image as shipped (EGRESS_IMAGE_OPTIONS="<flags>" adds
# JVM flags through JAVA_TOOL_OPTIONS). EGRESS_OTHERS=false leaves Squid and
# mitmproxy out.
java ${EGRESS_JVM:+"-Degress.jvm=$EGRESS_JVM"} ${EGRESS_OTHERS:+"-Degress.others=$EGRESS_OTHERS"} \
  ${EGRESS_IMAGE:+"-Degress.image=$EGRESS_IMAGE"} ${EGRESS_IMAGE_OPTIONS:+"-Degress.image.options=$EGRESS_IMAGE_OPTIONS"} -cp "bottle-bundle/target/test-classes:bottle-bundle/target/classes:$(cat "$cpfile")" \
  dev.bottles.bundle.bench.EgressBenchmark "$@"
