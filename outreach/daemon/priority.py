"""Air time before everything else on the machine: real-time scheduling for the scheduler's threads.

On a busy box (a render in the worker, a print job, a backup) a thread that wakes
at 07:30:00 may wait a few hundred milliseconds for a CPU. The threads that start
plays (APScheduler's loop and the job threads it creates, which inherit its
policy) run SCHED_RR when the system allows it (root, or ``LimitRTPRIO=`` in the
systemd unit); planning, rendering and the render worker stay ordinary (the
worker runs below them, ``worker.confine``). Without the right, the daemon says
so once and runs as before.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.i18n import _

log = logging.getLogger("outreach.daemon")

AIRTIME_PRIORITY = 10  # SCHED_RR priority (1-99): above every ordinary process, below the kernel's own threads


@contextmanager
def airtime_priority() -> Iterator[bool]:
    """Threads started inside the block run SCHED_RR (True) if permitted; the calling thread is ordinary again
    after it."""
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(AIRTIME_PRIORITY))
    except OSError as exc:
        log.info(_("air time runs without real-time priority ({reason}); set LimitRTPRIO={priority} in the service "
                   "to allow it").format(reason=exc.strerror or exc, priority=AIRTIME_PRIORITY))
        yield False
        return
    try:
        yield True
    finally:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))

