# A small, non-root image of the emulator. Build: docker build -t voucherify-emulator .
# Run:   docker run --rm -p 8080:8080 voucherify-emulator [--fixtures /app/fixtures --seed 1]
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8080 \
    VOUCHERIFY_EMULATOR_SPEC=/app/openapi/customers.yaml
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 emulator
WORKDIR /app
COPY openapi ./openapi
COPY fixtures ./fixtures
USER emulator
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ.get('PORT', '8080'), timeout=2)"
ENTRYPOINT ["voucherify-emulator", "--host", "0.0.0.0"]
