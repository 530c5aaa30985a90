"""Async actions and time: the queue engine, jobs, the clock and the id source. No aiohttp."""
