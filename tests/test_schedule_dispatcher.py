"""The dispatcher keeps batching after a seed that came due is paused or removed within its batch
window: the window ends, nothing is crawled for it, and later seeds still get their crawls."""

from __future__ import annotations

import threading
import time

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
