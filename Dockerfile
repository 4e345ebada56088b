# syntax=docker/dockerfile:1
# Multi-stage: build the runnable jar with Maven, then run it on a JRE as a non-root user.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY topics ./topics
COPY src ./src
RUN mvn -B -q -Dmaven.test.skip=true package

# A glibc-based JRE: RocksDB's native library does not load on musl (Alpine).
FROM eclipse-temurin:17-jre
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app /var/lib/preload-job-processor \
    && chown app:app /var/lib/preload-job-processor
COPY --from=build /src/target/preload-job-processor.jar /app/preload-job-processor.jar
USER app
WORKDIR /app
# The local stores; mount a volume here so that a restart does not rebuild them from Kafka.
ENV KAFKA_STATE_DIR=/var/lib/preload-job-processor
VOLUME /var/lib/preload-job-processor
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/preload-job-processor.jar"]
