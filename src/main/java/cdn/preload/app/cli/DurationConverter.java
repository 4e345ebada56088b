package cdn.preload.app.cli;

import cdn.preload.config.Settings;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line are written as in the environment: 500ms, 30s, 2m, 1h, PT30S. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Settings.duration(Map.of("duration", value), "duration", null);
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 30s, 2m or PT30S");
        }
    }
}
