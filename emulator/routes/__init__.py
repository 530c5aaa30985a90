"""Thin handlers per vendor tag: a Call in, a Reply out; they never see aiohttp."""
