#!/usr/bin/env python3
"""Fault tests against the real binary: each starts its own server, injects one fault, checks
what the API promises, and stops by itself. Standard library only.

Usage: faults.py NAME [NAME …], with NAME among: sigterm, load-sqlite, load-postgres,
postgres-restart, pool, disk-full. `.ci/faults` runs them all and provides:
  THIDUA_BIN         the binary
  FAULT_WORK         a scratch directory
  FAULT_PG_URL       a throwaway PostgreSQL cluster's URL (postgres-restart, pool, load-postgres)
  FAULT_PG_STOP / FAULT_PG_START   shell commands that stop and start that cluster
  FAULT_TMPFS        a small mounted file system, or empty when the test may not mount (disk-full)

Each prints what it did, with counts, and exits non-zero naming every broken promise (the
status and body of each failed request).
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
import uuid

BIN = os.environ.get("THIDUA_BIN", "target/debug/thidua")
WORK = os.environ.get("FAULT_WORK", "/tmp")
LOGS = os.environ.get("FAULT_LOGS", WORK)
ADMIN_PASSWORD = "admin-password-for-the-suites"
FAILURES = []
KNOWN_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults-known.toml")
with open(KNOWN_FILE, "rb") as f:
    KNOWN = tomllib.load(f).get("defect", [])
SEEN_KNOWN = {}


def fail(msg):
    for i, d in enumerate(KNOWN):
        if msg.startswith(d["test"] + ":") and d["match"] in msg:
            SEEN_KNOWN[i] = SEEN_KNOWN.get(i, 0) + 1
            print(f"  KNOWN (issue {d['issue']}) {msg}", flush=True)
            return
    FAILURES.append(msg)
    print("  FAIL " + msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The binary on a free loopback port over `url`, its log in the scratch directory."""

    def __init__(self, url, name, **env):
        self.url = url
        self.name = name
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.url,
            "THIDUA_BIND": f"127.0.0.1:{self.port}",
            "THIDUA_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "THIDUA_JWT_SECRET": "suites-secret-0123456789-0123456789-abcdef",
            "THIDUA_LOG_FORMAT": "json",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
        })
        env.update({k: str(v) for k, v in self.env.items()})
        log = open(os.path.join(LOGS, f"{self.name}.log"), "ab")
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: the server exited with {self.proc.returncode}")
            try:
                if request("GET", self.base + "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name}: the server did not answer within 30 s")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                fail(f"{self.name}: still running {timeout} s after {sig.name}; killed")
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def request(method, url, token=None, body=None, headers=None, timeout=30,
            content_type="application/json"):
    """(status, headers, body bytes); a connection failure raises OSError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def login(base):
    status, _, body = request("POST", base + "/api/v1/auth/login",
                              body={"username": "admin", "password": ADMIN_PASSWORD})
    if status != 200:
        raise SystemExit(f"login: {status} {body[:300]!r}")
    return json.loads(body)["access_token"]


def unit_body(tag, i):
    code = f"{tag}-{i}"
    return {"code": code, "name": f"Đơn vị {code}", "kind": "administrative",
            "valid_from": "2010-01-01"}


def is_problem(headers, body):
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return (headers.get("Content-Type", "").startswith("application/problem+json")
            and isinstance(doc, dict) and "status" in doc)


def problem_code(body):
    try:
        return json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None


def brief(body):
    return body[:300].decode(errors="replace")


def sqlite_integrity(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def run_writers(base, token, tag, writers, seconds, keys=False, stop_event=None):
    """`writers` threads creating distinct units for `seconds`: a list of (status, headers,
    body, request) per attempt, and connection errors as status None."""
    results = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    def worker():
        while time.monotonic() < deadline and not (stop_event and stop_event.is_set()):
            with lock:
                i = next(counter)
            body = unit_body(tag, i)
            headers = {"Idempotency-Key": str(uuid.uuid4())} if keys else {}
            try:
                status, h, raw = request("POST", base + "/api/v1/units", token, body, headers)
            except OSError as e:
                status, h, raw = None, {}, str(e).encode()
            with lock:
                results.append((status, h, raw, (body, headers)))
            if status is None and stop_event is not None:
                break  # the server is going away: this writer's last request is the one cut

    threads = [threading.Thread(target=worker) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summarize(results):
    counts = {}
    for status, *_ in results:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{k if k is not None else 'no answer'}: {v}"
                     for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))


# --- the faults ---------------------------------------------------------------------------------


def sigterm():
    """SIGTERM in the middle of a write load: every acknowledged write survives the restart, and
    a retry with the same Idempotency-Key creates nothing twice."""
    print("sigterm: 8 writers with Idempotency-Keys, SIGTERM after 2 s, restart, retry all")
    path = os.path.join(WORK, "sigterm.db")
    server = Server(f"sqlite://{path}", "sigterm", THIDUA_SHUTDOWN_TIMEOUT_SECS=10).start()
    token = login(server.base)
    stop = threading.Event()
    box = {}
    t = threading.Thread(target=lambda: box.setdefault(
        "r", run_writers(server.base, token, "TERM", 8, 30, keys=True, stop_event=stop)))
    t.start()
    time.sleep(2)
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(30)
    stop.set()
    t.join()
    results = box["r"]
    if code != 0:
        fail(f"sigterm: the server exited with {code} after SIGTERM")
    acked = [(json.loads(raw)["id"], req) for status, _, raw, req in results if status == 201]
    others = [(status, raw, req) for status, _, raw, req in results if status != 201]
    for status, raw, _ in others:
        if status is not None and status != 503:
            fail(f"sigterm: a write answered {status} {brief(raw)}")
    print(f"  before the restart: {summarize(results)}")
    server = Server(f"sqlite://{path}", "sigterm").start()
    try:
        token = login(server.base)
        for uid, (body, _) in acked:
            status, _, raw = request("GET", f"{server.base}/api/v1/units/{uid}", token)
            if status != 200 or json.loads(raw)["code"] != body["code"]:
                fail(f"sigterm: acknowledged unit {uid} ({body['code']}) is {status} {brief(raw)}")
        ids = {}
        for status, _, raw, (body, headers) in results:
            s2, _, raw2 = request("POST", server.base + "/api/v1/units", token, body, headers)
            if s2 != 201:
                fail(f"sigterm: retry of {body['code']} answered {s2} {brief(raw2)}")
                continue
            new_id = json.loads(raw2)["id"]
            if status == 201 and json.loads(raw)["id"] != new_id:
                fail(f"sigterm: retry of {body['code']} made unit {new_id}, not the replay")
            ids.setdefault(body["code"], set()).add(new_id)
        twice = {c: i for c, i in ids.items() if len(i) > 1}
        if twice:
            fail(f"sigterm: created twice: {twice}")
        print(f"  after: {len(acked)} acknowledged writes found, {len(results)} retries replayed"
              f" or completed, {len(others)} unacknowledged")
    finally:
        server.stop()
    check = sqlite_integrity(path)
    if check != "ok":
        fail(f"sigterm: integrity_check says {check}")


def load(url, name, tag):
    """16 concurrent writers of distinct rows for ~10 s: every write answered 201 (issue 7.11)."""
    print(f"{name}: 16 writers creating distinct units for 10 s")
    with Server(url, name, THIDUA_DB_POOL_SIZE=16) as server:
        token = login(server.base)
        results = run_writers(server.base, token, tag, 16, 10)
        alive = server.alive()
    print(f"  {len(results)} writes: {summarize(results)}")
    if not alive:
        fail(f"{name}: the server died under load")
    by_kind = {}
    for s, h, raw, _ in results:
        if s != 201:
            by_kind.setdefault((s, problem_code(raw)), []).append((h, raw))
    for (s, code), seen in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        h, raw = seen[0]
        retry = h.get("Retry-After") if h else None
        fail(f"{name}: {len(seen)} × {s} {code} (Retry-After {retry}), e.g. {brief(raw)}")
        if s is not None and s >= 500 and s != 503:
            fail(f"{name}: a 5xx other than 503")
        if s == 503 and retry is None:
            fail(f"{name}: a 503 without Retry-After")
    return results


def load_sqlite():
    path = os.path.join(WORK, "load.db")
    load(f"sqlite://{path}", "load-sqlite", "LS")
    check = sqlite_integrity(path)
    print(f"  integrity_check: {check}")
    if check != "ok":
        fail(f"load-sqlite: integrity_check says {check}")


def load_postgres():
    load(os.environ["FAULT_PG_URL"], "load-postgres", "LP")


def postgres_restart():
    """PostgreSQL stopped and started under load: 503 problems while it is down, no crash, and
    reads and writes succeed again within 10 s of it coming back."""
    print("postgres-restart: 4 clients (reads and writes), PostgreSQL down for 3 s")
    stop_cmd, start_cmd = os.environ["FAULT_PG_STOP"], os.environ["FAULT_PG_START"]
    with Server(os.environ["FAULT_PG_URL"], "postgres-restart",
                THIDUA_DB_TIMEOUT_SECS=2) as server:
        token = login(server.base)
        phase = {"now": "up"}
        log = []
        lock = threading.Lock()
        done = threading.Event()
        counter = iter(range(10**9))

        def client(write):
            while not done.is_set():
                with lock:
                    i = next(counter)
                t0 = time.monotonic()
                try:
                    if write:
                        s, h, raw = request("POST", server.base + "/api/v1/units", token,
                                            unit_body("PR", i), timeout=15)
                    else:
                        s, h, raw = request("GET", server.base + "/api/v1/units?page_size=5",
                                            token, timeout=15)
                except OSError as e:
                    s, h, raw = None, {}, str(e).encode()
                with lock:
                    log.append((phase["now"], t0, time.monotonic(), write, s, h, raw))
                time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(w,)) for w in (True, True, False, False)]
        for t in threads:
            t.start()
        time.sleep(2)
        phase["now"] = "down"
        subprocess.run(stop_cmd, shell=True, check=True)
        time.sleep(3)
        phase["now"] = "starting"
        subprocess.run(start_cmd, shell=True, check=True)
        back = time.monotonic()
        phase["now"] = "back"
        time.sleep(12)
        done.set()
        for t in threads:
            t.join()
        alive = server.alive()
    if not alive:
        fail("postgres-restart: the server exited")
    down = [e for e in log if e[0] == "down"]
    print(f"  {len(log)} requests; while down: "
          f"{summarize([(e[4],) for e in down])}")
    for ph, _, _, write, s, h, raw in log:
        if s is None:
            fail(f"postgres-restart: no answer ({ph}): {brief(raw)}")
        elif s >= 500 and (s != 503 or not is_problem(h, raw) or not h.get("Retry-After")):
            fail(f"postgres-restart: {s} ({ph}) without a 503 problem and Retry-After: {brief(raw)}")
        elif ph == "up" and s not in (200, 201):
            fail(f"postgres-restart: {s} before the outage: {brief(raw)}")
    if not any(e[4] == 503 for e in down):
        fail("postgres-restart: no 503 while PostgreSQL was down")
    for write in (True, False):
        ok = [e for e in log if e[1] >= back and e[3] == write and e[4] in (200, 201)]
        kind = "write" if write else "read"
        if not ok:
            fail(f"postgres-restart: no successful {kind} after PostgreSQL came back")
            continue
        first = min(e[2] for e in ok) - back
        late = [e for e in log if e[1] >= back + 10 and e[3] == write and e[4] not in (200, 201)]
        print(f"  first successful {kind} {first:.1f} s after the restart")
        if first > 10:
            fail(f"postgres-restart: the first {kind} succeeded {first:.1f} s after the restart")
        for e in late:
            fail(f"postgres-restart: {e[4]} on a {kind} more than 10 s after the restart: "
                 f"{brief(e[6])}")


def pool():
    """Pool exhaustion: with every connection stuck behind a lock, requests get 503 +
    Retry-After within the configured wait, and /healthz stays fast."""
    print("pool: a 2-connection pool, a table lock held for 8 s, 10 concurrent reads")
    wait = 2
    url = os.environ["FAULT_PG_URL"]
    with Server(url, "pool", THIDUA_DB_POOL_SIZE=2, THIDUA_DB_TIMEOUT_SECS=wait) as server:
        token = login(server.base)
        holder = subprocess.Popen(
            ["psql", url, "-qAt", "-c",
             "BEGIN; LOCK TABLE units IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        results = []
        lock = threading.Lock()

        def read():
            t0 = time.monotonic()
            try:
                s, h, raw = request("GET", server.base + "/api/v1/units", token, timeout=30)
            except OSError as e:
                s, h, raw = None, {}, str(e).encode()
            with lock:
                results.append((time.monotonic() - t0, s, h, raw))

        threads = [threading.Thread(target=read) for _ in range(10)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        health = []
        for _ in range(5):
            t0 = time.monotonic()
            s, _, _ = request("GET", server.base + "/healthz", timeout=10)
            health.append((time.monotonic() - t0, s))
            time.sleep(0.2)
        for t in threads:
            t.join()
        holder.wait(30)
        after = request("GET", server.base + "/api/v1/units", token)[0]
    refused = [r for r in results if r[1] == 503]
    print(f"  reads: {summarize([(r[1],) for r in results])}; slowest 503 after "
          f"{max((r[0] for r in refused), default=0):.1f} s; /healthz at most "
          f"{max(h[0] for h in health) * 1000:.0f} ms")
    if len(refused) < 10 - 2:
        fail(f"pool: only {len(refused)} of 10 reads were refused with 503")
    for dt, s, h, raw in results:
        if s == 503:
            if not h.get("Retry-After") or not is_problem(h, raw):
                fail(f"pool: a 503 without Retry-After or problem body: {brief(raw)}")
            if dt > wait + 3:
                fail(f"pool: a 503 came after {dt:.1f} s (the wait is {wait} s)")
        elif s != 200:
            fail(f"pool: a read answered {s}: {brief(raw)}")
    for dt, s in health:
        if s != 200 or dt > 1:
            fail(f"pool: /healthz answered {s} in {dt:.2f} s while the pool was exhausted")
    if after != 200:
        fail(f"pool: a read after the lock was released answered {after}")


def disk_full():
    """A full disk under SQLite: writes refused with a problem answer, reads go on, writes
    resume once space is freed, and the database is not corrupted."""
    mount = os.environ.get("FAULT_TMPFS", "")
    if not mount:
        print("disk-full: SKIPPED — mounting a small file system needs root")
        return
    print(f"disk-full: SQLite on a small tmpfs, filled up")
    path = os.path.join(mount, "full.db")
    filler = os.path.join(mount, "filler")
    with Server(f"sqlite://{path}", "disk-full") as server:
        token = login(server.base)
        ok = request("POST", server.base + "/api/v1/units", token, unit_body("DF", 0))[0]
        if ok != 201:
            fail(f"disk-full: the first write answered {ok}")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        refusals = {}
        for i in range(1, 200):
            s, h, raw = request("POST", server.base + "/api/v1/units", token,
                                unit_body("DF", i) | {"address": "x" * 400})
            if s == 201:
                continue
            refusals[s] = refusals.get(s, 0) + 1
            if not is_problem(h, raw):
                fail(f"disk-full: a refused write answered {s} without a problem body: "
                     f"{brief(raw)}")
            if s == 500:
                fail(f"disk-full: a refused write answered 500: {brief(raw)}")
            if sum(refusals.values()) >= 5:
                break
        if not refusals:
            fail("disk-full: every write succeeded on a full disk")
        s, _, raw = request("GET", server.base + "/api/v1/units?page_size=5", token)
        if s != 200:
            fail(f"disk-full: a read on a full disk answered {s}: {brief(raw)}")
        os.remove(filler)
        s, _, raw = request("POST", server.base + "/api/v1/units", token, unit_body("DF", 999))
        if s != 201:
            fail(f"disk-full: a write after freeing space answered {s}: {brief(raw)}")
        alive = server.alive()
        print(f"  refused writes on the full disk: {refusals}; reads and later writes checked")
    if not alive:
        fail("disk-full: the server died")
    check = sqlite_integrity(path)
    print(f"  integrity_check: {check}")
    if check != "ok":
        fail(f"disk-full: integrity_check says {check}")


TESTS = {
    "sigterm": sigterm,
    "load-sqlite": load_sqlite,
    "load-postgres": load_postgres,
    "postgres-restart": postgres_restart,
    "pool": pool,
    "disk-full": disk_full,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(TESTS)
    for name in names:
        started = time.monotonic()
        before = len(FAILURES)
        TESTS[name]()
        verdict = "ok" if len(FAILURES) == before else f"{len(FAILURES) - before} failures"
        print(f"  {name}: {verdict} in {time.monotonic() - started:.0f} s", flush=True)
    for i, d in enumerate(KNOWN):
        if d["test"] in names and i not in SEEN_KNOWN:
            print(f"known defect no longer seen: {d['test']}: {d['match']!r} (issue {d['issue']});"
                  " remove it from faults-known.toml once it stays fixed")
        elif i in SEEN_KNOWN:
            print(f"known defect seen {SEEN_KNOWN[i]} times: {d['test']}: {d['match']!r}"
                  f" (issue {d['issue']})")
    if FAILURES:
        print(f"\n{len(FAILURES)} broken promises:")
        for f in FAILURES:
            print("  " + f)
        sys.exit(1)
    print(f"\nfaults: {len(names)} passed, 0 failed")
