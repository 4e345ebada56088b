package cdn.preload.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fast path of {@link CommandParser}: a JSON object of at most the fields RequestId, Id and
 * AliUid, each once, each a string of printable ASCII with nothing escaped and at most
 * {@link CommandParser#MAX_FIELD_LENGTH} characters, with any JSON whitespace around the tokens.
 * Such input is valid JSON that Jackson would read to the same command. Anything else (another
 * field, an escape, a null, a number, bytes beyond ASCII, an error) is left to Jackson: this returns
 * null. Reading it costs the command's strings and nothing more, where creating a Jackson parser
 * allocates about 640 bytes.
 */
final class PlainCommand {
    private static final byte[][] FIELDS = {
        "RequestId".getBytes(StandardCharsets.US_ASCII),
        "Id".getBytes(StandardCharsets.US_ASCII),
        "AliUid".getBytes(StandardCharsets.US_ASCII)};

    private PlainCommand() {
    }

    /** The command, or null when {@code json} is not of the plain shape. */
    static ResetCommand read(byte[] json) {
        String[] values = new String[FIELDS.length];
        int at = skipSpace(json, 0);
        if (at == json.length || json[at] != '{') {
            return null;
        }
        at = skipSpace(json, at + 1);
        while (true) {
            // a field name
            int nameEnd = stringEnd(json, at);
            if (nameEnd < 0) {
                return null;
            }
            int field = field(json, at + 1, nameEnd);
            if (field < 0 || values[field] != null) {
                return null; // another field, or one given twice
            }
            at = skipSpace(json, nameEnd + 1);
            if (at == json.length || json[at] != ':') {
                return null;
            }
            // its value
            at = skipSpace(json, at + 1);
            int valueEnd = stringEnd(json, at);
            if (valueEnd < 0 || valueEnd - at - 1 > CommandParser.MAX_FIELD_LENGTH) {
                return null;
            }
            values[field] = new String(json, at + 1, valueEnd - at - 1, StandardCharsets.US_ASCII);
            at = skipSpace(json, valueEnd + 1);
            if (at == json.length) {
                return null;
            }
            if (json[at] == '}') {
                break;
            }
            if (json[at] != ',') {
                return null;
            }
            at = skipSpace(json, at + 1);
        }
        return skipSpace(json, at + 1) == json.length ? new ResetCommand(values[0], values[1], values[2]) : null;
    }

    /** Where the plain string that starts at {@code at} closes, or -1 when it is not one. */
    private static int stringEnd(byte[] json, int at) {
        if (at == json.length || json[at] != '"') {
            return -1;
        }
        for (int i = at + 1; i < json.length; i++) {
            byte b = json[i];
            if (b == '"') {
                return i;
            }
            if (b < 0x20 || b > 0x7E || b == '\\') { // bytes beyond ASCII are negative
                return -1;
            }
        }
        return -1;
    }

    private static int field(byte[] json, int from, int to) {
        for (int field = 0; field < FIELDS.length; field++) {
            byte[] name = FIELDS[field];
            if (name.length == to - from && Arrays.equals(json, from, to, name, 0, name.length)) {
                return field;
            }
        }
        return -1;
    }

    private static int skipSpace(byte[] json, int at) {
        while (at < json.length && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) {
            at++;
        }
        return at;
    }
}
