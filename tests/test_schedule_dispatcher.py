"""How the dispatcher batches due seeds: a burst stays one batch while seeds keep coming due within
the window, a full batch goes out at once, a steady trickle is launched by the cap, pieces of a batch
ending close together merge again; and a seed paused or removed within its batch window leaves the
dispatcher running (nothing is crawled for it, later seeds still get their crawls).

The batching tests drive the dispatcher's clock themselves (ManualClock), so they cannot depend on
the machine's speed."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from pagetrail.schedule.dispatcher import Dispatcher
from tests.support.daemon import wait_for


def test_a_seed_forgotten_within_its_batch_window_leaves_the_dispatcher_running():
    started: list[list[str]] = []
    lock = threading.Lock()

    def start_child(names: list[str]) -> None:  # no child process: the batch is only noted
        with lock:
            started.append(list(names))

    dispatcher = Dispatcher(start_child, on_done=lambda run: None, window=0.3)
    dispatcher.start()
    try:
        dispatcher.submit("paused")
        # The pauses only let the old bug show (the dispatcher inside the window when the seed is
        # forgotten, the next seed due after the window); what the dispatcher does does not depend
        # on them, so a slow machine cannot fail this test.
        time.sleep(0.1)
        dispatcher.forget("paused")  # paused (or removed from the seed file) just as it came due
        time.sleep(0.5)
        dispatcher.submit("next")
        wait_for(lambda: any("next" in batch for batch in started), timeout=60,
                 what="a crawl of the seed due after the forgotten one")
        assert all(batch for batch in started), started  # never an empty batch
    finally:
        dispatcher.stop()


class ManualClock:
    """The dispatcher's clock and timed wait in the tests below: time moves only in advance(), so
    what the dispatcher decides depends on the test's steps, never on how fast the machine runs."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()
        self._cond: threading.Condition | None = None
        self._read_at: float | None = None  # the time the dispatcher's thread last read
        self._asleep_at: float | None = None  # the time of the timed wait it is in, if any
        self._naps = 0  # timed waits begun
        self._settled = 0  # naps already waited for by settle()

    def monotonic(self) -> float:
        with self._lock:
            self._read_at = self.now
            return self.now

    def wait(self, cond: threading.Condition, timeout: float) -> None:
        """Called by the dispatcher holding ``cond``: sleeps until advance() moves the time or a
        seed due, forgotten or ending wakes it."""
        with self._lock:
            self._cond = cond
            if self._read_at != self.now:
                return  # time moved since the dispatcher looked at it: it decides again
            self._asleep_at = self.now
            self._naps += 1
        cond.wait()
        with self._lock:
            self._asleep_at = None

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
            cond = self._cond
        if cond is not None:
            with cond:
                cond.notify_all()

    def settle(self) -> None:
        """Wait until the dispatcher has taken in the last step (one advance() or one seed
        re-entering after its crawl) and sleeps again, at the current time, launching nothing."""
        def asleep_since_last_step() -> bool:
            with self._lock:
                return self._naps > self._settled and self._asleep_at == self.now

        wait_for(asleep_since_last_step, timeout=60, what=f"the dispatcher asleep at {self.now}")
        with self._lock:
            self._settled = self._naps


class Recorder:
    """start_child for the tests: notes each batch; with ``hold``, returns a child whose crawl runs
    until the test ends it (finish), so that its seeds stay in flight."""

    def __init__(self, hold: bool = False) -> None:
        self.hold = hold
        self.batches: list[list[str]] = []
        self.children: dict[str, FakeChild] = {}  # first seed of the batch -> its child
        self._lock = threading.Lock()

    def __call__(self, names: list[str]) -> FakeChild | None:
        with self._lock:
            self.batches.append(list(names))
            if not self.hold:
                return None
            child = self.children[names[0]] = FakeChild(names)
            return child

    def launched(self, count: int) -> list[list[str]]:
        wait_for(lambda: len(self.batches) >= count, timeout=60, what=f"{count} batches launched")
        with self._lock:
            return [list(batch) for batch in self.batches]

    def finish(self, first: str) -> None:
        """End the crawl of the batch ``first`` opened (its seeds due again then re-enter: the
        dispatcher wakes and, until they are due to go out, sleeps again: ManualClock.settle)."""
        self.children[first].finished.set()


class FakeChild:
    def __init__(self, names: list[str]) -> None:
        self.run = SimpleNamespace(seeds=tuple(names))
        self.finished = threading.Event()

    def start(self) -> None:
        pass

    def wait(self) -> SimpleNamespace:
        self.finished.wait()
        return self.run

    def terminate(self) -> None:
        self.finished.set()

    def kill(self) -> None:
        self.finished.set()


