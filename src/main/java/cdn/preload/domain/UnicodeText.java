package cdn.preload.domain;

/**
 * Whether text is Unicode: a lone surrogate is not, and turns into '?' as UTF-8, so that two
 * different strings would look alike once stored or compared as bytes.
 */
public final class UnicodeText {
    private UnicodeText() {
    }

    public static boolean hasUnpairedSurrogate(CharSequence text) {
        return text != null && hasUnpairedSurrogate(text, 0, text.length());
    }

    /** The {@code length} characters of {@code text} from {@code offset}. */
    public static boolean hasUnpairedSurrogate(char[] text, int offset, int length) {
        return hasUnpairedSurrogate(java.nio.CharBuffer.wrap(text, offset, length), 0, length);
    }

    private static boolean hasUnpairedSurrogate(CharSequence text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
