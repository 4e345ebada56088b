#!/usr/bin/env python3
"""The latency a caller sees, with a client we did not write (librdkafka, through confluent-kafka).

Puts --jobs jobs, then sends reset commands keyed by Id at fixed rates, evenly paced, each stamped
with its send time (record timestamp), from a producer with linger.ms=0 and acks=all, placed by
librdkafka's --partitioner: consistent_random (CRC32, its default: most commands land off their
job's partition and are re-routed) or murmur2_random (Java's placement). Each answer is timed from
its send until a read_committed consumer (fetch.wait.max.ms=5) sees it. Warm (default): per rate,
--warmup s not reported, then --seconds s (first second left out). --cold: started with the
processor (a fresh LOCAL_KAFKA_DIR), one command every 100 ms until the first answer, then the
first rate for --windows windows of --seconds s from that answer, each reported. --timeline CSV:
p50/p99 per second of send time. Against bin/run, e.g.:

    LOCAL_KAFKA_PORT=29092 LOCAL_KAFKA_CONTROLLER_PORT=29093 HTTP_PORT=28080 bin/run &
    /usr/bin/python3 src/bench/python/caller_latency.py --bootstrap localhost:29092 --partitioner murmur2_random
"""
import argparse, json, threading, time, uuid
from confluent_kafka import Consumer, KafkaException, Producer

TOPICS = ("preload-jobs", "preload-job-reset-commands", "preload-job-snapshots", "preload-job-errors")


def job(i):
    job_id = "%024x" % (0x665d3af3621bccf3fe000000 + i)
    return job_id, {"Id": job_id, "Name": "job-%d" % i, "SiteId": 190007158391808, "AliUid": "u-%d" % (i % 97),
                    "Domains": "example.com", "TaskType": "preload", "InsertWay": "textBox", "FileId": None,
                    "UrlCount": 100, "UrlSubmitted": 40, "TaskSubmitted": 40, "ErrorInfo": None,
                    "FailedFileOss": None, "CreatedAt": "2024-06-02T02:23:26Z"}


def stats(values):
    v = sorted(values)
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
    return "p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms (%d answers)" % (q(.5), q(.9), q(.99), v[-1] if v else 0, len(v))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap", default="localhost:9092")
    p.add_argument("--partitioner", default="consistent_random", choices=["consistent_random", "murmur2_random"])
    p.add_argument("--rates", default="50,500")
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--jobs", type=int, default=1000)
    p.add_argument("--cold", action="store_true")
    p.add_argument("--windows", type=int, default=3)
    p.add_argument("--timeline")
    a = p.parse_args()
    common = {"bootstrap.servers": a.bootstrap}
    producer = Producer(dict(common, **{"linger.ms": 0, "acks": "all", "partitioner": a.partitioner}))
    while True:  # a cold start: the broker may not listen yet, and bin/run creates the topics
        try:
            if set(TOPICS) <= set(producer.list_topics(timeout=10).topics):
                break
        except KafkaException:
            pass
        time.sleep(0.1)
    jobs = [job(i) for i in range(a.jobs)]
    for job_id, document in jobs:
        producer.produce("preload-jobs", key=job_id, value=json.dumps(document))
    producer.flush()
    sent, done, lock, stop, assigned = {}, {}, threading.Lock(), threading.Event(), threading.Event()
    consumer = Consumer(dict(common, **{"group.id": "caller-latency-" + uuid.uuid4().hex, "isolation.level": "read_committed",
                                        "auto.offset.reset": "latest", "enable.auto.commit": False, "fetch.wait.max.ms": 5}))
    consumer.subscribe(list(TOPICS[2:]), on_assign=lambda c, parts: assigned.set())

    def read():
        while not stop.is_set():
            m = consumer.poll(0.05)
            if m is not None and not m.error() and m.value():
                now = time.monotonic()
                with lock:
                    at = sent.pop(json.loads(m.value()).get("RequestId"), None)
                    if at is not None:
                        done[at] = (now, (now - at) * 1000)
    threading.Thread(target=read, daemon=True).start()
    if not assigned.wait(60):
        raise SystemExit("the consumer got no partitions in 60 s")
    time.sleep(2)  # the consumer's positions at the end before the first command
    seq = [0]

    def send():
        job_id, document = jobs[seq[0] % len(jobs)]
        request_id = "py-%d-%s" % (seq[0], uuid.uuid4().hex[:8])
        seq[0] += 1
        now = time.monotonic()
        with lock:
            sent[request_id] = now
        producer.produce("preload-job-reset-commands", key=job_id, timestamp=int(time.time() * 1000),
                         value=json.dumps({"RequestId": request_id, "Id": job_id, "AliUid": document["AliUid"]}))
        producer.poll(0)
        return now

    def load(rate, seconds, start):
        for i in range(int(rate * seconds)):
            pause = start + i / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # pacing the offered load
            send()
        producer.flush()
        deadline = time.monotonic() + 120
        while sent and time.monotonic() < deadline:
            time.sleep(0.05)
        with lock:
            return [(t - start, ms) for t, (_, ms) in done.items() if t >= start]

    rates = [int(r) for r in a.rates.split(",")]
    timeline = []
    if a.cold:
        started = time.monotonic()
        while not done:
            send()
            producer.flush()
            time.sleep(0.1)
        first = min(answered for answered, _ in done.values())
        print("first answer %.1f s after the probe started" % (first - started), flush=True)
        runs = [(rates[0], load(rates[0], a.seconds * a.windows, first))]
    else:
        runs = [(r, [x for x in load(r, a.seconds, time.monotonic() + 0.01) if x[0] >= 1])
                for r in rates for _ in [load(r, a.warmup, time.monotonic())]]
    for rate, samples in runs:
        if a.cold:
            for w in range(a.windows):
                print("%d/s, %s, %d-%d s after the first answer: %s" % (rate, a.partitioner, w * a.seconds, (w + 1) * a.seconds,
                      stats([ms for t, ms in samples if w * a.seconds <= t < (w + 1) * a.seconds])), flush=True)
        else:
            print("%d/s, %s, warm: %s" % (rate, a.partitioner, stats([ms for _, ms in samples])), flush=True)
        for s in range(int(max(t for t, _ in samples)) + 1):
            v = sorted(ms for t, ms in samples if s <= t < s + 1)
            if v:
                timeline.append("%d,%d,%d,%.1f,%.1f" % (rate, s, len(v), v[len(v) // 2], v[min(len(v) - 1, int(.99 * len(v)))]))
    if a.timeline:
        with open(a.timeline, "w") as f:
            f.write("rate,second,answers,p50_ms,p99_ms\n" + "\n".join(timeline) + "\n")
    stop.set()
    consumer.close()


if __name__ == "__main__":
    main()
