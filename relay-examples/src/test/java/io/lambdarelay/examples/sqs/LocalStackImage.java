package io.lambdarelay.examples.sqs;

import org.testcontainers.utility.DockerImageName;

/** The LocalStack image the LocalStack tests run, pinned. */
final class LocalStackImage {
    static final DockerImageName NAME = DockerImageName.parse("localstack/localstack:3.8.1");

    private LocalStackImage() {
    }
}