def dispatcher_on(clock: ManualClock, start_child, **options) -> Dispatcher:
    """A started dispatcher with a 2 s window (in the clock's time; so its cap is 10 s)."""
    dispatcher = Dispatcher(start_child, on_done=lambda run: None, window=2.0,
                            clock=clock.monotonic, wait=clock.wait, **options)
    assert dispatcher.cap == 10.0
    dispatcher.start()
    return dispatcher


def test_seeds_due_in_a_burst_longer_than_the_window_with_shorter_gaps_make_one_batch():
    # What APScheduler does on a loaded machine: 50 jobs due at once fire over seconds.
    clock, recorder = ManualClock(), Recorder()
    dispatcher = dispatcher_on(clock, recorder)
    names = [f"s{i}" for i in range(6)]
    try:
        for name in names:  # one every 1.5 s: 7.5 s in all, under the 10 s cap
            dispatcher.submit(name)
            clock.advance(1.5)
            clock.settle()
        assert recorder.batches == []  # the last seed came due 1.5 s ago: the burst may go on
        clock.advance(0.5)  # 2 s without a seed due
        assert recorder.launched(1) == [names]
    finally:
        dispatcher.stop()


def test_a_full_batch_goes_out_at_once_and_the_rest_waits_for_its_window():
    clock, recorder = ManualClock(), Recorder()
    dispatcher = dispatcher_on(clock, recorder, batch_size=3)
    try:
        for name in ("a", "b", "c", "d"):
            dispatcher.submit(name)
        assert recorder.launched(1) == [["a", "b", "c"]]  # with no time passing
        clock.settle()  # "d" waits for its window
        clock.advance(1.5)
        clock.settle()
        assert recorder.batches == [["a", "b", "c"]]
        clock.advance(0.5)
        assert recorder.launched(2) == [["a", "b", "c"], ["d"]]
    finally:
        dispatcher.stop()


def test_a_steady_trickle_of_due_seeds_is_launched_by_the_cap():
    clock, recorder = ManualClock(), Recorder()
    dispatcher = dispatcher_on(clock, recorder)
    names = [f"s{i:02d}" for i in range(20)]
    try:
        for name in names:  # one due every second, never a quiet window
            dispatcher.submit(name)
            clock.advance(1.0)
            if clock.now == 10.0:  # the first batch's first seed came due 10 s ago
                assert recorder.launched(1) == [names[:10]]
            elif clock.now < 20.0:
                clock.settle()
        assert recorder.launched(2) == [names[:10], names[10:]]
    finally:
        dispatcher.stop()


def test_seeds_due_again_during_their_crawls_go_out_together_when_those_end_close_together():
    # The pieces of a split batch must merge again: each re-enters when its own crawl ends.
    clock, recorder = ManualClock(), Recorder(hold=True)
    dispatcher = dispatcher_on(clock, recorder, max_parallel=3)
    pieces = [["a", "b"], ["c", "d"], ["e", "f"]]
    try:
        for count, piece in enumerate(pieces, 1):
            for name in piece:
                dispatcher.submit(name)
            clock.advance(2.0)
            assert recorder.launched(count)[-1] == piece
        for piece in pieces:  # due again while in flight: deferred until their crawls end
            for name in piece:
                dispatcher.submit(name)
        for piece in pieces:  # the crawls end 1.5 s apart, 3 s from the first to the last
            recorder.finish(piece[0])
            clock.settle()
            clock.advance(1.5)
            clock.settle()
        assert len(recorder.batches) == 3
        clock.advance(0.5)
        assert recorder.launched(4)[-1] == ["a", "b", "c", "d", "e", "f"]
    finally:
        dispatcher.stop()


def test_a_full_batch_back_from_its_crawl_waits_for_the_rest_of_its_seeds_burst():
    # Its seeds were due again during the crawl; their next burst may still be firing as it ends.
    # Gone out at once, a seed of it due a moment later would be deferred to the end of the new
    # crawl, alone: the batch would split for good.
    clock, recorder = ManualClock(), Recorder(hold=True)
    dispatcher = dispatcher_on(clock, recorder, batch_size=2)
    try:
        dispatcher.submit("a")
        dispatcher.submit("b")
        assert recorder.launched(1) == [["a", "b"]]  # full: at once
        dispatcher.submit("a")  # due again during the crawl: deferred
        dispatcher.submit("b")
        recorder.finish("a")
        clock.settle()  # back, and a full batch, but waiting for quiet
        clock.advance(1.0)
        dispatcher.submit("a")  # its next burst: coalesced into the waiting batch
        clock.advance(1.0)
        clock.settle()  # 2 s after the batch came back, 1 s after a seed of it came due
        assert len(recorder.batches) == 1
        clock.advance(1.0)
        assert recorder.launched(2) == [["a", "b"], ["a", "b"]]
        recorder.finish("a")  # nothing deferred: the next seed due goes out alone
        dispatcher.submit("c")
        clock.advance(2.0)
        assert recorder.launched(3)[-1] == ["c"]
    finally:
        dispatcher.stop()
