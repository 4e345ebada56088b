package cdn.preload.domain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The API reference page of ResetScheduledPreloadJob, as published, read for the facts tests check. */
public final class ApiPage {
    private static final String TEXT = load();

    private ApiPage() {
    }

    /** One row of the page's error table. */
    public record ErrorRow(int httpStatus, String code, String message, String description) {
    }

    public static List<ErrorRow> errorTable() {
        List<ErrorRow> rows = new ArrayList<>();
        for (String line : TEXT.split("\n")) {
            if (line.matches("\\| \\d{3} \\|.*\\|\\s*")) {
                String[] cells = line.split("\\|");
                rows.add(new ErrorRow(Integer.parseInt(cells[1].trim()), cells[2].trim(), cells[3].trim(), cells[4].trim()));
            }
        }
        return rows;
    }

    /** The success response example, as the page prints it. */
    public static String successExample() {
        int start = TEXT.indexOf('{', TEXT.indexOf("Success response"));
        int end = TEXT.indexOf('}', start);
        return TEXT.substring(start, end + 1);
    }

    private static String load() {
        try (InputStream in = ApiPage.class.getResourceAsStream("/api/ResetScheduledPreloadJob.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
