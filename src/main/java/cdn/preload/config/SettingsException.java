package cdn.preload.config;

/** A setting that is unknown or has an invalid value; the message names it. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
