# Interop Hub image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 1000 hub
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY hub ./hub
COPY scorm_runtime ./scorm_runtime
COPY importers ./importers
COPY lti ./lti
COPY schemas ./schemas
RUN pip install .
USER hub
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "hub.wsgi:app"]
