FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_DEBUG=0

WORKDIR /app

RUN useradd --create-home --uid 1000 app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
# collectstatic needs a secret key but never uses it for anything it keeps.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER app
EXPOSE 8000
# The Procfile's web line: migrate, then gunicorn with uvicorn workers (gunicorn.conf.py: the port
# from PORT, the worker count from WEB_CONCURRENCY) for the API, admin, reports and the SSE stream.
ENV PORT=8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn salesbackend.asgi:application --config gunicorn.conf.py"]
