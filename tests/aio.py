"""Running an async test body from a synchronous test (pytest-asyncio is not used here)."""

import asyncio
import concurrent.futures

from asgiref.sync import async_to_sync


def run_async(coroutine_function):
    """Run ``coroutine_function()`` to completion and return its result.

    Playwright's sync API, used by the browser tests earlier in the session, leaves an event
    loop running in the main thread, where ``async_to_sync`` refuses to run; then the body runs
    in a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(coroutine_function)()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(coroutine_function)).result()
