package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A prefetch worker's progress report, as published on the progress topic: how far it got with a job
 * in the generation it works in. Its counters count only if that generation is the job's current one.
 *
 * @param id the job
 * @param generation the generation the worker works in, as it learnt it (a snapshot's
 *     {@code preload.generation} header, or the job's {@code JobState})
 * @param urlSubmitted URLs submitted so far in this generation
 * @param taskSubmitted URLs submitted to the system for prefetching so far in this generation
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names: Id, Generation, UrlSubmitted
@JsonPropertyOrder({"Id", "Generation", "UrlSubmitted", "TaskSubmitted"})
public record Progress(String id, long generation, int urlSubmitted, int taskSubmitted) {
}
