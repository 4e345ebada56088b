package cdn.preload.testing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * For a child process that loops until it is stopped (a worker, a benchmark's copy loop): a flag
 * that SIGTERM clears, after which the JVM waits up to 30 s for the thread that asked for it to end
 * its loop and close what it holds.
 */
public final class UntilTerminated {
    private UntilTerminated() {
    }

    /** True until SIGTERM; the shutdown hook that clears it is the thread {@code hookName}. */
    public static AtomicBoolean running(String hookName) {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread loop = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.set(false);
            try {
                loop.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, hookName));
        return running;
    }
}
