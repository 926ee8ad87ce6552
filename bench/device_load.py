#!/usr/bin/env python3
"""A bounded load test of mnas-device on loopback (stops by itself).

Starts the real server with a token, then for --seconds runs --clients good clients (each
measuring a small network again and again) beside bad ones: a wrong token, no token, a 100 MB
body, a truncated body, a slow sender, deeply nested JSON, a malformed architecture, an absurd
input shape. Checks that every answer has the right status, that the server never dies, that its
memory stays bounded (peak RSS from /proc), and that a good client's latency afterwards still
matches a fresh measurement. Prints the figures; exits 1 on any wrong answer.

  python3 bench/device_load.py --binary build/mnas-device [--clients 8] [--seconds 20]
"""
import argparse
import collections
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOKEN = "load-test-token-0123456789abcdef"
SMALL = ("input=28x28x1:stem=s11_o16:blocks=dconv_r1_k3_s11_e1_i16_o8_se0_identity,"
         "mbconv_r1_k3_s22_e3_i8_o16_se0_identity:head=o64:classes=10:dropout=0.2")


def rss_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return -1
    return -1


def request(port, method, path, body=None, token=TOKEN, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    text = resp.read()
    conn.close()
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    return resp.status, payload, resp.getheader("Retry-After")


def raw(port, payload, pause=0.0, chunks=None, timeout=30):
    """Sends bytes on a socket (optionally slowly), returns the status line's code or 'closed'."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if chunks:
            for c in chunks:
                s.sendall(c)
                time.sleep(pause)
        else:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                part = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not part:
                break
            data += part
        m = re.match(rb"HTTP/1\.[01] (\d+)", data)
        return int(m.group(1)) if m else "closed"
    except (BrokenPipeError, ConnectionResetError):
        return "closed"
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="build/mnas-device")
    ap.add_argument("--clients", type=int, default=12)  # more than the queue holds: 503s too
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--queue", type=int, default=8)
    # A timing criterion belongs to a benchmark run on a quiet machine, not to the test (ctest -j
    # runs it beside compilers and other tests): off unless asked for.
    ap.add_argument("--max-slowdown", type=float, default=0,
                    help="fail when a good request after the load is this many times slower (or "
                         "faster) than before it; 0: report only")
    args = ap.parse_args()

    tokfile = tempfile.NamedTemporaryFile("w", delete=False, suffix=".token")
    tokfile.write(TOKEN + "\n")
    tokfile.close()
    log = tempfile.NamedTemporaryFile("w+", delete=False, suffix=".log")
    server = subprocess.Popen([args.binary, "--bind", "127.0.0.1:0", "--token-file", tokfile.name,
                               "--queue", str(args.queue)], stdout=subprocess.PIPE, stderr=log, text=True)
    port = None
    start = time.time()
    while port is None and time.time() - start < 30:
        line = server.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
    if port is None:
        print("mnas-device did not start", file=sys.stderr)
        return 1
    print(f"mnas-device pid {server.pid} on port {port}; RSS at start {rss_kb(server.pid, 'VmRSS')} kB")

    good = {"architecture": SMALL, "protocol": "quick"}
    status, before, _ = request(port, "POST", "/v1/latency", good)
    assert status == 200, (status, before)

    counts = collections.Counter()
    wrong = []
    lock = threading.Lock()
    stop = time.time() + args.seconds
    peak = [0]

    def record(kind, got, expected, detail=None):
        with lock:
            counts[(kind, got)] += 1
            if got not in expected:
                wrong.append((kind, got, expected) + ((detail,) if detail else ()))

    def good_client():
        while time.time() < stop:
            s, p, retry = request(port, "POST", "/v1/latency", good)
            record("good", s, (200, 503))
            if s == 503 and (retry is None or int(retry) < 1):
                with lock:
                    wrong.append(("good 503 without Retry-After", retry, ">= 1"))
            if s == 503:
                time.sleep(0.05)

    bad_cases = [
        ("wrong token", lambda: request(port, "POST", "/v1/latency", good, token="x" * 32)[0], (401,)),
        ("no token", lambda: request(port, "POST", "/v1/latency", good, token=None)[0], (401,)),
        ("100 MB body", lambda: request(port, "POST", "/v1/latency", b"[" * (100 << 20))[0], (413,)),
        ("deep JSON", lambda: request(port, "POST", "/v1/latency", b"[" * 5000 + b"]" * 5000)[0], (400,)),
        ("malformed architecture",
         lambda: request(port, "POST", "/v1/latency", {"architecture": "input=28x28x1:stem=banana"})[0], (400,)),
        ("absurd input",
         lambda: request(port, "POST", "/v1/latency", {"architecture": SMALL, "input": "2048x2048x64"})[0], (400,)),
        ("truncated body",
         lambda: raw(port, b"POST /v1/latency HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
                     b"\r\nContent-Length: 1000\r\n\r\n{\"architecture\": \"inp"), (400, "closed")),
        ("slow sender",
         lambda: raw(port, None, pause=1.0, chunks=[b"POST /v1/latency HTTP/1.1\r\n", b"Host: x\r\n",
                                                   b"Authorization: Bearer ", b"x", b"y", b"z", b"w", b"v",
                                                   b"u", b"t", b"s"]), (400, 408, "closed")),
    ]

    def bad_client(case):
        name, call, expected = case
        while time.time() < stop:
            detail = None
            started = time.time()
            try:
                got = call()
            except (ConnectionError, socket.timeout, http.client.HTTPException) as e:
                got = "closed"
                # What closed it and when, for a wrong answer (a rare one under load is open).
                detail = f"{type(e).__name__}: {e} after {time.time() - started:.2f} s"
            record(name, got, expected, detail)

    def watch():
        while time.time() < stop + 5 and server.poll() is None:
            peak[0] = max(peak[0], rss_kb(server.pid, "VmRSS"))
            time.sleep(0.05)

    threads = [threading.Thread(target=good_client) for _ in range(args.clients)]
    threads += [threading.Thread(target=bad_client, args=(c,)) for c in bad_cases]
    threads.append(threading.Thread(target=watch))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alive = server.poll() is None

    status, after, _ = request(port, "POST", "/v1/latency", good)
    ok_after = status == 200 and after["canonical"] == before["canonical"]
    ratio = after["median_ms"] / before["median_ms"] if ok_after else float("nan")
    hwm = rss_kb(server.pid, "VmHWM")
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=30)
    log.seek(0)
    log_lines = sum(1 for _ in log)

    total = sum(counts.values())
    print(f"{total} requests in {args.seconds:.0f} s with {args.clients} good clients and {len(bad_cases)} bad ones")
    for (kind, got), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {kind:24s} {str(got):7s} {n}")
    print(f"server alive throughout: {alive}; exit after SIGTERM: {code}; log lines: {log_lines}")
    print(f"peak RSS {peak[0]} kB sampled, VmHWM {hwm} kB")
    print(f"a good client afterwards: HTTP {status}, median {after['median_ms'] if ok_after else '-'} ms "
          f"vs {before['median_ms']:.4f} ms before (ratio {ratio:.2f})")
    for w in wrong[:20]:
        print("WRONG:", w)
    os.unlink(tokfile.name)
    os.unlink(log.name)
    slow = args.max_slowdown > 0 and not (1 / args.max_slowdown < ratio < args.max_slowdown)
    bad = bool(wrong) or not alive or not ok_after or code != 0 or slow
    print("FAILED" if bad else "OK")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
