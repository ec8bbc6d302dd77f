"""The `scaffold` command line."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ScaffoldError
from .generation.answers import collect_answers
from .generation.catalog import (
    choices,
    example_answers_file,
    find_project,
    projects,
    stages,
    unknown_app,
)
from .generation.generate import generate, generate_all, stdin_is_terminal
from .harness.plan import SERVERS
from .leftovers import mark


def answers_file_option(default: str) -> Callable[[Callable[..., Any]], Any]:
    """--answers FILE, saying what is used without it."""
    return click.option(
        "--answers",
        "answers_file",
        type=click.Path(path_type=Path),
        help=f"YAML file of shared answers {default}.",
    )


answers_option = answers_file_option("(see examples/answers.yml)")
data_option = click.option(
    "--data",
    "-d",
    multiple=True,
    metavar="KEY=VALUE",
    help="One answer; repeat it for more. Wins over --answers.",
)
defaults_option = click.option(
    "--defaults", is_flag=True, help="Never ask: use defaults for the rest."
)


class AppChoice(click.Choice[str]):
    """APP: one of the catalog's apps (``extra`` adds e.g. "all"; with
    ``variants``, the variants too, e.g. "accounts", as `compare` shows them).

    A wrong APP keeps scaffold's own one-line message and exit status 1.
    """

    def __init__(self, extra: tuple[str, ...] = (), *, variants: bool = False) -> None:
        self.apps = stages() if variants else choices("app")
        super().__init__((*self.apps, *extra))
        self.extra = extra

    def convert(self, value: Any, param: Any, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        raise ScaffoldError(unknown_app(str(value), self.apps, self.extra))


force_option = click.option(
    "--force",
    is_flag=True,
    help="Add the template's files to DEST even if it is not empty; refuses, "
    "changing nothing, if a file of yours there differs.",
)
overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    help="Like --force, and also replace your files that differ from the template's.",
)


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--version: scaffold's version and its templates' (git describes them)."""
    if not value or ctx.resilient_parsing:
        return
    from .generation.template_source import installed_source

    click.echo(f"scaffold {__version__}, templates {installed_source().label}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version of scaffold and of its templates, and exit.",
)
def cli() -> None:
    """Generate Flask and Django starter projects from one answers file.

    \b
    Example:
      scaffold all build --answers examples/answers.yml
    """


@cli.command("list")
def list_projects() -> None:
    """List the projects scaffold can generate.

    \b
    Example:
      scaffold list
    """
    from .generation.template_source import installed_source

    click.echo(f"Templates {installed_source().label}")
    for project in projects():
        fixed = " ".join(f"{key}=yes" for key in project.answers)
        click.echo(
            f"{project.framework:<7} {project.app:<8} "
            f"templates/{project.template:<21} {fixed + ': ' if fixed else ''}"
            f"{project.summary}"
        )


