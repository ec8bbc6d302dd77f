"""Load pages of a generated project with its framework's test client.

Run as ``python probe.py PROJECT_DIR PATH...`` in a fresh interpreter (Django
settings can be configured once per process); prints one JSON object per path
with the status, content type and body. No server is started.
"""

import json
import os
import sys
from pathlib import Path

import yaml


def flask_client(project: Path, answers: dict):
    from app import app

    client = app.test_client()

    def get(path):
        response = client.get(path)
        return response.status_code, response.content_type, response.get_data()

    return get


def django_client(project: Path, answers: dict):
    # Production mode (as under gunicorn): debug off, a key from the environment.
    os.environ.setdefault("DJANGO_SECRET_KEY", "probe-only-secret-key")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # plain HTTP here
    if answers["app"] == "hello":
        import app  # noqa: F401  (configures Django in the module itself)
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = f"{answers['project_slug']}.settings"
        import django

        django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()

    def get(path):
        response = client.get(path)
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        return response.status_code, response["Content-Type"], body

    return get


def main() -> None:
    project = Path(sys.argv[1]).resolve()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    os.chdir(project)
    sys.path.insert(0, str(project))
    make = flask_client if answers["framework"] == "flask" else django_client
    get = make(project, answers)
    results = []
    for path in sys.argv[2:]:
        status, content_type, body = get(path)
        results.append(
            {
                "path": path,
                "status": status,
                "content_type": content_type,
                "body": body.decode("utf-8"),
            }
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
