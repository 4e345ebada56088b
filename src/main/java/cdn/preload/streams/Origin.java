package cdn.preload.streams;

/**
 * An input record as it came, where it came from: what a dead letter written after the record was
 * re-routed must show (its headers travel with the re-routed record itself).
 *
 * @param topic the input topic
 * @param partition its partition
 * @param offset its offset
 * @param key the record's key as it came (null for none), or its first bytes (see {@code cut})
 * @param value the record's value as it came, or its first bytes (see {@code cut})
 * @param cut what was cut of the record so that it could be re-routed ({@link DeadLetter#carried}), or null
 */
record Origin(String topic, int partition, long offset, byte[] key, byte[] value, String cut) {

    /** The record as it came. */
    Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
        this(topic, partition, offset, key, value, null);
    }
}
