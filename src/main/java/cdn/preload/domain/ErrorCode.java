package cdn.preload.domain;

/**
 * The error catalogue: every code of the API page's error table, word for word, plus
 * {@link #INVALID_PARAMETER}, this project's code for a command that cannot be parsed.
 * A reset only ever produces some of them; the others are kept so that the catalogue is the
 * API's whole table.
 */
public enum ErrorCode {
    INVALID_END_TIME_MISMATCH(400, "InvalidEndTime.Mismatch",
            "The specified EndTime is earlier than the StartTime.",
            "The end time you entered is earlier than the start time. Please check and try again."),
    INVALID_JOB_JOB_COUNT_OF_SITE_FULL(400, "InvalidJob.JobCountOfSiteFull",
            "The maximum number of prefetch tasks for the website has been reached. Delete some unwanted ones and try again.",
            "The maximum number of prefetch tasks for the website has been reached. Delete some unwanted ones and try again."),
    INVALID_PARAMETER_OBJECT_ID(400, "InvalidParameter.ObjectId",
            "Invalid task ID or execution plan ID.",
            "Invalid task ID or execution plan ID."),
    MISSING_OSS_URL(400, "MissingOssUrl",
            "OssUrl missing. Specify a valid URL of the OSS object that stores URLs to prefetch.",
            "OssUrl missing. Specify a valid URL of the OSS object that stores URLs to prefetch."),
    MISSING_URL_LIST(400, "MissingUrlList",
            "Enter the URLs you want to prefetch.",
            "Enter the URLs you want to prefetch."),
    TOO_MANY_REQUESTS(400, "TooManyRequests",
            "Too many requests.Please try again later.",
            "Requests are too frequent, please try again later."),
    INVALID_UID_PERMISSION_DENIED(403, "InvalidUid.PermissionDenied",
            "You do not have the permissions to perform this operation on this resource. Check whether the specified UID is correct and has the required permissions.",
            "You do not have the permissions to perform this operation on this resource. Check whether the specified UID is correct and has the required permissions."),
    INVALID_JOB_NOT_FOUND(404, "InvalidJob.NotFound",
            "The task does not exist. Check whether the task ID is correct or whether the task has been deleted.",
            "The task does not exist. Check whether the task ID is correct or whether the task has been deleted."),
    LOG_NOT_FOUND(404, "LogNotFound",
            "Failed to query the log. Check whether the task ID and execution ID are valid.",
            "Failed to query the log. Check whether the task ID and execution ID are valid."),
    INVALID_EXECUTION_NOT_FOUND(404, "InvalidExecution.NotFound",
            "The execution plan does not exist. Check whether the parameters such as the execution ID, start time, and end time are correct.",
            "The execution plan does not exist. Check whether the parameters such as the execution ID, start time, and end time are correct."),
    /** This project's addition: the command is not a JSON object of strings. Its message says what was wrong. */
    INVALID_PARAMETER(400, "InvalidParameter",
            "The command could not be parsed.",
            "The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings.");

    private final int httpStatus;
    private final String code;
    private final String message;
    private final String description;

    ErrorCode(int httpStatus, String code, String message, String description) {
        this.httpStatus = httpStatus;
        this.code = code;
        this.message = message;
        this.description = description;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    public String description() {
        return description;
    }

    /** The entry for an error code string such as {@code InvalidJob.NotFound}. */
    public static ErrorCode of(String code) {
        for (ErrorCode c : values()) {
            if (c.code.equals(code)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown error code: " + code);
    }
}
