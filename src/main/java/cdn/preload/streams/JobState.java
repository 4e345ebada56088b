package cdn.preload.streams;

import cdn.preload.domain.StoredJob;

/**
 * A job as the processor holds it, for the state topic: its {@code JobState} document (the 14 job
 * fields and its Generation), or, with a null document, the tombstone of a deleted job.
 */
record JobState(byte[] document) implements Encoded {
    static final JobState DELETED = new JobState(null);

    static JobState of(StoredJob job) {
        return new JobState(JobDocuments.state(job));
    }

    @Override
    public byte[] bytes() {
        return document;
    }
}
