package cdn.preload.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.Env;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.Priority;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of all RocksDB stores of a processor instance. By default each store instance
 * (one per task and store) has its own block cache and memtables, so memory grows with partitions.
 * Here all of them share one LRU cache, which also holds the index and filter blocks and is charged
 * for the memtables. Its size is the Streams property {@value #MEMORY_CONFIG}, in bytes
 * ({@code ROCKSDB_MEMORY_MB}, 128 MiB by default). The cache is one per JVM: with two Streams
 * clients in one JVM, the first one's budget is the one used.
 *
 * <p>It also keeps a bloom filter in every sorted run, so that looking up a key a store does not
 * hold, the usual case of the replay lookup, reads no data block; flushes each store's memtable at
 * an eighth of the memtables' share of the budget; writes files out a megabyte at a time
 * ({@code bytes_per_sync}); and updates the job store's values in place in the memtable.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    /** The Streams property that carries the budget, in bytes. */
    public static final String MEMORY_CONFIG = "preload.rocksdb.memory.bytes";
    public static final long DEFAULT_MEMORY = 128L << 20;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    /** The memtables' share of the budget: the write buffer manager's limit. */
    private static long memtables;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(MEMORY_CONFIG);
        long memory = configured == null ? DEFAULT_MEMORY : Long.parseLong(configured.toString());
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(shared(memory));
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        // Each store flushes its memtable at an eighth of the memtables' share, so that with a few
        // stores growing at once their own flushes come before the shared limit. At that limit
        // RocksDB makes every store written to flush whatever its memtable holds: a storm of tiny
        // flushes queued on one flush thread, until stores wait for them with their memtables full
        // (docs/PERFORMANCE.md, "Latency").
        options.setWriteBufferSize(memtables / 8);
        // Kafka Streams turns optimize_filters_for_hits on: no bloom filter in the largest sorted run,
        // so that a key not in the store costs a data block read there. Most lookups of the answers
        // store are such misses (a command seen for the first time).
        options.setOptimizeFiltersForHits(false);
        // A flush or compaction asks the OS to write its file out every megabyte, instead of leaving
        // it all to the fsync at the end: on the benchmark's machine that burst of writeback stalled
        // every process on it, the stream thread too (docs/PERFORMANCE.md, "Latency").
        options.setBytesPerSync(1L << 20);
        if (storeName.equals(ResetTopology.JOB_STORE)) {
            // Every accepted reset rewrites its job, with a value of the same size once it holds its
            // most recent resets. Updated in place, the memtable holds one entry per job instead of
            // one per reset (a larger value is still added as a new entry).
            options.setAllowConcurrentMemtableWrite(false); // required by in-place updates
            options.setInplaceUpdateSupport(true);
        }
        options.setTableFormatConfig(table);
    }

    /** One cache for the whole JVM: memtables may take up to a quarter of it. */
    private static synchronized Cache shared(long memory) {
        if (cache == null) {
            cache = new LRUCache(memory, -1, false, 0.1);
            memtables = memory / 4;
            writeBuffers = new WriteBufferManager(memtables, cache);
            // Compactions run at the lowest CPU priority (nice 19), so that they use the CPU the
            // stream threads leave and do not take it from them: on a machine with few cores,
            // answers otherwise wait behind a compaction (docs/PERFORMANCE.md, "Latency").
            // Flushes keep their priority: a store whose
            // memtable cannot be flushed stops its writes.
            Env.getDefault().lowerThreadPoolCPUPriority(Priority.LOW);
        }
        return cache;
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared by every store: never closed with one
    }
}
