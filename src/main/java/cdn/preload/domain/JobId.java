package cdn.preload.domain;

/** The shape of a job ID: 24 lower-case hexadecimal digits, such as {@code 665d3af3621bccf3fe29e1a4}. */
public final class JobId {
    public static final int LENGTH = 24;

    private JobId() {
    }

    public static boolean isValid(String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (!isDigit(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the bytes (a record key, say) are a job ID in ASCII. */
    public static boolean isValid(byte[] id) {
        if (id == null || id.length != LENGTH) {
            return false;
        }
        for (byte b : id) {
            if (!isDigit((char) b)) { // a byte beyond ASCII is negative: no digit
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
