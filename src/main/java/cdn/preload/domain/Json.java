package cdn.preload.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * JSON as the contract wants it (the API's field names are the records' own, see {@link Job}): unknown fields ignored, types strict (no number read as a string or
 * a string as a number), one value per document. Bad bytes raise {@link InvalidJsonException}.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Our own records and trees always write: this would be a bug.
            throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        return read(json, 0, json.length, type);
    }

    /** The {@code length} bytes of {@code json} from {@code offset}, read as a {@code type}. */
    public static <T> T read(byte[] json, int offset, int length, Class<T> type) {
        try {
            return MAPPER.readValue(json, offset, length, type);
        } catch (JsonProcessingException e) {
            throw new InvalidJsonException("Not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            // Not a parse error, yet the bytes' fault: Jackson guesses the encoding from the first
            // bytes, and bytes that look like UTF-32 but are not raise a CharConversionException.
            throw new InvalidJsonException("Not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
