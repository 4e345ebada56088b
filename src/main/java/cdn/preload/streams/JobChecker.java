package cdn.preload.streams;

import cdn.preload.domain.InvalidJsonException;
import cdn.preload.domain.Job;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.UnicodeText;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The checks of a record of the jobs topic, before anything is stored: a job must be a JSON object
 * of the contract's types, at most {@link TopicLayout#maxJobBytes()} long, keyed by its own
 * well-formed Id, and no longer than that once written back as it is stored, and its header
 * {@value Outcome#GENERATION_HEADER}, if it has one, must be ASCII decimal digits (the generation
 * its counters were computed in, the same if given more than once); otherwise it is a dead letter, as
 * is a record without a key. A tombstone deletes the job its key names (a key that is no job Id names
 * none: nothing to delete), unless its generation header is malformed: bad input, whatever the
 * record. A job or tombstone that is not on the partition where its job is kept is marked for
 * re-routing there.
 */
final class JobChecker extends InputChecker {
    /** Long.MAX_VALUE has 19 digits. */
    private static final int MAX_GENERATION_DIGITS = 19;

    JobChecker(TopicLayout layout, ResetObserver observer, EarlyCommits earlyCommits) {
        super(layout, observer, earlyCommits);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] key = record.key();
        byte[] value = record.value();
        if (value == null && key != null) {
            if (JobId.isValid(key)) {
                try {
                    generation(record.headers()); // a deletion carries no counters, but bad input is bad input
                } catch (InvalidJobException e) {
                    deadLetter(record, e.getMessage());
                    return;
                }
                change(record, null, null, 0);
            }
            return;
        }
        Job job;
        byte[] document;
        long generation;
        try {
            job = parse(key, value);
            generation = generation(record.headers());
            document = Json.write(job);
            // What is stored and carried in snapshots is the job written back, which is longer than its
            // record when, say, it spells a character beyond the BMP in four bytes (it becomes two escapes).
            if (document.length > layout.maxJobBytes()) {
                throw new InvalidJobException("The job is " + document.length + " bytes long as it is stored (its record: "
                        + value.length + " bytes); at most " + layout.maxJobBytes() + " are accepted.");
            }
        } catch (InvalidJobException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        change(record, job, document, generation);
    }

    private void deadLetter(Record<byte[], byte[]> record, String problem) {
        context().forward(DeadLetter.of(record, context().recordMetadata().orElseThrow(),
                InvalidJobException.class.getName(), problem, layout.maxDeadLetterBytes()));
        observer.deadLettered("jobs", problem);
    }

    /**
     * The generation the header {@value Outcome#GENERATION_HEADER} names; 0 without one. Given more
     * than once, it must name the same generation each time: readers that keep the first and readers
     * that keep the last would otherwise disagree about the record.
     */
    private static long generation(Headers headers) {
        long generation = -1;
        for (Header header : headers.headers(Outcome.GENERATION_HEADER)) {
            long named = generation(header.value());
            if (generation >= 0 && named != generation) {
                throw new InvalidJobException("The job record's headers " + Outcome.GENERATION_HEADER + " name two generations, "
                        + generation + " and " + named + "; it must name one.");
            }
            generation = named;
        }
        return Math.max(generation, 0);
    }

    private static long generation(byte[] digits) {
        if (digits == null || digits.length == 0 || digits.length > MAX_GENERATION_DIGITS) {
            throw notAGeneration();
        }
        long generation = 0;
        for (byte digit : digits) {
            if (digit < '0' || digit > '9') {
                throw notAGeneration();
            }
            generation = generation * 10 + (digit - '0');
        }
        if (generation < 0) { // 19 digits beyond Long.MAX_VALUE
            throw notAGeneration();
        }
        return generation;
    }

    private static InvalidJobException notAGeneration() {
        return new InvalidJobException("The job record's header " + Outcome.GENERATION_HEADER
                + " must be the generation its counters were computed in, in ASCII decimal digits (at most "
                + Long.MAX_VALUE + ").");
    }

    /** The job the record holds; throws {@link InvalidJobException} saying why it cannot be stored. */
    private Job parse(byte[] key, byte[] value) {
        if (key == null) {
            throw new InvalidJobException("The job record has no key; it must be the job's Id.");
        }
        int max = layout.maxJobBytes();
        if (value.length > max) {
            throw new InvalidJobException("The job is " + value.length + " bytes long; at most " + max + " are accepted.");
        }
        Job job;
        try {
            job = Json.read(value, Job.class);
        } catch (InvalidJsonException e) {
            throw new InvalidJobException(e.getMessage());
        }
        if (job == null) { // the JSON literal null
            throw new InvalidJobException("The job must be a JSON object, not null.");
        }
        if (!JobId.isValid(job.id())) {
            throw new InvalidJobException("The job's Id must be 24 lower-case hexadecimal digits.");
        }
        if (!TopicLayout.isKeyOf(key, job.id())) {
            throw new InvalidJobException("The job's Id " + job.id() + " does not match the record key.");
        }
        if (UnicodeText.hasUnpairedSurrogate(job.aliUid())) {
            // Stored as UTF-8 it would become '?': the account "a?" would own the job.
            throw new InvalidJobException("The job's AliUid is not Unicode text: it has an unpaired surrogate.");
        }
        return job;
    }

    /**
     * Forwards the change. A job whose generation is not 0 may turn out, on its job's partition, to
     * be ahead of the job's: it keeps its origin and its headers, for the dead letter (re-routed, as
     * much of them as fits in the repartition topic: {@link DeadLetter#carried}).
     */
    private void change(Record<byte[], byte[]> record, Job job, byte[] document, long generation) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        boolean elsewhere = !layout.isHome(record.key(), source.partition());
        Origin origin = generation == 0 ? null
                : new Origin(source.topic(), source.partition(), source.offset(), record.key(), record.value());
        Headers headers = origin == null ? new RecordHeaders() : record.headers();
        if (origin != null && elsewhere) {
            origin = DeadLetter.carried(origin, headers, ReroutedSerde.JOB_OF_A_GENERATION_BYTES, layout.maxReroutedBytes());
            headers = origin.cut() == null ? headers : new RecordHeaders();
        }
        context().forward(new Record<>(record.key(), new Checked.JobChange(job, document, generation, origin, elsewhere),
                record.timestamp(), headers));
        if (elsewhere) {
            // Re-routed, it reaches the job store only once committed: as a re-routed command, so that
            // the commands that follow it find the job.
            earlyCommit.forwarded(record.timestamp());
        }
    }
}
