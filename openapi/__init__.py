"""The contract, shipped inside the installed package as `emulator.openapi`.

`customers.yaml` in this folder is the source of truth; pyproject.toml maps the folder into the
wheel and the sdist, and `emulator.contract.spec` reads it through importlib.resources, so the
emulator finds its spec from any working directory.
"""
