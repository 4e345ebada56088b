#!/usr/bin/env python3
"""The latency a caller sees, with a client we did not write (librdkafka, through confluent-kafka).

Publishes jobs and then reset commands with librdkafka's default partitioner (CRC32, not Java's
murmur2: most records land off their job's partition and are re-routed), at a fixed rate, and times
each answer from its send until a read_committed consumer sees it. Against a running processor,
e.g. `bin/run` (LOCAL_KAFKA_PORT=19092 ...):

    python3 src/bench/python/caller_latency.py --bootstrap localhost:19092 --rates 50,500 --seconds 20

Needs `apt-get install -y python3-confluent-kafka`. Prints p50/p90/p99/max per rate (the first
second of each rate left out).
"""
import argparse
import json
import threading
import time
import uuid

from confluent_kafka import Consumer, Producer


def job(i):
    job_id = "%024x" % (0x665d3af3621bccf3fe000000 + i)
    return job_id, {"Id": job_id, "Name": "job-%d" % i, "SiteId": 190007158391808, "AliUid": "u-%d" % (i % 97),
                    "Domains": "example.com", "TaskType": "preload", "InsertWay": "textBox", "FileId": None,
                    "UrlCount": 100, "UrlSubmitted": 40, "TaskSubmitted": 40, "ErrorInfo": None,
                    "FailedFileOss": None, "CreatedAt": "2024-06-02T02:23:26Z"}


def percentile(sorted_ms, q):
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--rates", default="50,500")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=5, help="seconds at each rate first, not reported")
    args = parser.parse_args()

    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0})  # partitioner: librdkafka's default
    jobs = [job(i) for i in range(args.jobs)]
    for job_id, document in jobs:
        producer.produce("preload-jobs", key=job_id, value=json.dumps(document))
    producer.flush()

    sent = {}
    latencies = {}
    lock = threading.Lock()
    stop = threading.Event()
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "caller-latency-" + uuid.uuid4().hex,
                         "isolation.level": "read_committed", "auto.offset.reset": "latest", "enable.auto.commit": False})
    consumer.subscribe(["preload-job-snapshots", "preload-job-errors"])
    assigned = threading.Event()

    def read():
        while not stop.is_set():
            message = consumer.poll(0.05)
            if consumer.assignment():
                assigned.set()
            if message is None or message.error():
                continue
            request_id = json.loads(message.value()).get("RequestId")
            with lock:
                at = sent.pop(request_id, None)
                if at is not None:
                    latencies[request_id] = (time.monotonic() - at) * 1000

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 60
    while not assigned.is_set():
        if time.monotonic() > deadline:
            raise SystemExit("the consumer got no partitions in 60 s")
        assigned.wait(0.1)
    time.sleep(2)  # the consumer's positions at the end before the first command (pacing, not waiting for a result)

    sequence = 0
    for rate in [int(r) for r in args.rates.split(",")]:
        for measured in (False, True):
            seconds = args.seconds if measured else args.warmup
            ids = []
            start = time.monotonic()
            for i in range(rate * seconds):
                due = start + i / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # pacing the offered load
                job_id, document = jobs[sequence % len(jobs)]
                request_id = "py-%d-%s" % (sequence, uuid.uuid4().hex[:8])
                sequence += 1
                with lock:
                    sent[request_id] = time.monotonic()
                ids.append(request_id)
                producer.produce("preload-job-reset-commands", key=job_id,
                                 value=json.dumps({"RequestId": request_id, "Id": job_id, "AliUid": document["AliUid"]}))
                producer.poll(0)
            producer.flush()
            deadline = time.monotonic() + 120
            while True:
                with lock:
                    missing = sum(1 for r in ids if r not in latencies)
                if missing == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if measured:
                with lock:
                    values = sorted(latencies[r] for r in ids[rate:] if r in latencies)
                print("%d/s: %d answers of %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms" % (
                    rate, len(values), len(ids) - rate, percentile(values, 0.5), percentile(values, 0.9),
                    percentile(values, 0.99), values[-1]), flush=True)
    stop.set()
    reader.join()
    consumer.close()


if __name__ == "__main__":
    main()
