package cdn.preload.domain;

import java.util.List;
import java.util.function.Function;

/**
 * A valid {@code ListScheduledPreloadJobs} query: the jobs of site {@code siteId} that account
 * {@code aliUid} owns, created within [{@code startTime}, {@code endTime}] (epoch milliseconds) when
 * either is given, page {@code pageNumber} of {@code pageSize}.
 *
 * @param startTime null: no lower bound
 * @param endTime null: no upper bound
 */
public record JobListQuery(long siteId, String aliUid, Long startTime, Long endTime, int pageNumber, int pageSize) {
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 500;
    /** What every refusal of a parameter says besides what was wrong: the parameters, and what each takes. */
    public static final String PARAMETERS = "ListScheduledPreloadJobs takes SiteId (an integer; required), AliUid (the"
            + " account whose jobs are listed; required), StartTime and EndTime (epoch milliseconds; optional),"
            + " PageNumber (from 1; default 1) and PageSize (1 to " + MAX_PAGE_SIZE + "; default " + DEFAULT_PAGE_SIZE + ").";

    /** A query refused, with the API's code and what was wrong (for {@link ErrorCode#INVALID_PARAMETER}). */
    public static final class Refused extends Exception {
        private final ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** The error document answering the refused query, with a null Id. */
        public ErrorEvent answer(String requestId) {
            return code == ErrorCode.INVALID_PARAMETER
                    ? new ErrorEvent(requestId, null, code.httpStatus(), code.code(), getMessage(), PARAMETERS)
                    : ErrorEvent.of(code, requestId, null);
        }
    }

    /**
     * The query that the parameters state, checked in the contract's order: a parameter that is
     * missing or not an integer in range ({@code 400 InvalidParameter}, naming it), then
     * {@code EndTime} before {@code StartTime} ({@code 400 InvalidEndTime.Mismatch}), then no
     * {@code AliUid} ({@code 403 InvalidUid.PermissionDenied}). A parameter given twice is refused
     * as not in range; parameters of other names are ignored.
     *
     * @param parameters each parameter's values by its name (an empty list when absent)
     */
    public static JobListQuery parse(Function<String, List<String>> parameters) throws Refused {
        Long siteId = integer(parameters, "SiteId", Long.MIN_VALUE, Long.MAX_VALUE, "an integer");
        if (siteId == null) {
            throw new Refused(ErrorCode.INVALID_PARAMETER, "SiteId is missing.");
        }
        Long startTime = integer(parameters, "StartTime", Long.MIN_VALUE, Long.MAX_VALUE, "an integer (epoch milliseconds)");
        Long endTime = integer(parameters, "EndTime", Long.MIN_VALUE, Long.MAX_VALUE, "an integer (epoch milliseconds)");
        Long pageNumber = integer(parameters, "PageNumber", 1, Integer.MAX_VALUE, "an integer from 1 to " + Integer.MAX_VALUE);
        Long pageSize = integer(parameters, "PageSize", 1, MAX_PAGE_SIZE, "an integer from 1 to " + MAX_PAGE_SIZE);
        if (startTime != null && endTime != null && endTime < startTime) {
            throw new Refused(ErrorCode.INVALID_END_TIME_MISMATCH, ErrorCode.INVALID_END_TIME_MISMATCH.message());
        }
        String aliUid = single(parameters, "AliUid");
        if (aliUid == null || aliUid.isEmpty()) {
            throw new Refused(ErrorCode.INVALID_UID_PERMISSION_DENIED, ErrorCode.INVALID_UID_PERMISSION_DENIED.message());
        }
        return new JobListQuery(siteId, aliUid, startTime, endTime,
                pageNumber == null ? 1 : pageNumber.intValue(), pageSize == null ? DEFAULT_PAGE_SIZE : pageSize.intValue());
    }

    /** How many of the listed jobs, in order, it takes to fill this page: those before it and its own. */
    public long throughPage() {
        return (long) pageNumber * pageSize;
    }

    /** How many of the listed jobs, in order, come before this page. */
    public long beforePage() {
        return (long) (pageNumber - 1) * pageSize;
    }

    /** The parameter's value as an integer in [min, max]; null when it is absent. */
    private static Long integer(Function<String, List<String>> parameters, String name, long min, long max, String what)
            throws Refused {
        String text = single(parameters, name);
        if (text == null) {
            return null;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Refused(ErrorCode.INVALID_PARAMETER, name + " must be " + what + ", got '" + shortened(text) + "'.");
        }
        if (value < min || value > max) {
            throw new Refused(ErrorCode.INVALID_PARAMETER, name + " must be " + what + ", got " + value + ".");
        }
        return value;
    }

    /** The parameter's one value; null when it is absent. */
    private static String single(Function<String, List<String>> parameters, String name) throws Refused {
        List<String> values = parameters.apply(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new Refused(ErrorCode.INVALID_PARAMETER, name + " is given " + values.size() + " times; give it once.");
        }
        return values.get(0);
    }

    private static String shortened(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
