package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbTest {

    @Test
    void everyStoreKeepsBloomFiltersInEverySortedRunAndCachesIndexAndFilters() {
        for (String store : new String[] {ResetTopology.JOB_STORE, ResetTopology.ANSWER_STORE}) {
            try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
                options.setOptimizeFiltersForHits(true); // as Kafka Streams sets it

                new BoundedRocksDb().setConfig(store, options, Map.of());

                assertThat(options.optimizeFiltersForHits()).as(store).isFalse();
                assertThat(((BlockBasedTableConfig) options.tableFormatConfig()).cacheIndexAndFilterBlocks()).as(store).isTrue();
            }
        }
    }

    @Test
    void everyStoreWritesItsFilesOutAMegabyteAtATimeNotAllAtTheirEnd() {
        for (String store : new String[] {ResetTopology.JOB_STORE, ResetTopology.ANSWER_STORE}) {
            try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
                new BoundedRocksDb().setConfig(store, options, Map.of());

                assertThat(options.bytesPerSync()).as(store).isEqualTo(1L << 20);
            }
        }
    }

    @Test
    void everyStoreFlushesItsMemtableAtAnEighthOfTheMemtablesShareOfTheBudget() {
        for (String store : new String[] {ResetTopology.JOB_STORE, ResetTopology.ANSWER_STORE}) {
            try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
                new BoundedRocksDb().setConfig(store, options, Map.of()); // the budget is one per JVM: the default here

                assertThat(options.writeBufferSize()).as(store).isEqualTo(BoundedRocksDb.DEFAULT_MEMORY / 4 / 8);
            }
        }
    }

    @Test
    void onlyTheJobStoreUpdatesValuesInPlace() {
        try (Options jobs = new Options().setTableFormatConfig(new BlockBasedTableConfig());
             Options answers = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            new BoundedRocksDb().setConfig(ResetTopology.JOB_STORE, jobs, Map.of());
            new BoundedRocksDb().setConfig(ResetTopology.ANSWER_STORE, answers, Map.of());

            assertThat(jobs.inplaceUpdateSupport()).isTrue();
            assertThat(jobs.allowConcurrentMemtableWrite()).isFalse();
            assertThat(answers.inplaceUpdateSupport()).isFalse();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void compactionsRunAtTheLowestCpuPriority(@TempDir Path dir) throws Exception {
        try (Options options = new Options().setCreateIfMissing(true).setTableFormatConfig(new BlockBasedTableConfig());
             FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            new BoundedRocksDb().setConfig(ResetTopology.ANSWER_STORE, options, Map.of());
            try (RocksDB db = RocksDB.open(options, dir.toString())) {
                for (int file = 0; file < 2; file++) { // two sorted runs, for the compaction to merge
                    db.put(("key-" + file).getBytes(StandardCharsets.US_ASCII), new byte[] {1});
                    db.flush(flush);
                }
                db.compactRange(); // runs on a compaction thread; returns when it is done
            }
        }

        assertThat(niceValuesOfThreadsNamed("rocksdb:low")).contains(19);
    }

    /** The nice value of each of this process's threads with that name, from /proc. */
    private static List<Integer> niceValuesOfThreadsNamed(String name) throws IOException {
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            return threads.map(thread -> {
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    int nameEnd = stat.lastIndexOf(')');
                    if (!stat.substring(stat.indexOf('(') + 1, nameEnd).equals(name)) {
                        return null;
                    }
                    return Integer.parseInt(stat.substring(nameEnd + 2).split(" ")[16]); // field 19: nice
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(nice -> nice != null).toList();
        }
    }
}
