package io.lambdarelay.local.internal;

import java.util.Map;

/**
 * A message as a poller received it, with what Lambda puts into an SQS event record.
 *
 * @param messageId the SQS message id
 * @param receiptHandle the handle that deletes it
 * @param body the body
 * @param attributes the system attributes ({@code ApproximateReceiveCount}, {@code SentTimestamp},
 *     {@code AWSTraceHeader} ...)
 * @param messageAttributes the user's message attributes
 * @param md5OfBody hex MD5 of the body
 * @param md5OfMessageAttributes hex MD5 of the message attributes, or null when there are none
 */
record ReceivedMessage(String messageId, String receiptHandle, String body, Map<String, String> attributes,
        Map<String, Attribute> messageAttributes, String md5OfBody, String md5OfMessageAttributes) {

    /**
     * One message attribute.
     *
     * @param dataType {@code String}, {@code Number} or {@code Binary}, with a custom suffix if any
     * @param stringValue the value of a string or number attribute, else null
     * @param binaryValue the value of a binary attribute, else null
     */
    record Attribute(String dataType, String stringValue, byte[] binaryValue) {
    }
}
