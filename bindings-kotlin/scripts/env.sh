# Shared paths for the build, test and benchmark scripts (sourced, not run).
# shellcheck shell=bash
JNA_JAR=/usr/share/java/jna.jar
# The Servlet APIs PopFilter compiles against (not in taap.jar: the container provides them):
# jakarta.servlet 5 for com.tmobile.taap.servlet, javax.servlet 4 for its .javax twin; and the
# Jetty 9 the tests run the twin in.
JAKARTA_SERVLET_JAR=/usr/share/java/jakarta-servlet-api.jar
JAVAX_SERVLET_JAR=/usr/share/java/servlet-api.jar
JETTY_JARS=$(printf '/usr/share/java/jetty9-%s.jar:' server servlet security http io util)
JETTY_JARS="${JETTY_JARS%:}"
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
    for jar in "$JNA_JAR" "$JAKARTA_SERVLET_JAR" "$JAVAX_SERVLET_JAR"; do
        [ -f "$jar" ] || { echo "missing $jar: apt-get install libjna-java junit5 libjakarta-servlet-api-java libservlet-api-java libjetty9-java" >&2; exit 1; }
    done
}