def generation_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `new` and `all` share: answers, and how to write DEST."""
    for option in reversed(
        (answers_option, data_option, defaults_option, force_option, overwrite_option)
    ):
        command = option(command)
    return command


def _answers_and_flags(
    options: dict[str, Any],
) -> tuple[dict[str, str], dict[str, bool]]:
    """The answers, and the keyword flags of generate() and generate_all()."""
    answers = collect_answers(options["answers_file"], options["data"])
    flags = {
        "force": options["force"],
        "interactive": not options["defaults"] and stdin_is_terminal(),
        "overwrite": options["overwrite"],
    }
    return answers, flags


@cli.command("new")
@click.argument("app", metavar="APP", type=AppChoice())
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--framework",
    "-f",
    type=click.Choice(choices("framework")),
    required=True,
    help="Web framework of the project.",
)
@generation_options
def new(app: str, dest: Path, framework: str, **options: Any) -> None:
    """Generate one project, APP (hello, website or todo), into the folder DEST.

    In a terminal, Copier asks for any answer not given; elsewhere, or with
    --defaults, it uses the defaults and stops if a required answer is missing.

    \b
    Example:
      scaffold new website my-site --framework django --answers examples/answers.yml
    """
    project = find_project(app, framework)
    answers, flags = _answers_and_flags(options)
    generate(project, dest, answers, **flags)
    click.echo(f"Created {project.name} in {dest}")
    click.echo(f"Run it:  cd {dest} && {project.run}")


@cli.command("all")
@click.argument("dest", type=click.Path(path_type=Path))
@generation_options
def all_projects(dest: Path, **options: Any) -> None:
    """Generate every project into DEST/<framework>-<app> from the same answers.

    The to-do comes three times: plain, with accounts in
    <framework>-todo-accounts, and with accounts and the JSON API in
    <framework>-todo-api.

    \b
    Example:
      scaffold all build --answers examples/answers.yml
    """
    answers, flags = _answers_and_flags(options)
    paths = generate_all(dest, answers, **flags)
    for project, path in zip(projects(), paths, strict=True):
        click.echo(f"Created {project.name:<20} {path}  (run: {project.run})")


def project_folders(*, exists: bool) -> Callable[[Callable[..., Any]], Any]:
    """PROJECT_DIR...: one or more generated projects (update, check)."""
    folder = click.Path(exists=exists, file_okay=False, path_type=Path)
    return click.argument(
        "folders", metavar="PROJECT_DIR...", nargs=-1, required=True, type=folder
    )


@cli.command("update")
@project_folders(exists=False)
@click.option(
    "--to",
    metavar="VERSION",
    help="Template version to go to, e.g. 0.2.0 [default: this scaffold's].",
)
@data_option
@click.option("--pretend", is_flag=True, help="Show what would change; write nothing.")
def update(
    folders: tuple[Path, ...], to: str | None, data: tuple[str, ...], pretend: bool
) -> int:
    """Bring generated projects to newer templates, keeping your edits.

    Copier renders the version each project was made from and the new one,
    and applies your edits to the new one. A line both changed is a conflict,
    marked inline in the file. Each project must be a git repository with
    nothing uncommitted. Exit status 0 if clean, 1 if there are conflicts to
    resolve.

    \b
    Examples:
      scaffold update my-site
      scaffold update my-site --pretend --data "description=A new line"
    """
    from .generation.answers import parse_data
    from .generation.update import format_updates, update_projects

    answers = parse_data(data)
    updates = update_projects(folders, to=to, data=answers, pretend=pretend)
    click.echo(format_updates(updates, pretend=pretend))
    return 1 if any(u.conflicts for u in updates) else 0


# smoke and compare: they generate every project for a run of their own.
example_answers_option = answers_file_option("[default: the bundled example answers]")
keep_option = click.option(
    "--keep",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Generate into DIR (new or empty) and keep the projects.",
)
server_option = click.option(
    "--server",
    type=click.Choice([*SERVERS, "container", "procfile"]),
    default="gunicorn",
    show_default=True,
    help="gunicorn, as in production; the framework's development server; the "
    "project's image, built and run by a container engine (container); or its "
    "Procfile, release then web, as a platform runs it (procfile).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["podman", "docker"]),
    help="Container engine for --server container [default: podman if "
    "installed, else docker].",
)
isolated_option = click.option(
    "--isolated",
    is_flag=True,
    help="Serve each project from a new virtual environment holding only the "
    "dependencies it declares (uv if installed, else venv + pip).",
)
junit_option = click.option(
    "--junitxml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results to FILE as JUnit XML, for CI.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="How many projects to boot and check at once [default: two per core].",
)
env_option = click.option(
    "--env",
    "env_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a variable for the projects' servers and prepare commands; repeat "
    "it for more. They get a minimal environment (PATH, HOME, locale, TMPDIR and "
    "what the template declares), never the rest of yours.",
)
pass_env_option = click.option(
    "--pass-env",
    "pass_env",
    multiple=True,
    metavar="NAME",
    help="Pass your variable NAME on to the projects' servers; repeat it for more.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=30,
    show_default=True,
    help="Seconds each server has to answer its first request.",
)

database_url_option = click.option(
    "--database-url",
    metavar="URL",
    help="PostgreSQL server for the projects that use one, e.g. a CI service: "
    "postgresql://user:password@localhost:5432/postgres [default: start a "
    "throwaway server from the PostgreSQL binaries on this machine].",
)


def harness_options(command: Callable[..., int]) -> Callable[..., int]:
    """The options `check` and `smoke` share, in the order --help shows them."""
    for option in (
        engine_option,
        pass_env_option,
        env_option,
        database_url_option,
        jobs_option,
        timeout_option,
        junit_option,
        isolated_option,
    ):
        command = option(command)
    return server_option(command)


def _check(
    folders: Sequence[Path],
    *,
    server: str,
    isolated: bool,
    junitxml: Path | None,
    timeout: float,
    jobs: int | None,
    env_pairs: tuple[str, ...] = (),
    pass_env: tuple[str, ...] = (),
    database_url: str | None,
    engine: str | None = None,
) -> int:
    """Boot and check FOLDERS, print the report; 0 only if every check passed."""
    from .harness.report import counts, format_report, summary, write_junit
    from .harness.run import check_projects  # imported here: the harness is heavy
    from .leftovers import clean_up

    env = _explicit_env(env_pairs, pass_env)
    if cleaned := clean_up():  # servers and folders of a killed earlier run
        click.echo(cleaned)
    reports = check_projects(
        folders,
        server=server,
        isolated=isolated,
        timeout=timeout,
        jobs=jobs,
        env=env,
        database_url=database_url,
        engine=engine,
    )
    click.echo(format_report(reports))
    if junitxml:
        write_junit(reports, junitxml)
        click.echo(f"JUnit XML written to {junitxml}")
    click.echo(summary(reports))
    return 1 if counts(reports)[1] else 0


def _shipping(folders: Sequence[Path], server: str) -> list[Path]:
    """The projects that ship what ``server`` runs (not the Hello Worlds)."""
    from .harness.shipping import ships

    kept = [folder for folder in folders if ships(folder, server)]
    if skipped := [folder.name for folder in folders if folder not in kept]:
        what = "Dockerfile" if server == "container" else "Procfile"
        click.echo(f"Skipped {', '.join(skipped)}: they ship no {what}\n")
    return kept


def _explicit_env(pairs: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """The variables the user chose to give the projects' servers."""
    import os

    env = {}
    for name in names:
        if name not in os.environ:
            raise ScaffoldError(f"--pass-env {name}: no such variable is set")
        env[name] = os.environ[name]
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not key.replace("_", "a").isalnum():
            raise ScaffoldError(f"--env {pair!r} must look like KEY=VALUE")
        env[key] = value
    return env


