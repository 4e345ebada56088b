package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ResetCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplayMemoryTest {

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
        "15C66C7B-671A-4297-9187-2C4477247A74, 15685865xxx14622",
        "15C66C7B-671A-4297-9187-2C4477247A74, none",
        "'', ''",
        "requête-é, 日本",
        "ascii, 😀"})
    void theKeyIsTheIdTheRequestIdsLengthAndBytesThenTheAliUidOrAMarker(String requestId, String aliUid) {
        byte[] request = requestId.getBytes(StandardCharsets.UTF_8);
        byte[] owner = aliUid == null ? new byte[] {(byte) 0xFF} : aliUid.getBytes(StandardCharsets.UTF_8);
        byte[] expected = ByteBuffer.allocate(24 + 4 + request.length + owner.length)
                .put(EXAMPLE_ID.getBytes(StandardCharsets.US_ASCII)).putInt(request.length).put(request).put(owner).array();

        assertThat(ReplayMemory.key(new ResetCommand(requestId, EXAMPLE_ID, aliUid)).get()).isEqualTo(expected);
    }
}
