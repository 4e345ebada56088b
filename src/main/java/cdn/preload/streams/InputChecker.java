package cdn.preload.streams;

import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * What the checkers of jobs and of commands share: where each record belongs ({@link TopicLayout}),
 * the observer they tell of answers and dead letters, and the early commits that their answers and
 * the records they pass on ask for.
 */
abstract class InputChecker extends ContextualProcessor<byte[], byte[], byte[], Checked> {
    final TopicLayout layout;
    final ResetObserver observer;
    final EarlyCommits.Part earlyCommit;

    InputChecker(TopicLayout layout, ResetObserver observer, EarlyCommits earlyCommits) {
        this.layout = layout;
        this.observer = observer;
        this.earlyCommit = earlyCommits.part();
    }

    @Override
    public void init(ProcessorContext<byte[], Checked> context) {
        super.init(context);
        earlyCommit.init(context);
    }
}
