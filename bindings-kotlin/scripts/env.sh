# Shared paths for the build, test and benchmark scripts (sourced, not run).
# shellcheck shell=bash
JNA_JAR=/usr/share/java/jna.jar
JUNIT_JAR=/usr/share/java/junit-platform-console-standalone.jar
JNA_PLATFORM=linux-x86-64
TOOLS="$here/.tools"
KOTLIN_HOME="$TOOLS/node_modules/kotlin-compiler"
KOTLINC="$KOTLIN_HOME/bin/kotlinc"
KOTLIN_STDLIB="$KOTLIN_HOME/lib/kotlin-stdlib.jar"

# kotlinc from npm's kotlin-compiler, pinned by .tools/package-lock.json (Maven Central is
# not a dependency of this build).
install_kotlinc() {
    if [ ! -x "$KOTLINC" ]; then
        (cd "$TOOLS" && npm ci --no-audit --no-fund --silent)
    fi
    for jar in "$JNA_JAR"; do
        [ -f "$jar" ] || { echo "missing $jar: apt-get install libjna-java junit5" >&2; exit 1; }
    done
}
