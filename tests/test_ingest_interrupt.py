"""A `corpus add` killed (SIGKILL) or interrupted (Ctrl-C, SIGINT) mid-import leaves the store valid
and exactly as it was.

To be sure the import is under way when the signal arrives, without sleeping and hoping, the
input ends with a named pipe: the command reads a large synthetic file (3,000 records, six chunks
written inside the import transaction), then opens the pipe and waits for more records. The test
knows that moment because opening the pipe's writing end (non-blocking) only succeeds once a
reader has it open; it then checks that the store's write lock is held (the transaction is open),
writes a few more records, and sends the signal.
"""

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from mediaframes.cli import main
from mediaframes.store import Store

from helpers import snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")

N_RECORDS = 3000
WORDS = [f"syn{k}" for k in range(5000)]


@pytest.fixture
def store_path(template, tmp_path):
    """The shipped corpus plus an earlier user import, so 'unchanged' covers both."""
    path = tmp_path / "store.sqlite"
    shutil.copyfile(template, path)
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text(json.dumps({"url": "https://earlier.example/1", "bow": {"earlier": 1}}) + "\n")
    with pytest.raises(SystemExit) as info:
        main(_command(path, earlier)[3:])
    assert info.value.code == 0
    return path


def _command(store, *inputs):
    return [sys.executable, "-c", "from mediaframes.cli import main; main()", "corpus", "add", "--store", str(store),
            *map(str, inputs), "--outlet", "Synthetic Outlet", "--country", "GB", "--quiet"]


def _records(start, n):
    lines = []
    for k in range(start, start + n):
        terms = [WORDS[(k * 7 + j * 13) % len(WORDS)] for j in range(30)]
        lines.append(json.dumps({"url": f"https://synthetic-bulk.example/a{k}", "bow": {t: 1 + j % 3 for j, t in
                                                                                       enumerate(terms)}}))
    return ("\n".join(lines) + "\n").encode()


def _write_lock_is_held(path) -> bool:
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


def _start_import(store_path, tmp_path):
    """Start the command and return (process, pipe fd) once it is inside the import, waiting on the pipe."""
    big = tmp_path / "big.jsonl"
    big.write_bytes(_records(0, N_RECORDS))
    fifo = tmp_path / "zz-stream.jsonl"
    os.mkfifo(fifo)
    proc = subprocess.Popen(_command(store_path, big, fifo), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: nobody has the pipe open for reading yet
                raise
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the import ended before reading the pipe (exit {proc.returncode}): {err.decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the import did not reach the pipe within 240 s")
        time.sleep(0.05)
    os.set_blocking(fd, True)
    # the command has read all of big.jsonl and is inside its transaction, holding the write lock
    assert _write_lock_is_held(store_path)
    os.write(fd, _records(N_RECORDS, 50))   # a few more records, well under the pipe's buffer
    return proc, fd


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_import_leaves_the_store_unchanged(signum, store_path, tmp_path):
    before = snapshot(store_path)
    proc, fd = _start_import(store_path, tmp_path)
    try:
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(fd)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if signum == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err.decode()
        assert "interrupted: nothing was written" in err.decode()
        assert "Traceback" not in err.decode()
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert snapshot(store_path) == before
    with Store(store_path) as store:   # and it opens as a store, with the same articles
        assert store.count() == 464 + 1
        assert store.count("user") == 1
