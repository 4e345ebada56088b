package cdn.preload.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads a {@link Progress} report from JSON bytes with a streaming parser, in one pass: a JSON object
 * whose {@code Id} is a job Id, whose {@code Generation} is an integer of at least 0, and whose
 * {@code UrlSubmitted} and {@code TaskSubmitted} are int32 integers of at least 0, all four present.
 * Unknown fields are skipped; a known field given twice is refused (readers that keep the first and
 * readers that keep the last would disagree).
 */
public final class ProgressParser {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] FIELDS = {"Id", "Generation", "UrlSubmitted", "TaskSubmitted"};
    private static final int ID = 0;
    private static final int GENERATION = 1;
    private static final int URL_SUBMITTED = 2;
    private static final int TASK_SUBMITTED = 3;
    private static final int ALL = 0b1111;

    private ProgressParser() {
    }

    /**
     * The report in {@code json}.
     *
     * @throws InvalidProgressException when the bytes are not such a report, saying why
     */
    public static Progress parse(byte[] json) {
        if (json == null) {
            throw new InvalidProgressException("The progress report has no value.");
        }
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidProgressException(first == null ? "The progress report is empty."
                        : "The progress report must be a JSON object, not " + CommandParser.describe(first) + ".");
            }
            String id = null;
            long[] numbers = new long[FIELDS.length];
            int seen = 0;
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                int field = fieldIndex(parser.currentName());
                JsonToken value = parser.nextToken();
                if (field < 0) {
                    parser.skipChildren();
                    continue;
                }
                String name = FIELDS[field];
                if ((seen & (1 << field)) != 0) {
                    throw new InvalidProgressException("Field \"" + name + "\" appears more than once.");
                }
                seen |= 1 << field;
                if (field == ID) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new InvalidProgressException("Field \"Id\" must be a string, not " + CommandParser.describe(value) + ".");
                    }
                    id = parser.getText();
                    if (!JobId.isValid(id)) {
                        throw new InvalidProgressException("Field \"Id\" must be 24 lower-case hexadecimal digits.");
                    }
                } else {
                    numbers[field] = number(parser, value, name, field == GENERATION ? Long.MAX_VALUE : Integer.MAX_VALUE);
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidProgressException("The progress report has more than one JSON value; it must be a single object.");
            }
            if (seen != ALL) {
                for (int field = 0; field < FIELDS.length; field++) {
                    if ((seen & (1 << field)) == 0) {
                        throw new InvalidProgressException("Field \"" + FIELDS[field] + "\" is missing.");
                    }
                }
            }
            return new Progress(id, numbers[GENERATION], (int) numbers[URL_SUBMITTED], (int) numbers[TASK_SUBMITTED]);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")";
            throw new InvalidProgressException("The progress report is not valid JSON: " + e.getOriginalMessage() + where + ".");
        } catch (IOException e) {
            // The bytes' fault too: bytes that look like UTF-32 but are not raise a CharConversionException.
            throw new InvalidProgressException("The progress report is not valid JSON: " + e.getMessage() + ".");
        }
    }

    /** An integer from 0 to {@code max}, or the reason it is not. */
    private static long number(JsonParser parser, JsonToken value, String name, long max) throws IOException {
        String range = max == Long.MAX_VALUE ? "an integer from 0 to " + max : "an integer from 0 to " + max + " (int32)";
        if (value != JsonToken.VALUE_NUMBER_INT) {
            String found = value == JsonToken.VALUE_NUMBER_FLOAT ? parser.getText() : CommandParser.describe(value);
            throw new InvalidProgressException("Field \"" + name + "\" must be " + range + ", not " + found + ".");
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.BIG_INTEGER || (type == JsonParser.NumberType.LONG && max == Integer.MAX_VALUE)) {
            throw new InvalidProgressException("Field \"" + name + "\" must be " + range + ", not " + parser.getText() + ".");
        }
        long number = parser.getLongValue();
        if (number < 0) {
            throw new InvalidProgressException("Field \"" + name + "\" must be " + range + ", not " + number + ".");
        }
        return number;
    }

    private static int fieldIndex(String name) {
        switch (name) {
            case "Id":
                return ID;
            case "Generation":
                return GENERATION;
            case "UrlSubmitted":
                return URL_SUBMITTED;
            case "TaskSubmitted":
                return TASK_SUBMITTED;
            default:
                return -1;
        }
    }
}
