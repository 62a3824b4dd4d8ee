package io.lambdarelay.internal;

import java.util.Objects;

/**
 * The parts of an ARN the relay needs: partition, service, region, account and resource.
 * Partitions are read, never assumed, so the library works in {@code aws-cn} and {@code aws-us-gov}.
 *
 * @param partition e.g. {@code aws}
 * @param service e.g. {@code lambda}
 * @param region e.g. {@code eu-west-1}
 * @param account the 12-digit account id
 * @param resource everything after the account, e.g. {@code function:worker}
 */
public record Arn(String partition, String service, String region, String account, String resource) {

    /**
     * Parses an ARN.
     *
     * @param arn the text
     * @return the parts
     * @throws IllegalArgumentException if the text is not an ARN with all six parts
     */
    public static Arn parse(String arn) {
        Objects.requireNonNull(arn, "arn");
        String[] p = arn.split(":", 6);
        if (p.length < 6 || !"arn".equals(p[0]) || p[1].isEmpty() || p[2].isEmpty() || p[5].isEmpty()) {
            throw new IllegalArgumentException("not an ARN: '" + arn + "'");
        }
        return new Arn(p[1], p[2], p[3], p[4], p[5]);
    }

    /**
     * Returns this ARN without a qualifier: a function's ARN without its alias or version
     * ({@code function:worker:live} becomes {@code function:worker}); other ARNs as they are.
     *
     * @return the unqualified ARN
     */
    public String unqualified() {
        String[] r = resource.split(":");
        String res = r.length <= 2 ? resource : r[0] + ":" + r[1];
        return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + res;
    }

    /**
     * Returns the last segment of the resource, such as a queue or function name.
     *
     * @return the resource name
     */
    public String resourceName() {
        int i = Math.max(resource.lastIndexOf(':'), resource.lastIndexOf('/'));
        return i < 0 ? resource : resource.substring(i + 1);
    }
}
