"""The contract: the OpenAPI document, loaded once; compiled checks; parameters. No aiohttp."""
