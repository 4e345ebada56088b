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
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
