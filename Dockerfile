# A small, non-root image of the emulator.
# Build: docker build -t voucherify-emulator .
# Run:   docker run --rm -p 8080:8080 -v voucherify-state:/data voucherify-emulator
#        (arguments replace CMD: add --state-file /data/state.json to keep the state file)
#
# Layers: the dependencies are installed from pyproject.toml alone, so a change to the source
# rebuilds only the small layer that installs the emulator's own wheel (--no-deps).
# tests/test_installed_wheel.py runs this file's dependency list, wheel and ENTRYPOINT + CMD
# outside Docker (there is no Docker engine on the machines this project is built on).

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv

FROM base AS deps
COPY pyproject.toml /build/pyproject.toml
RUN python -c "import tomllib; print(*tomllib.load(open('/build/pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /build/requirements.txt \
    && pip install --no-cache-dir -r /build/requirements.txt

FROM deps AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY openapi ./openapi
COPY emulator ./emulator
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /wheels .

FROM deps
RUN useradd --create-home --uid 10001 emulator \
    && mkdir /data && chown emulator:emulator /data
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY fixtures /app/fixtures
WORKDIR /app
VOLUME /data
USER emulator
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ.get('PORT', '8080'), timeout=2)"
ENTRYPOINT ["voucherify-emulator", "--host", "0.0.0.0"]
CMD ["--state-file", "/data/state.json"]