@cli.command("check")
@project_folders(exists=True)
@harness_options
def check(folders: tuple[Path, ...], **harness: Any) -> int:
    """Boot each generated project under a real server and check its pages.

    Every page the project's template declares must answer as declared, and
    every same-site link, stylesheet, script and image on those pages must
    answer below 400. Exit status 0 only if every check passed.

    Checking a project runs its code (and, with --isolated, installs its
    dependencies, whose build scripts run too): check only projects you trust.
    Its servers get a minimal environment; pass more with --env / --pass-env.
    Servers and folders left by a run that was killed (SIGKILL) are found,
    ended and removed by the next run.

    \b
    Example:
      scaffold check build/flask-website build/django-website --junitxml report.xml
    """
    return _check(folders, **harness)


@cli.command("smoke")
@example_answers_option
@data_option
@keep_option
@click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql", "all"]),
    help="Database of the to-dos; `all` checks them on both [default: the "
    "answers' `database`, else sqlite].",
)
@harness_options
def smoke(
    answers_file: Path | None,
    data: tuple[str, ...],
    keep: Path | None,
    database: str | None,
    **harness: Any,
) -> int:
    """Generate every project and check them all: the CI smoke job.

    Like check, this runs the generated projects' code, with a minimal
    environment (see check --help); a killed run's leftovers are cleaned up by
    the next one.

    \b
    Examples:
      scaffold smoke --answers examples/answers.yml --junitxml smoke.xml
      scaffold smoke --database all
    """
    answers = collect_answers(answers_file or example_answers_file(), data)
    if database in ("sqlite", "postgresql"):
        answers["database"] = database
    with tempfile.TemporaryDirectory(prefix="scaffold-smoke-") as scratch:
        mark(Path(scratch))  # found and removed by the next run if this one is killed
        dest = keep or Path(scratch) / "projects"
        folders = generate_all(dest, answers, force=False, interactive=False)
        if database == "all":  # the to-dos once more, on PostgreSQL
            on_postgresql = {**answers, "database": "postgresql"}
            for framework in choices("framework"):
                folder = dest / f"{framework}-todo-postgresql"
                generate(find_project("todo", framework), folder, on_postgresql)
                folders.append(folder)
        click.echo(f"Generated {len(folders)} projects in {dest}\n")
        if harness["server"] in ("container", "procfile"):
            folders = _shipping(folders, harness["server"])
        return _check(folders, **harness)


