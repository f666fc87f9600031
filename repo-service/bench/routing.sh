#!/usr/bin/env bash
# Routing benchmark: RESTEasy Reactive's matching of RepositoryResource's GET templates for a plain
# read, a content read and a crafted 4,000-character id, with the id pattern pinned and as it was
# before. Prints the medians. Usage: repo-service/bench/routing.sh [rounds=7]
set -euo pipefail
cd "$(dirname "$0")/../.."

./mvnw -q -pl repo-service -am test-compile -DskipTests
./mvnw -q -pl repo-service org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

java -Xmx256m -cp "repo-service/target/test-classes:repo-service/target/classes:$(cat repo-service/target/bench-classpath.txt)" \
  dev.keyward.repo.rest.RoutingBenchmark "$@"
