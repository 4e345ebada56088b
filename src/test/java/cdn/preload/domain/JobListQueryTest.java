package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ListScheduledPreloadJobs' parameters: defaults, ranges, and the checks in the contract's order. */
class JobListQueryTest {

    private static JobListQuery parse(String... nameValues) throws JobListQuery.Refused {
        Map<String, List<String>> parameters = new HashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            parameters.computeIfAbsent(nameValues[i], name -> new java.util.ArrayList<>()).add(nameValues[i + 1]);
        }
        return JobListQuery.parse(name -> parameters.getOrDefault(name, List.of()));
    }

    private static ErrorEvent refusal(String... nameValues) {
        try {
            parse(nameValues);
        } catch (JobListQuery.Refused refused) {
            ErrorEvent answer = refused.answer("R");
            assertThat(answer.requestId()).isEqualTo("R");
            assertThat(answer.id()).as("a list's error has no Id").isNull();
            return answer;
        }
        throw new AssertionError("not refused: " + Arrays.toString(nameValues));
    }

    @Test
    void aSiteAndAnAccountListTheFirstPageOfTwentyWithoutATimeWindow() throws Exception {
        assertThat(parse("SiteId", "190007158391808", "AliUid", "1001"))
                .isEqualTo(new JobListQuery(190007158391808L, "1001", null, null, 1, 20));
    }

    @Test
    void everyParameterIsTakenAsGiven() throws Exception {
        JobListQuery query = parse("SiteId", "-7", "AliUid", "1001", "StartTime", "1000", "EndTime", "1000",
                "PageNumber", "3", "PageSize", "500", "Unknown", "ignored");
        assertThat(query).isEqualTo(new JobListQuery(-7, "1001", 1000L, 1000L, 3, 500));
        assertThat(query.beforePage()).isEqualTo(1000);
        assertThat(query.throughPage()).isEqualTo(1500);
    }

    @Test
    void theLastPossiblePageDoesNotOverflow() throws Exception {
        JobListQuery query = parse("SiteId", "1", "AliUid", "u", "PageNumber", "2147483647", "PageSize", "500");
        assertThat(query.throughPage()).isEqualTo(2147483647L * 500);
    }

    /** Each case a query string as a caller sends it, and the message of the InvalidParameter answer. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        AliUid=1001                                       | SiteId is missing.
        SiteId=&AliUid=1001                               | SiteId must be an integer, got ''.
        SiteId=12x&AliUid=1001                            | SiteId must be an integer, got '12x'.
        SiteId=1.5&AliUid=1001                            | SiteId must be an integer, got '1.5'.
        SiteId=99999999999999999999&AliUid=1001           | SiteId must be an integer, got '99999999999999999999'.
        SiteId=1&AliUid=1001&StartTime=yesterday          | StartTime must be an integer (epoch milliseconds), got 'yesterday'.
        SiteId=1&AliUid=1001&EndTime=2024-06-02T02:23:26Z | EndTime must be an integer (epoch milliseconds), got '2024-06-02T02:23:26Z'.
        SiteId=1&AliUid=1001&PageNumber=0                 | PageNumber must be an integer from 1 to 2147483647, got 0.
        SiteId=1&AliUid=1001&PageNumber=2147483648        | PageNumber must be an integer from 1 to 2147483647, got 2147483648.
        SiteId=1&AliUid=1001&PageSize=0                   | PageSize must be an integer from 1 to 500, got 0.
        SiteId=1&AliUid=1001&PageSize=501                 | PageSize must be an integer from 1 to 500, got 501.
        SiteId=1&SiteId=2&AliUid=1001                     | SiteId is given 2 times; give it once.
        SiteId=1&AliUid=1001&AliUid=1002                  | AliUid is given 2 times; give it once.
        """)
    void aMissingOrMalformedParameterIsAnInvalidParameterNamingIt(String query, String message) {
        assertInvalid(refusal(query.split("[&=]", -1)), message);
    }

    @Test
    void anInvalidParameterComesBeforeAMismatchOfTimesWhichComesBeforeAMissingAccount() {
        assertInvalid(refusal("SiteId", "x", "StartTime", "5", "EndTime", "4"), "SiteId must be an integer, got 'x'.");
        assertInvalid(refusal("SiteId", "1", "StartTime", "5", "EndTime", "4", "PageSize", "0"),
                "PageSize must be an integer from 1 to 500, got 0.");
        assertThat(refusal("SiteId", "1", "StartTime", "5", "EndTime", "4"))
                .isEqualTo(ErrorEvent.of(ErrorCode.INVALID_END_TIME_MISMATCH, "R", null));
        assertThat(refusal("SiteId", "1", "StartTime", "5", "EndTime", "4", "AliUid", "1001"))
                .isEqualTo(ErrorEvent.of(ErrorCode.INVALID_END_TIME_MISMATCH, "R", null));
        assertThat(refusal("SiteId", "1")).isEqualTo(ErrorEvent.of(ErrorCode.INVALID_UID_PERMISSION_DENIED, "R", null));
        assertThat(refusal("SiteId", "1", "AliUid", "")).isEqualTo(ErrorEvent.of(ErrorCode.INVALID_UID_PERMISSION_DENIED, "R", null));
    }

    @Test
    void theErrorCodesAreTheCataloguesWordForWord() {
        ErrorEvent mismatch = refusal("SiteId", "1", "AliUid", "u", "StartTime", "2", "EndTime", "1");
        assertThat(mismatch.httpStatusCode()).isEqualTo(400);
        assertThat(mismatch.code()).isEqualTo("InvalidEndTime.Mismatch");
        assertThat(mismatch.message()).isEqualTo("The specified EndTime is earlier than the StartTime.");
        assertThat(mismatch.description())
                .isEqualTo("The end time you entered is earlier than the start time. Please check and try again.");
    }

    private static void assertInvalid(ErrorEvent answer, String message) {
        assertThat(answer).isEqualTo(new ErrorEvent("R", null, 400, "InvalidParameter", message, JobListQuery.PARAMETERS));
        assertThat(answer.description()).contains("SiteId", "AliUid", "StartTime", "EndTime", "PageNumber", "PageSize");
    }
}
