package cdn.preload.streams;

/**
 * An input record as it came, where it came from: what a dead letter written after the record was
 * re-routed must show (its headers travel with the re-routed record itself).
 *
 * @param topic the input topic
 * @param partition its partition
 * @param offset its offset
 * @param key the record's key as it came (null for none)
 * @param value the record's value as it came
 */
record Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
}
