"""The load generator of the site benchmarks: a small keep-alive HTTP/1.1 client on asyncio
(not httpx, so that it takes as little as possible of the CPU it shares with the server and the
database), a closed loop (capacity) and an open loop (latency at a fixed offered load).

- `closed_loop`: N clients, each sends its next request as soon as the last one is answered.
  Its throughput is the capacity; its latency is mostly queueing (p95 ~ clients / throughput).
- `open_loop`: requests arrive at a fixed rate, as a Poisson process (exponential gaps), whether
  or not the earlier ones were answered. Each request's latency counts from the moment it was
  due, not from when a free connection let it go: a request that cannot be sent on time is
  counted as *late* (and its wait is part of its latency), never skipped. This is the latency
  people see at that load, without coordinated omission.

A workload is an object with `async def next_request(client_id) -> (label, path, headers)` and
`def answered(client_id, label, status, body)`, so that a scroll can follow its `next` link.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 30.0
# A request due at t counts as late when it could not be sent by t + LATE_AFTER.
LATE_AFTER = 0.010


class Connection:
    """One keep-alive HTTP/1.1 connection: GET, read the whole response, again."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "X-Forwarded-Proto: https"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        else:
            body = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    async def timed_get(self, path: str, headers: dict) -> tuple[int, bytes | None]:
        """GET with a timeout; a failure (timeout, reset, garbage) is status 0.

        A kept-alive connection the server closed while it sat idle (uvicorn closes them
        after 5 s) fails at once with no answer at all: like a browser, send the request
        again, once, on a new connection."""
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self.get(path, headers), REQUEST_TIMEOUT)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.close()
            nothing_read = not isinstance(error, asyncio.IncompleteReadError) or not error.partial
            if not (reused and nothing_read):
                return 0, None
        except (TimeoutError, OSError, ValueError):
            self.close()
            return 0, None
        try:
            return await asyncio.wait_for(self.get(path, headers), REQUEST_TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            self.close()
            return 0, None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def fetch_once(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = Connection(port)
    try:
        return await asyncio.wait_for(connection.get(path, headers or {}), REQUEST_TIMEOUT)
    finally:
        connection.close()


@dataclass
class Measurement:
    """What a loop measured inside its window: latencies per label, non-200 answers per label
    and status, and (open loop) the offered rate and how many requests were late."""

    duration: float
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[int, int]] = field(default_factory=dict)
    offered_rps: float | None = None
    late: int = 0

    def record(self, label: str, status: int, seconds: float) -> None:
        self.samples.setdefault(label, []).append(seconds)
        if status != 200:
            per_status = self.errors.setdefault(label, {})
            per_status[status] = per_status.get(status, 0) + 1

    @property
    def latencies(self) -> list[float]:
        return [s for values in self.samples.values() for s in values]

    @property
    def error_count(self) -> int:
        return sum(sum(by_status.values()) for by_status in self.errors.values())

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.duration


async def closed_loop(workload, port: int, clients: int, warmup: float,
                      duration: float) -> Measurement:  # fmt: skip
    """`clients` clients, each sending its next request as soon as the last is answered;
    requests begun in the `duration` after `warmup` are measured."""
    measurement = Measurement(duration)
    begin = time.perf_counter() + warmup
    end = begin + duration

    async def client(client_id: int):
        connection = Connection(port)
        try:
            while time.perf_counter() < end:
                label, path, headers = await workload.next_request(client_id)
                started = time.perf_counter()
                status, body = await connection.timed_get(path, headers)
                if begin <= started < end:
                    measurement.record(label, status, time.perf_counter() - started)
                workload.answered(client_id, label, status, body)
        finally:
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return measurement


async def open_loop(workload, port: int, rate: float, warmup: float, duration: float,
                    max_connections: int = 256, seed: int = 1) -> Measurement:  # fmt: skip
    """Requests arriving at `rate` per second (Poisson) for `warmup` + `duration` seconds,
    on at most `max_connections` keep-alive connections; those due within the `duration`
    after `warmup` are measured, from the moment each was due."""
    measurement = Measurement(duration, offered_rps=rate)
    rng = random.Random(seed)
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    connections = [Connection(port) for _ in range(max_connections)]
    for connection in connections:
        idle.put_nowait(connection)
    start = time.perf_counter()
    begin, end = start + warmup, start + warmup + duration
    pending: set[asyncio.Task] = set()

    async def one(due: float, client_id: int):
        connection = await idle.get()
        sent = time.perf_counter()
        try:
            label, path, headers = await workload.next_request(client_id)
            status, body = await connection.timed_get(path, headers)
        finally:
            idle.put_nowait(connection)
        if begin <= due < end:
            measurement.record(label, status, time.perf_counter() - due)
            if sent - due > LATE_AFTER:
                measurement.late += 1
        workload.answered(client_id, label, status, body)

    due, number = start, 0
    while True:
        due += rng.expovariate(rate)
        if due >= end:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        number += 1
        task = asyncio.create_task(one(due, number))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    for connection in connections:
        connection.close()
    return measurement


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
