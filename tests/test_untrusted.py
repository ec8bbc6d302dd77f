"""The harness runs projects it cannot trust (issue 14, items 8-10): they get a
minimal environment, their recorded answers are checked before any use, and
what a killed run leaves behind is cleaned up by the next one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from scaffold.errors import ScaffoldError
from scaffold.harness.plan import _render, command_line

from .helpers.update_history import commit_all, plain_git_runs_them, plant_git_commands
from .test_cli import assert_refused
from .test_harness import alive, edit, make, processes_under, scaffold_process

# Written where the app can write as root runs it, as nobody, in a copy (an
# open folder, not the project's).
SPY = (
    "import json\nimport os\n\n"
    "with open({where!r}, 'w') as seen:\n"
    "    json.dump(dict(os.environ), seen)\n\n"
)


def test_servers_get_a_minimal_environment(
    cli, tmp_path: Path, example_answers, monkeypatch: pytest.MonkeyPatch, open_tmp
) -> None:
    project = make(tmp_path, "flask-hello", example_answers)
    open_tmp.chmod(0o777)
    spy = SPY.format(where=str(open_tmp / "seen-env.json"))
    edit("app.py", "from flask import Flask", spy + "from flask import Flask")(project)
    monkeypatch.setenv("MY_CLOUD_TOKEN", "s3cret")
    monkeypatch.setenv("FOR_THE_APP", "given")
    result = cli("check", project, "--env", "EXTRA=1=2", "--pass-env", "FOR_THE_APP")
    assert result.code == 0, result.out + result.err
    seen = json.loads((open_tmp / "seen-env.json").read_text())
    assert "MY_CLOUD_TOKEN" not in seen, "a secret of the caller's leaked"
    assert seen["EXTRA"] == "1=2" and seen["FOR_THE_APP"] == "given"
    assert seen["PATH"] == os.environ["PATH"]
    assert set(seen) <= {
        *("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TERM"),
        *("TMPDIR", "TEMP", "TMP", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"),
        *("PYTHONUNBUFFERED", "SCAFFOLD_HARNESS_RUN", "EXTRA", "FOR_THE_APP"),
        *(key for key in seen if key.startswith(("LC_", "SERVER_SOFTWARE"))),
    }, sorted(seen)


@pytest.mark.parametrize(
    ("options", "phrases"),
    [
        (["--env", "NOEQUALS"], ["--env 'NOEQUALS'", "KEY=VALUE"]),
        (["--env", "A B=1"], ["KEY=VALUE"]),
        (["--pass-env", "SCAFFOLD_SURELY_UNSET"], ["SCAFFOLD_SURELY_UNSET", "no such"]),
    ],
)
def test_bad_env_options_are_one_line(cli, tmp_path, options, phrases) -> None:
    assert_refused(cli("check", tmp_path, *options), *phrases)


def test_help_says_checking_runs_the_projects_code(cli) -> None:
    for command in ("check", "smoke"):
        text = " ".join(cli(command, "--help").out.split())
        assert "runs" in text and "code" in text, command
    text = " ".join(cli("check", "--help").out.split())
    assert "check only projects you trust" in text
    assert "--env KEY=VALUE" in text and "--pass-env NAME" in text


# --- 9. recorded answers are checked before any use -----------------------------


@pytest.mark.parametrize(
    ("line", "phrases"),
    [
        ("project_slug: '-c/tmp/x/evilconf.py'", ["'project_slug'", "identifier"]),
        ("project_slug: os", ["'project_slug'", "must not shadow"]),
        ('project_name: "a\\u2028b"', ["'project_name'", "single line"]),
        ("python_version: '2.7'", ["'python_version'", "one of 3.11"]),
        ("project_slug: [a]", ["'project_slug'", "missing or not text"]),
        ("framework: [flask]", ["'framework'", "missing or not text"]),
        ("app: nothing", ["'app'", "must be one of hello"]),
    ],
)
def test_edited_answers_are_refused_before_use(
    cli, tmp_path: Path, example_answers, line: str, phrases: list[str]
) -> None:
    project = make(tmp_path, "django-website", example_answers)
    evil = tmp_path / "evilconf.py"
    evil.write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\n")
    answers = project / ".copier-answers.yml"
    key = line.split(":")[0]
    kept = [x for x in answers.read_text().splitlines() if not x.startswith(key)]
    answers.write_text("\n".join([*kept, line]) + "\n")
    assert_refused(cli("check", project), ".copier-answers.yml", *phrases)
    assert not (tmp_path / "ran").exists(), "the config file outside ran"
    assert processes_under(tmp_path) == []


# --- issue 21, item 9: every file read from a project is a small regular file ---


@pytest.mark.parametrize(
    ("name", "kind", "phrase"),
    [
        (".copier-answers.yml", "/dev/zero", "not a regular file"),
        (".copier-answers.yml", "fifo", "not a regular file"),
        ("pyproject.toml", "/dev/zero", "not a regular file"),
        ("pyproject.toml", "fifo", "not a regular file"),
        ("pyproject.toml", "huge", "bytes"),
        ("pyproject.toml", "folder", "is a folder"),
        ("pyproject.toml", "[project]\ndependencies = 'flask'\n", "list of"),
    ],
)
def test_project_files_that_are_no_small_file_are_refused(
    tmp_path: Path, example_answers, name: str, kind: str, phrase: str
) -> None:
    project = make(tmp_path, "flask-hello", example_answers)
    target = project / name
    target.unlink()
    if kind == "/dev/zero":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "huge":
        target.write_text("#" * 5_000_000)
    elif kind == "folder":
        target.mkdir()
    else:
        target.write_text(kind)
    # A process of its own, with a timeout: before the fix the FIFO hung the
    # check and /dev/zero grew it until the kernel killed it.
    done = subprocess.run(
        [sys.executable, "-m", "scaffold", "check", str(project)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert name in lines[0] and phrase in lines[0], lines[0]


# --- issue 21, item 11: check runs nothing the project's git config names -------


def test_check_runs_nothing_the_projects_git_configuration_names(
    cli, tmp_path: Path, generated: dict[str, Path]
) -> None:
    project = tmp_path / "flask-hello"
    shutil.copytree(generated["flask-hello"], project)
    commit_all(project)
    marks = tmp_path / "marks"
    plant_git_commands(project, marks)
    result = cli("check", project)
    assert result.code == 0, result.out + result.err
    assert list(marks.iterdir()) == []
    assert "fsmonitor" in plain_git_runs_them(project, marks)  # the plant is live


def test_an_answer_never_becomes_an_option() -> None:
    declared = ["--bind", "{{ s }}.wsgi"]

    def command(slug: str) -> tuple[str, ...]:
        return command_line(declared, _render(declared, {"s": slug}))

    assert command("site") == ("--bind", "site.wsgi")  # declared options are fine
    with pytest.raises(ScaffoldError, match="option"):
        command("-c/tmp/x")
    # Elsewhere (an environment variable) a leading dash is just text.
    assert _render({"KEY": "{{ s }}"}, {"s": "-x"}) == {"KEY": "-x"}


# --- 10. a killed run is cleaned up by the next -----------------------------------


def process_command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # ended, or a zombie
        return ""


def test_a_killed_smoke_is_cleaned_up_by_the_next_run(
    generated: dict[str, Path], open_tmp: Path
) -> None:
    scratch = open_tmp  # as root the apps run as nobody, from copies in it
    run = scaffold_process("smoke", tmp=scratch)
    deadline = time.monotonic() + 120
    servers: list[psutil.Process] = []
    while not servers:  # wait until a server has started
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no server started"
        time.sleep(0.05)
        servers = [
            child
            for child in psutil.Process(run.pid).children(recursive=True)
            if "gunicorn" in process_command(child)
        ]
    time.sleep(0.5)
    servers = psutil.Process(run.pid).children(recursive=True)
    run.kill()  # SIGKILL: no clean-up of its own
    run.communicate()
    assert any(alive(p) for p in servers), "the killed run left its servers"
    assert list(scratch.iterdir()), "and its folders"

    completed = subprocess.run(
        [sys.executable, "-m", "scaffold", "check", generated["flask-hello"]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    said = [x for x in completed.stdout.splitlines() if "interrupted run" in x]
    assert len(said) == 1 and "ended" in said[0] and "removed" in said[0], said
    psutil.wait_procs(servers, timeout=10)
    assert not [p for p in servers if alive(p)], "a server of the killed run lives"
    assert list(scratch.iterdir()) == [], "its folders are gone"
