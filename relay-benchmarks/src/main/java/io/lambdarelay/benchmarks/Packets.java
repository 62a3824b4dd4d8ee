package io.lambdarelay.benchmarks;

import java.nio.charset.StandardCharsets;

/** The packet the hand-off and cold-start benchmarks send: what an import job's packet looks like. */
final class Packets {
    /** The serialized size the realistic packet is padded to. */
    static final int TARGET_BYTES = 1_024;

    private Packets() {
    }

    /**
     * Returns a packet of about 1 KiB for a queue: the reserved keys, the library's stats and a few
     * user keys, one of them an opaque continuation token (the usual bulk of a real packet).
     */
    static String realistic(String queueUrl) {
        String head = "{\"QueueUrl\":\"" + queueUrl + "\",\"UUID\":\"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f\","
                + "\"stats\":{\"sqsCount\":0,\"relayId\":\"r-5b2e8c41d7a9\",\"hop\":0,\"createdAt\":1795449600000,"
                + "\"function\":\"importWorker\",\"unitMs\":0},"
                + "\"s3Bucket\":\"example-imports\",\"s3Key\":\"2026/11/customers-eu-west-1.csv\","
                + "\"offset\":1500000,\"rowsImported\":1499873,\"cursor\":\"";
        String tail = "\"}";
        int pad = TARGET_BYTES - head.getBytes(StandardCharsets.UTF_8).length - tail.length();
        StringBuilder cursor = new StringBuilder(Math.max(0, pad));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < pad; i++) {
            cursor.append(alphabet.charAt((i * 31 + 7) % alphabet.length()));
        }
        return head + cursor + tail;
    }
}
