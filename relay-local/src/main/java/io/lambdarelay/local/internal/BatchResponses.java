package io.lambdarelay.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/** Reads a handler's {@code SQSBatchResponse} the way Lambda does for {@code ReportBatchItemFailures}. */
final class BatchResponses {

    private BatchResponses() {
    }

    /**
     * The message ids to leave on the queue. Lambda treats a null or empty response, or a null or
     * empty failure list, as full success; and invalid JSON, or an item identifier that is null,
     * empty or not in the batch, as failure of the whole batch (then {@code batchIds} itself is
     * returned).
     */
    static Set<String> failedItems(LambdaJson json, byte[] response, Set<String> batchIds) {
        if (response == null || response.length == 0) {
            return Set.of();
        }
        JsonNode root;
        try {
            root = json.parse(response);
        } catch (IOException e) {
            return batchIds;
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return Set.of();
        }
        if (!root.isObject()) {
            return batchIds;
        }
        JsonNode failures = root.get("batchItemFailures");
        if (failures == null || failures.isNull()) {
            return Set.of();
        }
        if (!failures.isArray()) {
            return batchIds;
        }
        Set<String> failed = new HashSet<>();
        for (JsonNode item : failures) {
            JsonNode id = item.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !batchIds.contains(id.asText())) {
                return batchIds;
            }
            failed.add(id.asText());
        }
        return failed;
    }
}
