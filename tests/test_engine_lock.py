"""The engine's reader-writer lock: what concurrent API requests rely on while writes land."""

from __future__ import annotations

import threading
import time

import pytest

from matcher.service.engine import ReadWriteLock


def test_a_writer_waits_for_readers_and_new_readers_wait_for_a_queued_writer():
    rw = ReadWriteLock()
    order: list[str] = []
    reader_in = threading.Event()
    release_reader = threading.Event()

    def first_reader() -> None:
        with rw.read():
            reader_in.set()
            release_reader.wait(5)
            order.append("reader-1 out")

    def writer() -> None:
        with rw.write():
            order.append("writer")

    def late_reader() -> None:
        with rw.read():
            order.append("reader-2")

    threads = [threading.Thread(target=first_reader)]
    threads[0].start()
    assert reader_in.wait(5)
    threads.append(threading.Thread(target=writer))
    threads[1].start()
    time.sleep(0.1)  # the writer is now queued behind reader 1
    threads.append(threading.Thread(target=late_reader))
    threads[2].start()
    time.sleep(0.1)
    assert order == []  # the writer waits for reader 1; reader 2 waits for the queued writer
    release_reader.set()
    for t in threads:
        t.join(5)
    assert order == ["reader-1 out", "writer", "reader-2"]
    assert rw.writes == 1 and rw.write_seconds_max >= 0


def test_a_reader_re_enters_even_with_a_writer_queued():
    rw = ReadWriteLock()
    events: list[str] = []

    def writer() -> None:
        with rw.write():
            events.append("writer")

    with rw.read():
        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.1)  # queued behind this reader
        with rw.read():  # a flow calling another flow inside one request must not deadlock
            events.append("nested read")
    t.join(5)
    assert events == ["nested read", "writer"]


def test_asking_to_write_while_reading_is_an_error_not_a_deadlock():
    rw = ReadWriteLock()
    with rw.read(), pytest.raises(RuntimeError), rw.write():
        pass
