package io.lambdarelay.local.internal;

/** Queue names from queue URLs and ARNs. */
public final class QueueNames {

    private QueueNames() {
    }

    /** The queue name, the last path segment of a queue URL. */
    public static String fromUrl(String queueUrl) {
        if (queueUrl == null) {
            return "";
        }
        String url = queueUrl.endsWith("/") ? queueUrl.substring(0, queueUrl.length() - 1) : queueUrl;
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The queue name, the last field of a queue ARN. */
    public static String fromArn(String queueArn) {
        return queueArn.substring(queueArn.lastIndexOf(':') + 1);
    }
}
