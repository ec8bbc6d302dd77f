"""The `scaffold` command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from . import __version__
from .answers import collect_answers
from .catalog import FRAMEWORKS, PROJECTS, find_project
from .errors import ScaffoldError
from .generate import generate, generate_all, stdin_is_terminal

answers_option = click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path),
    help="YAML file of shared answers (see examples/answers.yml).",
)
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
force_option = click.option(
    "--force", is_flag=True, help="Write into DEST even if it is not empty."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scaffold")
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
    for project in PROJECTS:
        click.echo(
            f"{project.framework:<7} {project.app:<8} "
            f"templates/{project.template:<21} {project.summary}"
        )


@cli.command("new")
@click.argument("app", metavar="APP")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--framework",
    "-f",
    type=click.Choice(FRAMEWORKS),
    required=True,
    help="Web framework of the project.",
)
@answers_option
@data_option
@defaults_option
@force_option
def new(
    app: str,
    dest: Path,
    framework: str,
    answers_file: Path | None,
    data: tuple[str, ...],
    defaults: bool,
    force: bool,
) -> None:
    """Generate one project, APP (hello or website), into the folder DEST.

    In a terminal, Copier asks for any answer not given; elsewhere, or with
    --defaults, it uses the defaults and stops if a required answer is missing.

    \b
    Example:
      scaffold new website my-site --framework django --answers examples/answers.yml
    """
    project = find_project(app, framework)
    answers = collect_answers(answers_file, data)
    generate(
        project,
        dest,
        answers,
        force=force,
        interactive=not defaults and stdin_is_terminal(),
    )
    click.echo(f"Created {project.name} in {dest}")
    click.echo(f"Run it:  cd {dest} && {project.run}")


@cli.command("all")
@click.argument("dest", type=click.Path(path_type=Path))
@answers_option
@data_option
@defaults_option
@force_option
def all_projects(
    dest: Path,
    answers_file: Path | None,
    data: tuple[str, ...],
    defaults: bool,
    force: bool,
) -> None:
    """Generate every project into DEST/<framework>-<app> from the same answers.

    \b
    Example:
      scaffold all build --answers examples/answers.yml
    """
    answers = collect_answers(answers_file, data)
    paths = generate_all(
        dest, answers, force=force, interactive=not defaults and stdin_is_terminal()
    )
    for project, path in zip(PROJECTS, paths, strict=True):
        click.echo(f"Created {project.name:<15} {path}  (run: {project.run})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every user error is one line on stderr and a non-zero exit."""
    try:
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
        click.echo(f"scaffold: error: {error}", err=True)
        return 1
    except click.Abort:
        click.echo("scaffold: interrupted; nothing was kept", err=True)
        return 130
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
