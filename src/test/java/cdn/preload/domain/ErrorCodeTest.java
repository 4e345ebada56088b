package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void catalogueHoldsTheApiPagesWholeErrorTableWordForWord() {
        List<ApiPage.ErrorRow> table = ApiPage.errorTable();
        List<ApiPage.ErrorRow> catalogue = Arrays.stream(ErrorCode.values())
                .filter(code -> code != ErrorCode.INVALID_PARAMETER)
                .map(code -> new ApiPage.ErrorRow(code.httpStatus(), code.code(), code.message(), code.description()))
                .toList();

        assertThat(table).hasSize(10);
        assertThat(catalogue).containsExactlyElementsOf(table);
    }

    @Test
    void unparseableInputIsTheProjectsOneAddition() {
        ErrorCode added = ErrorCode.INVALID_PARAMETER;

        assertThat(added.httpStatus()).isEqualTo(400);
        assertThat(added.code()).isEqualTo("InvalidParameter");
        assertThat(added.description()).isEqualTo(
                "The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings.");
        assertThat(ErrorCode.values()).hasSize(11);
    }

    @Test
    void codesAreFoundByTheirApiSpelling() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.of(code.code())).isSameAs(code);
        }
    }
}
