#!/usr/bin/env bash
# Runs a main class of repo-service's test sources (a benchmark) with the test classpath:
# repo-service/bench/test-main.sh HEAP CLASS [args...]. Used by push-scan.sh and routing.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
heap=$1 main=$2
shift 2

./mvnw -q -pl repo-service -am test-compile -DskipTests
./mvnw -q -pl repo-service org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

java "-Xmx$heap" -cp "repo-service/target/test-classes:repo-service/target/classes:$(cat repo-service/target/bench-classpath.txt)" \
  "$main" "$@"
