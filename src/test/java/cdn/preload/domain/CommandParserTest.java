package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandParserTest {

    private static ResetCommand parse(String json) {
        return CommandParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertUnparseable(ThrowingCallable parse, String problem, String requestId, String id) {
        assertThatThrownBy(parse)
                .isInstanceOfSatisfying(UnparseableCommandException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(problem);
                    assertThat(e.requestId()).isEqualTo(requestId);
                    assertThat(e.id()).isEqualTo(id);
                });
    }

    @Test
    void readsTheThreeFields() {
        assertThat(parse("{\"RequestId\":\"r-1\",\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"15685865xxx14622\"}"))
                .isEqualTo(new ResetCommand("r-1", "665d3af3621bccf3fe29e1a4", "15685865xxx14622"));
    }

    @Test
    void missingAndNullFieldsAreNull() {
        assertThat(parse("{\"Id\":\"x\",\"AliUid\":null}")).isEqualTo(new ResetCommand(null, "x", null));
        assertThat(parse("{}")).isEqualTo(new ResetCommand(null, null, null));
    }

    @Test
    void unknownFieldsOfAnyShapeAreIgnored() {
        assertThat(parse("{\"Extra\":{\"a\":[1,{\"b\":null}]},\"Id\":\"x\",\"id\":5,\"More\":[true]}"))
                .isEqualTo(new ResetCommand(null, "x", null));
    }

    @Test
    void textsKeepUnicodeAndEscapes() {
        assertThat(parse("{\"RequestId\":\"\\u00e9\\n\\\"q\\\" 请求\"}").requestId()).isEqualTo("é\n\"q\" 请求");
    }

    @Test
    void nullValueIsRefused() {
        assertUnparseable(() -> CommandParser.parse(null), "The command has no value.", null, null);
    }

    @Test
    void emptyValueIsRefused() {
        assertUnparseable(() -> parse(""), "The command is empty.", null, null);
        assertUnparseable(() -> parse("  \n "), "The command is empty.", null, null);
    }

    @Test
    void invalidJsonIsRefusedWithTheParsersReasonAndPosition() {
        assertUnparseable(() -> parse("{\"Id\":"),
                "The command is not valid JSON: Unexpected end-of-input within/between Object entries (at byte 6).",
                null, null);
        assertThatThrownBy(() -> parse("not json")).hasMessageStartingWith("The command is not valid JSON: Unrecognized token 'not'");
        assertThatThrownBy(() -> CommandParser.parse(new byte[] {(byte) 0xC3, (byte) 0x28}))
                .hasMessageStartingWith("The command is not valid JSON:");
    }

    @Test
    void aTruncatedObjectEchoesTheStringsReadBeforeTheProblem() {
        assertUnparseable(() -> parse("{\"RequestId\":\"r-1\",\"Id\":\"abc"), "The command is not valid JSON: Unexpected end-of-input in VALUE_STRING"
                + " (at byte 28).", "r-1", null);
        assertUnparseable(() -> parse("{\"Id\":\"abc\",\"RequestId\":\"r-1\",\"AliUid\":"), "The command is not valid JSON:"
                + " Unexpected end-of-input within/between Object entries (at byte 39).", "r-1", "abc");
        assertThatThrownBy(() -> parse("{\"RequestId\":\"r-1\",\"RequestId\":\"r-2\",\"Id\":\"abc\",\"AliUid\":["))
                .isInstanceOfSatisfying(UnparseableCommandException.class, e -> {
                    assertThat(e.getMessage()).startsWith("The command is not valid JSON: Unexpected end-of-input");
                    assertThat(e.requestId()).as("a RequestId given twice is not echoed").isNull();
                    assertThat(e.id()).isEqualTo("abc");
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "[1,2];                 an array",
        "\"text\";              a string",
        "42;                    a number",
        "-1.5e3;                a number",
        "true;                  a boolean",
        "null;                  null",
    })
    void anythingButAnObjectIsRefused(String json, String what) {
        assertUnparseable(() -> parse(json), "The command must be a JSON object, not " + what + ".", null, null);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "{\"RequestId\":\"r-1\",\"Id\":5};                    Id;        a number;  r-1;  ",
        "{\"Id\":[\"665d3af3621bccf3fe29e1a4\"],\"RequestId\":\"r-1\"}; Id; an array; r-1; ",
        "{\"RequestId\":{\"a\":1},\"Id\":\"abc\"};            RequestId; an object; ;     abc",
        "{\"RequestId\":\"r-1\",\"Id\":\"abc\",\"AliUid\":123}; AliUid;  a number;  r-1;  abc",
        "{\"RequestId\":\"r-1\",\"AliUid\":false};            AliUid;    a boolean; r-1;  ",
    })
    void aFieldOfTheWrongTypeIsRefusedAndTheStringsAreEchoed(String json, String field, String what, String requestId, String id) {
        assertUnparseable(() -> parse(json), "Field \"" + field + "\" must be a string, not " + what + ".", requestId, id);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "{\"RequestId\":\"a\",\"Id\":\"x\",\"RequestId\":\"b\"}; RequestId; ;  x",
        "{\"RequestId\":\"a\",\"Id\":\"x\",\"Id\":\"y\"};        Id;        a; ",
    })
    void aFieldGivenTwiceIsRefusedAndNotEchoed(String json, String field, String requestId, String id) {
        assertUnparseable(() -> parse(json), "Field \"" + field + "\" appears more than once.", requestId, id);
    }

    @Test
    void aFieldLongerThanTheLimitIsRefusedAndNotEchoed() {
        String longText = "x".repeat(CommandParser.MAX_FIELD_LENGTH + 1);
        assertUnparseable(() -> parse("{\"RequestId\":\"" + longText + "\",\"Id\":\"abc\"}"),
                "Field \"RequestId\" is longer than 256 characters.", null, "abc");
        assertThat(parse("{\"AliUid\":\"" + "y".repeat(CommandParser.MAX_FIELD_LENGTH) + "\"}").aliUid())
                .hasSize(CommandParser.MAX_FIELD_LENGTH);
    }

    @Test
    void anUnpairedSurrogateIsRefusedSoThatNoTwoRequestIdsLookAlike() {
        // As UTF-8, "\ud800" would become "?": the two commands would share a remembered answer.
        assertUnparseable(() -> parse("{\"RequestId\":\"\\ud800\",\"Id\":\"abc\"}"),
                "Field \"RequestId\" is not Unicode text: it has an unpaired surrogate.", null, "abc");
        assertUnparseable(() -> parse("{\"RequestId\":\"r\",\"AliUid\":\"x\\udc00y\"}"),
                "Field \"AliUid\" is not Unicode text: it has an unpaired surrogate.", "r", null);
        assertUnparseable(() -> parse("{\"Id\":\"\\ud83d\"}"),
                "Field \"Id\" is not Unicode text: it has an unpaired surrogate.", null, null);
        assertThat(parse("{\"RequestId\":\"?\"}").requestId()).isEqualTo("?");
        assertThat(parse("{\"RequestId\":\"\\ud83d\\ude00\"}").requestId()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void aSecondValueAfterTheObjectIsRefused() {
        assertUnparseable(() -> parse("{\"Id\":\"a\"} {\"Id\":\"b\"}"),
                "The command has more than one JSON value; it must be a single object.", null, "a");
        assertThatThrownBy(() -> parse("{\"Id\":\"a\"} trailing")).hasMessageStartingWith("The command is not valid JSON:");
    }

    @Test
    void deepNestingIsRefusedWithoutExhaustingTheStack() {
        String deepInAField = "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + ",\"Id\":\"abc\"}";
        String deepAtTheTop = "[".repeat(100_000) + "]".repeat(100_000);
        for (String deep : new String[] {deepInAField, deepAtTheTop}) {
            assertThatThrownBy(() -> parse(deep))
                    .isInstanceOf(UnparseableCommandException.class)
                    .hasMessageStartingWith("The command is not valid JSON: Document nesting depth")
                    .hasMessageContaining("exceeds the maximum allowed");
        }
    }

    @Test
    void anyInputIsACommandOrRefusedWithAMessageAndNothingElse() {
        Random random = new Random(11);
        String[] names = {"RequestId", "Id", "AliUid", "Other", "id", "Request\\u0049d"};
        String[] values = {"\"r-1\"", "\"665d3af3621bccf3fe29e1a4\"", "\"\"", "\"a\\\"b\"", "\"tab\tin\"", "\"é\"",
            "\"\\u0041\"", "null", "7", "{}", "[\"x\"]", "\"" + "x".repeat(256) + "\"", "\"" + "x".repeat(257) + "\"", "\"~\u007f\""};
        String[] spaces = {"", " ", "\n", "\t", "\r\n ", "\u00a0"};
        int commands = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder json = new StringBuilder(spaces[random.nextInt(random.nextInt(spaces.length) + 1)]).append('{');
            int fields = random.nextInt(4);
            for (int f = 0; f < fields; f++) {
                if (f > 0) {
                    json.append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)]).append(',');
                }
                json.append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)])
                        .append('"').append(names[random.nextInt(random.nextInt(6) + 1)]).append('"')
                        .append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)]).append(':')
                        .append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)])
                        .append(values[random.nextInt(random.nextInt(values.length) + 1)]);
            }
            json.append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)]).append('}').append(spaces[random.nextInt(random.nextInt(spaces.length) + 1)]);
            byte[] whole = json.toString().getBytes(StandardCharsets.UTF_8);
            byte[] bytes = random.nextInt(10) > 0 ? whole // or truncated, or with something after the object
                    : random.nextBoolean() ? Arrays.copyOf(whole, random.nextInt(whole.length))
                    : (json + (random.nextBoolean() ? "}" : ",")).getBytes(StandardCharsets.UTF_8);
            Object outcome = outcome(() -> CommandParser.parse(bytes));
            if (outcome instanceof ResetCommand) {
                commands++;
            } else {
                assertThat(((List<?>) outcome).get(0)).as(new String(bytes, StandardCharsets.UTF_8)).asString().isNotBlank();
            }
        }
        assertThat(commands).as("inputs read as commands").isGreaterThan(1_000);
    }

    /** A command, or the error's message, RequestId and Id. */
    private static Object outcome(Supplier<ResetCommand> parse) {
        try {
            return parse.get();
        } catch (UnparseableCommandException e) {
            return List.of(e.getMessage(), String.valueOf(e.requestId()), String.valueOf(e.id()));
        }
    }
}