@cli.command("compare")
@click.argument("app", metavar="APP", type=AppChoice(extra=("all",), variants=True))
@example_answers_option
@data_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.html",
    help="Write the side-by-side walkthrough page to FILE.html.",
)
@keep_option
@click.option("--force", is_flag=True, help="Replace FILE.html if it exists.")
def compare(
    app: str,
    answers_file: Path | None,
    data: tuple[str, ...],
    out: Path | None,
    keep: Path | None,
    force: bool,
) -> None:
    """Show APP (hello, website, todo, accounts or all) in both frameworks side by side.

    Generates the projects from the answers, then prints, per framework, the
    files, lines of code, entry point and run command. With --out, writes one
    self-contained HTML page: the code of each concept in two columns, and
    what changes from one stage to the next.

    \b
    Examples:
      scaffold compare todo
      scaffold compare all --answers examples/answers.yml --out course.html
    """
    from .compare.page import write_page
    from .compare.walkthrough import build_walkthrough, format_summary

    if out and out.exists() and not force:
        raise ScaffoldError(
            f"{str(out)!r} exists; choose another --out file, or pass --force "
            "to replace it"
        )
    answers = collect_answers(answers_file or example_answers_file(), data)
    with tempfile.TemporaryDirectory(prefix="scaffold-compare-") as scratch:
        mark(Path(scratch))
        walkthrough = build_walkthrough(app, answers, keep or Path(scratch) / "p")
        click.echo(format_summary(walkthrough))
        if out:
            write_page(walkthrough, out)
            click.echo(f"\nWalkthrough written to {out}")
        else:
            click.echo(
                "\nAdd --out FILE.html for the code side by side, concept by concept."
            )


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so the same cleanup runs for both."""

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every user error is one line on stderr and a non-zero exit."""
    try:
        with _sigterm_as_interrupt():
            result = cli.main(args=argv, prog_name="scaffold", standalone_mode=False)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx else "scaffold"
        message = " ".join(error.format_message().split())  # always one line
        click.echo(f"scaffold: error: {message} (see '{where} --help')", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"scaffold: error: {error.format_message()}", err=True)
        return error.exit_code
    except ScaffoldError as error:
        if os.environ.get("SCAFFOLD_DEBUG") == "1":
            traceback.print_exc()
        click.echo(f"scaffold: error: {error}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo(
            "scaffold: interrupted; no half-written project or running server is left",
            err=True,
        )
        return 130
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
