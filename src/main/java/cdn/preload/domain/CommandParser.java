package cdn.preload.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads a {@link ResetCommand} from JSON bytes with a streaming parser: one pass, no tree, and a
 * precise message when the input is not a JSON object whose RequestId, Id and AliUid are strings.
 * Unknown fields are skipped. A known field given twice is refused, since readers that keep the
 * first and readers that keep the last would disagree about what was asked.
 */
public final class CommandParser {
    /** Longest RequestId, Id or AliUid accepted, so that answers and remembered requests stay small. */
    public static final int MAX_FIELD_LENGTH = 256;

    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] FIELDS = {"RequestId", "Id", "AliUid"};
    private static final int REQUEST_ID = 0;
    private static final int ID = 1;
    private static final int ALI_UID = 2;

    private CommandParser() {
    }

    /**
     * The command in {@code json}; a missing or null field is null.
     *
     * @throws UnparseableCommandException when the input is not such a command
     */
    public static ResetCommand parse(byte[] json) {
        if (json == null) {
            throw new UnparseableCommandException("The command has no value.", null, null);
        }
        Fields fields = new Fields();
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new UnparseableCommandException("The command is empty.", null, null);
            }
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren();
                requireEnd(parser, fields);
                throw new UnparseableCommandException(
                        "The command must be a JSON object, not " + describe(first) + ".", null, null);
            }
            return readObject(parser, fields);
        } catch (JsonProcessingException e) {
            // Constraint violations (nesting depth, length) come without a location.
            String where = e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")";
            throw fields.unparseable("The command is not valid JSON: " + e.getOriginalMessage() + where + ".");
        } catch (IOException e) {
            // The bytes' fault too: Jackson guesses the encoding from the first bytes, and bytes that
            // look like UTF-32 but are not raise a CharConversionException, not a parse error.
            throw fields.unparseable("The command is not valid JSON: " + e.getMessage() + ".");
        }
    }

    /**
     * The known fields read so far. When the command turns out to be unparseable, the RequestId and
     * Id that it gave as strings (once each, at most {@link #MAX_FIELD_LENGTH} characters) are still
     * echoed in its answer: all of the object's when a field has the wrong type, those before the
     * break when the JSON itself breaks off.
     */
    private static final class Fields {
        final String[] values = new String[FIELDS.length];
        int seen;
        int duplicated;

        UnparseableCommandException unparseable(String problem) {
            return new UnparseableCommandException(problem, echoed(REQUEST_ID), echoed(ID));
        }

        private String echoed(int field) {
            return (duplicated & (1 << field)) == 0 ? values[field] : null;
        }
    }

    private static ResetCommand readObject(JsonParser parser, Fields fields) throws IOException {
        String[] values = fields.values;
        String problem = null;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            int field = fieldIndex(parser.currentName());
            JsonToken value = parser.nextToken();
            if (field < 0) {
                parser.skipChildren();
                continue;
            }
            String name = FIELDS[field];
            int bit = 1 << field;
            if ((fields.seen & bit) != 0) {
                fields.duplicated |= bit;
                problem = first(problem, "Field \"" + name + "\" appears more than once.");
            }
            fields.seen |= bit;
            if (value == JsonToken.VALUE_STRING) {
                String refused = refused(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                if (refused != null) {
                    problem = first(problem, "Field \"" + name + "\" " + refused + ".");
                } else {
                    values[field] = parser.getText();
                }
            } else if (value != JsonToken.VALUE_NULL) {
                problem = first(problem, "Field \"" + name + "\" must be a string, not " + describe(value) + ".");
                parser.skipChildren();
            }
        }
        requireEnd(parser, fields);
        if (problem != null) {
            throw fields.unparseable(problem);
        }
        return new ResetCommand(values[REQUEST_ID], values[ID], values[ALI_UID]);
    }

    /**
     * Why a RequestId, Id or AliUid of {@code value} makes a command unparseable (step 1), as in "is
     * longer than 256 characters", or null when it does not: the rule the parser applies, for a
     * publisher that checks its values before it sends them (the answer to a RequestId refused this
     * way carries an assigned one, which its caller cannot know).
     */
    public static String refused(String value) {
        char[] text = value.toCharArray();
        return refused(text, 0, text.length);
    }

    private static String refused(char[] text, int offset, int length) {
        if (length > MAX_FIELD_LENGTH) {
            return "is longer than " + MAX_FIELD_LENGTH + " characters";
        }
        if (UnicodeText.hasUnpairedSurrogate(text, offset, length)) {
            // Not Unicode text: as UTF-8 it would turn into '?', and two such RequestIds would look alike.
            return "is not Unicode text: it has an unpaired surrogate";
        }
        return null;
    }

    private static int fieldIndex(String name) {
        switch (name) {
            case "RequestId":
                return REQUEST_ID;
            case "Id":
                return ID;
            case "AliUid":
                return ALI_UID;
            default:
                return -1;
        }
    }

    private static void requireEnd(JsonParser parser, Fields fields) throws IOException {
        if (parser.nextToken() != null) {
            throw fields.unparseable("The command has more than one JSON value; it must be a single object.");
        }
    }

    private static String first(String problem, String another) {
        return problem != null ? problem : another;
    }

    /** What a JSON token is, in words, for messages. */
    static String describe(JsonToken token) {
        switch (token) {
            case START_ARRAY:
                return "an array";
            case START_OBJECT:
                return "an object";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.asString();
        }
    }
}
