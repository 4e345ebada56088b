package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

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
}
