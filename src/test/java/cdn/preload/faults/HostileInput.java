package cdn.preload.faults;

import cdn.preload.domain.ErrorCode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Bad records for the three input topics, each with what must become of it. Commands: random bytes,
 * truncated and deeply nested JSON, wrong types, 1 MB strings, null and empty keys and values, Ids
 * with unicode, control characters or injection attempts, numbers where strings belong, keys as
 * large as the topic takes. Jobs: the same kinds of damage, keys that do not match, overflowing and
 * negative numbers, tombstones, 1 MB keys. Progress reports: the same kinds of damage, fields
 * missing, given twice or out of range, and valid reports under odd keys (re-routed to their job's
 * partition), of a generation ahead of the job's, of no job, or of the job's own. And, compressed to
 * fit the topic, values that expand to {@value #EXPANDED} bytes, far beyond what any topic takes,
 * for all three topics.
 */
final class HostileInput {
    /** A bad record of any of the three topics: its key and value as published, and whether it must be dead-lettered. */
    interface BadRecord {
        byte[] key();

        byte[] value();

        boolean deadLetter();
    }

    /**
     * What must become of a command: an outcome with this code and this RequestId (null: the one the
     * processor assigns from the command's position), and whether it goes to the DLQ too.
     */
    record BadCommand(String kind, byte[] key, byte[] value, ErrorCode code, String requestId, boolean deadLetter)
            implements BadRecord {
    }

    /** What must become of a job record: a dead letter, or the store holding (or no longer holding) the job. */
    record BadJob(String kind, byte[] key, byte[] value, boolean deadLetter, String storedId, ObjectNode stored)
            implements BadRecord {
    }

    /**
     * What must become of a progress report: a dead letter, or nothing visible (fenced, or no higher
     * than the job's counters); or, where {@code storedId} is not null, the job's counters raised to
     * {@code counter} (the largest such report of that job wins).
     */
    record BadProgress(String kind, byte[] key, byte[] value, boolean deadLetter, String storedId, int counter)
            implements BadRecord {
    }

    static final int ONE_MB = 1_000_000;
    /** Almost as large as a topic takes by default (max.message.bytes 1048588, less the batch's overhead). */
    static final int LARGEST = 1_048_000;
    /**
     * A key as large as a topic takes with an empty value: its error event, which echoes the key,
     * would not fit in an errors topic of the same limit.
     */
    static final int LARGEST_KEY = 1_048_400;
    /** What a compressed value expands to. */
    static final int EXPANDED = 8 << 20;
    private static final String[] NASTY_IDS = {
        "665d3af3621bccf3fe29e1a4' OR '1'='1", "665D3AF3621BCCF3FE29E1A4", "665d3af3621bccf3fe29e1a\u0000",
        "665d3af3621bccf3fe29e1a\u202e", "６６５d3af3621bccf3fe29e1a4", "665d3af3621bccf3fe29e1a4\"},{\"Id\":\"x",
        "\ud83d\ude00\ud83d\ude00\ud83d\ude00", "\ud800", "../../etc/passwd", "${jndi:ldap://example.invalid/a}",
        "<script>alert(1)</script>", "665d3af3621bccf3fe29e1a4\n", " 665d3af3621bccf3fe29e1a4", "",
    };

    private final Random random;
    private final List<ObjectNode> jobs;
    private int next;

    HostileInput(long seed, List<ObjectNode> jobs) {
        this.random = new Random(seed);
        this.jobs = jobs;
    }

    List<BadCommand> commands(int perKind) {
        List<BadCommand> commands = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            commands.add(unparseable("random bytes", randomKey(), randomBytes(1 + random.nextInt(300)), null));
            String requestId = requestId();
            byte[] whole = command(requestId, existing().get("Id").asText(), "x");
            byte[] truncated = java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
            // The RequestId is echoed when the command got as far as its closing quote.
            boolean requestIdWhole = new String(truncated, StandardCharsets.UTF_8).contains("\"" + requestId + "\"");
            commands.add(unparseable("truncated JSON", randomKey(), truncated, requestIdWhole ? requestId : null));
            requestId = requestId();
            commands.add(unparseable("deeply nested JSON", randomKey(), nested(requestId, 1_001 + random.nextInt(20_000)),
                    requestId));
            requestId = requestId();
            commands.add(unparseable("wrong type", randomKey(), utf8("{\"RequestId\":\"" + requestId + "\",\"Id\":"
                    + pick("123", "true", "{}", "[\"665d3af3621bccf3fe29e1a4\"]", "-1", "1e999999", "-99999999999999999999")
                    + ",\"AliUid\":\"x\"}"), requestId));
            commands.add(unparseable("RequestId of the wrong type", randomKey(),
                    utf8("{\"RequestId\":" + pick("42", "-9223372036854775809", "null,\"RequestId\":7", "[]")
                            + ",\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"x\"}"), null));
            commands.add(unparseable(i % 2 == 0 ? "null value" : "empty value", randomKey(),
                    i % 2 == 0 ? null : new byte[0], null));
            String nasty = NASTY_IDS[i % NASTY_IDS.length];
            requestId = requestId();
            // An unpaired surrogate is not Unicode text: the command is unparseable, not just a bad Id.
            boolean unpaired = nasty.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
            commands.add(new BadCommand("Id with unicode, control characters or injection", utf8(nasty),
                    command(requestId, nasty, "x"), unpaired ? ErrorCode.INVALID_PARAMETER : ErrorCode.INVALID_PARAMETER_OBJECT_ID,
                    requestId, unpaired));
            requestId = requestId();
            ObjectNode victim = existing();
            commands.add(new BadCommand("another account's job, key " + (i % 2 == 0 ? "null" : "empty"),
                    i % 2 == 0 ? null : new byte[0], command(requestId, victim.get("Id").asText(), "intruder"),
                    ErrorCode.INVALID_UID_PERMISSION_DENIED, requestId, false));
            requestId = requestId();
            String injected = requestId + "\",\"Name\":\"leak";
            commands.add(new BadCommand("JSON injection in RequestId", utf8(victim.get("Id").asText()),
                    command(injected, victim.get("Id").asText(), "intruder"), ErrorCode.INVALID_UID_PERMISSION_DENIED,
                    injected, false));
        }
        for (int i = 0; i < 3; i++) {
            String requestId = requestId();
            commands.add(unparseable("1 MB Id", randomKey(), command(requestId, "a".repeat(ONE_MB), "x"), requestId));
            commands.add(unparseable("1 MB RequestId", randomKey(), command("r".repeat(ONE_MB), "665d3af3621bccf3fe29e1a4", "x"), null));
            requestId = requestId();
            commands.add(unparseable("largest record the topic takes", randomKey(),
                    command(requestId, "i".repeat(LARGEST - 60), "x"), requestId));
            commands.add(unparseable("largest key the topic takes, empty value", filled(LARGEST_KEY, 'k'), new byte[0], null));
        }
        return commands;
    }

    /** Commands whose values expand far beyond any topic's limit: publish them compressed. */
    List<BadCommand> expandingCommands() {
        List<BadCommand> commands = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String requestId = requestId();
            commands.add(unparseable("value of 8 MiB, an Id too long", randomKey(), utf8("{\"RequestId\":\"" + requestId
                    + "\",\"Id\":\"" + "a".repeat(EXPANDED) + "\"}"), requestId));
            requestId = requestId();
            ObjectNode victim = existing();
            commands.add(new BadCommand("value of 8 MiB, an unknown field", utf8(victim.get("Id").asText()),
                    utf8("{\"RequestId\":\"" + requestId + "\",\"Id\":\"" + victim.get("Id").asText()
                            + "\",\"AliUid\":\"intruder\",\"Padding\":\"" + "p".repeat(EXPANDED) + "\"}"),
                    ErrorCode.INVALID_UID_PERMISSION_DENIED, requestId, false));
        }
        return commands;
    }

    /** Jobs whose values expand far beyond any topic's limit: publish them compressed. */
    List<BadJob> expandingJobs() {
        List<BadJob> bad = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ObjectNode big = fresh();
            big.put("Domains", "d".repeat(EXPANDED));
            bad.add(deadLetter("job of 8 MiB", utf8(big.get("Id").asText()), Workload.bytes(big)));
        }
        return bad;
    }

    List<BadJob> jobs(int perKind, List<ObjectNode> doomed) {
        List<BadJob> bad = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            ObjectNode job = fresh();
            String id = job.get("Id").asText();
            bad.add(deadLetter("random bytes", utf8(id), randomBytes(1 + random.nextInt(300))));
            byte[] whole = Workload.bytes(job);
            bad.add(deadLetter("truncated JSON", utf8(id), java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1))));
            bad.add(deadLetter("wrong type", utf8(id), Workload.bytes(job.deepCopy().put("UrlCount", "many"))));
            bad.add(deadLetter("overflowing number", utf8(id), utf8(new String(whole, StandardCharsets.UTF_8)
                    .replaceFirst("\"SiteId\":\\d+", "\"SiteId\":" + pick("99999999999999999999", "1e30", "-1e30")))));
            bad.add(deadLetter("overflowing int32", utf8(id), Workload.bytes(job.deepCopy().put("UrlCount", 2_147_483_648L))));
            bad.add(deadLetter("key is not the Id", utf8(fresh().get("Id").asText()), whole));
            // A null key never gets here: a compacted topic refuses it ("Compacted topic cannot accept
            // message without key").
            bad.add(deadLetter("empty key", new byte[0], whole));
            String nasty = NASTY_IDS[i % NASTY_IDS.length];
            bad.add(deadLetter("Id with unicode, control characters or injection", utf8(nasty),
                    Workload.bytes(job.deepCopy().put("Id", nasty))));
            bad.add(deadLetter("deeply nested JSON", utf8(id), nested(null, 1_001 + random.nextInt(20_000))));
            bad.add(deadLetter("empty value", utf8(id), new byte[0]));
            bad.add(deadLetter("JSON null", utf8(id), utf8("null")));
            ObjectNode negative = fresh().put("UrlCount", -5).put("UrlSubmitted", -1).put("SiteId", -190007158391808L);
            bad.add(stored("negative numbers (valid types)", negative));
            ObjectNode odd = fresh().put("Name", "名前 \u0001\u001f \"quoted\" \\ </script> \ud83d\ude00")
                    .put("Domains", "'; DROP TABLE jobs; --");
            bad.add(stored("unicode and control characters in values", odd));
            bad.add(new BadJob("tombstone of an unknown job", utf8(fresh().get("Id").asText()), null, false, null, null));
        }
        for (ObjectNode job : doomed) {
            bad.add(new BadJob("tombstone of a stored job", utf8(job.get("Id").asText()), null, false,
                    job.get("Id").asText(), null));
        }
        for (int i = 0; i < 2; i++) {
            ObjectNode big = fresh();
            big.put("Domains", "d".repeat(ONE_MB));
            bad.add(deadLetter("1 MB job", utf8(big.get("Id").asText()), Workload.bytes(big)));
            ObjectNode largest = fresh();
            largest.put("ErrorInfo", "e".repeat(LARGEST + 400 - Workload.bytes(largest).length));
            bad.add(deadLetter("largest job the topic takes", utf8(largest.get("Id").asText()), Workload.bytes(largest)));
            bad.add(deadLetter("1 MB key", filled(ONE_MB, 'k'), Workload.bytes(fresh())));
        }
        return bad;
    }

    /**
     * Bad progress reports, and valid ones under odd keys: with an odd key (none, empty, random bytes,
     * another job's Id) a report is re-routed to its job's partition before it is applied or found to
     * be ahead of the job's generation. The stored jobs are all at generation 0.
     */
    List<BadProgress> progress(int perKind) {
        List<BadProgress> bad = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            String id = existing().get("Id").asText();
            bad.add(deadReport("random bytes", randomKey(), randomBytes(1 + random.nextInt(300))));
            byte[] whole = report(id, 0, 1, 1);
            bad.add(deadReport("truncated JSON", utf8(id), java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1))));
            bad.add(deadReport("deeply nested JSON", randomKey(), nested(null, 1_001 + random.nextInt(20_000))));
            bad.add(deadReport("not an object", randomKey(), utf8(pick("[]", "\"report\"", "42", "null", "true", "[{}]"))));
            bad.add(deadReport(i % 2 == 0 ? "null value" : "empty value", randomKey(), i % 2 == 0 ? null : new byte[0]));
            String field = pick("Id", "Generation", "UrlSubmitted", "TaskSubmitted");
            String wrong = field.equals("Id") ? pick("123", "true", "{}", "null", "[\"" + id + "\"]")
                    : pick("\"1\"", "1.5", "-1", "1e30", "99999999999999999999", "null", "[]",
                            field.equals("Generation") ? "-9223372036854775809" : "2147483648");
            bad.add(deadReport("wrong type or range", utf8(id), utf8(new String(whole, StandardCharsets.UTF_8)
                    .replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(wrong)))));
            bad.add(deadReport("missing field", utf8(id), utf8(new String(whole, StandardCharsets.UTF_8)
                    .replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|[0-9]+)", "").replace("{,", "{"))));
            bad.add(deadReport("field given twice", utf8(id), utf8(new String(whole, StandardCharsets.UTF_8)
                    .replace("}", ",\"UrlSubmitted\":2}"))));
            bad.add(deadReport("two JSON values", utf8(id), utf8(new String(whole, StandardCharsets.UTF_8).repeat(2))));
            String nasty = NASTY_IDS[i % NASTY_IDS.length];
            bad.add(deadReport("Id with unicode, control characters or injection", utf8(nasty), report(nasty, 0, 1, 1)));
            bad.add(deadReport("a generation ahead of the job's, " + oddKeyKind(i), oddKey(i, id),
                    report(id, 1 + random.nextInt(1_000_000), 1, 1)));
            bad.add(new BadProgress("a job that does not exist, " + oddKeyKind(i), oddKey(i, id),
                    report(fresh().get("Id").asText(), random.nextInt(3), 7, 7), false, null, 0));
            int counter = 10_000 + random.nextInt(1_000_000);
            bad.add(new BadProgress("a report of the job's generation, " + oddKeyKind(i), oddKey(i, id),
                    report(id, 0, counter, counter), false, id, counter));
        }
        for (int i = 0; i < 3; i++) {
            String id = existing().get("Id").asText();
            bad.add(deadReport("1 MB Id", randomKey(), report("a".repeat(ONE_MB), 0, 1, 1)));
            bad.add(deadReport("largest record the topic takes", randomKey(), report("i".repeat(LARGEST - 80), 0, 1, 1)));
            bad.add(deadReport("largest key the topic takes, empty value", filled(LARGEST_KEY, 'k'), new byte[0]));
            bad.add(deadReport("a generation ahead of the job's, 1 MB key", filled(ONE_MB, 'k'), report(id, 1, 1, 1)));
            bad.add(deadReport("a generation ahead of the job's, largest record the topic takes, " + oddKeyKind(i),
                    oddKey(i, id), padded(report(id, 1, 1, 1), LARGEST - 60)));
        }
        return bad;
    }

    /** Progress reports whose values expand far beyond any topic's limit: publish them compressed. */
    List<BadProgress> expandingProgress() {
        List<BadProgress> bad = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String id = existing().get("Id").asText();
            bad.add(deadReport("value of 8 MiB, an Id too long", randomKey(), report("a".repeat(EXPANDED), 0, 1, 1)));
            bad.add(deadReport("value of 8 MiB, a generation ahead of the job's, " + oddKeyKind(i), oddKey(i, id),
                    padded(report(id, 1, 1, 1), EXPANDED)));
            bad.add(new BadProgress("value of 8 MiB, no higher than the job's counters, " + oddKeyKind(i), oddKey(i, id),
                    padded(report(id, 0, 0, 0), EXPANDED), false, null, 0));
        }
        return bad;
    }

    /** Keys other than the report's Id, in turn: none, empty, random bytes, another job's Id. */
    private byte[] oddKey(int i, String id) {
        return switch (i % 4) {
            case 0 -> null;
            case 1 -> new byte[0];
            case 2 -> randomBytes(8);
            default -> utf8(fresh().get("Id").asText());
        };
    }

    private static String oddKeyKind(int i) {
        return List.of("no key", "empty key", "random key", "another job's Id as key").get(i % 4);
    }

    private static BadProgress deadReport(String kind, byte[] key, byte[] value) {
        return new BadProgress(kind, key, value, true, null, 0);
    }

    private static byte[] report(String id, long generation, int urlSubmitted, int taskSubmitted) {
        return Workload.bytes(Workload.JSON.createObjectNode().put("Id", id).put("Generation", generation)
                .put("UrlSubmitted", urlSubmitted).put("TaskSubmitted", taskSubmitted));
    }

    /** The report with an unknown field that makes it {@code length} bytes long. */
    private static byte[] padded(byte[] report, int length) {
        String json = new String(report, StandardCharsets.UTF_8);
        String padding = ",\"Padding\":\"\"}";
        return utf8(json.substring(0, json.length() - 1) + padding.replace("\"\"}",
                "\"" + "p".repeat(length - json.length() - padding.length() + 1) + "\"}"));
    }

    private BadCommand unparseable(String kind, byte[] key, byte[] value, String requestId) {
        return new BadCommand(kind, key, value, ErrorCode.INVALID_PARAMETER, requestId, true);
    }

    private static BadJob deadLetter(String kind, byte[] key, byte[] value) {
        return new BadJob(kind, key, value, true, null, null);
    }

    private static BadJob stored(String kind, ObjectNode job) {
        return new BadJob(kind, utf8(job.get("Id").asText()), Workload.bytes(job), false, job.get("Id").asText(), job);
    }

    private ObjectNode existing() {
        return jobs.get(random.nextInt(jobs.size()));
    }

    private ObjectNode fresh() {
        return jobs.get(0).deepCopy().put("Id", Workload.hexId(random)).put("Name", "hostile-" + next++);
    }

    private String requestId() {
        return "hostile-" + next++;
    }

    private static byte[] command(String requestId, String id, String aliUid) {
        return Workload.bytes(Workload.JSON.createObjectNode().put("RequestId", requestId).put("Id", id).put("AliUid", aliUid));
    }

    private static byte[] nested(String requestId, int depth) {
        StringBuilder json = new StringBuilder(depth * 2 + 64);
        json.append(requestId == null ? "" : "{\"RequestId\":\"" + requestId + "\",\"Id\":");
        json.append("[".repeat(depth)).append("]".repeat(depth));
        json.append(requestId == null ? "" : "}");
        return utf8(json.toString());
    }

    /** Random bytes that cannot begin a JSON value: the first is a control character or not ASCII. */
    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        bytes[0] = (byte) (0x80 | random.nextInt(0x80));
        return bytes;
    }

    private byte[] randomKey() {
        int kind = random.nextInt(4);
        return kind == 0 ? null : kind == 1 ? new byte[0] : kind == 2 ? randomBytes(8) : utf8(existing().get("Id").asText());
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
