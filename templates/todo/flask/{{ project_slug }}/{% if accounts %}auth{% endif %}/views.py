"""The auth blueprint: sign up, log in, log out, the account page, and the
`flask create-user` command."""

import ipaddress
from datetime import UTC, datetime, timedelta

import click
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from ..extensions import db
from .forms import USERNAME_TAKEN, LoginForm, SignupForm
from .models import FailedLogin, User, new_session_token

# template_folder: this blueprint's templates live in auth/templates/.
# cli_group=None: its command is `flask create-user`, not `flask auth ...`.
bp = Blueprint(
    "auth",
    __name__,
    url_prefix="/accounts",
    template_folder="templates",
    cli_group=None,
)

# Flask-Login keeps the logged-in user's get_id() in the session (a token,
# models.py), loads that user
# for every request as `current_user`, and sends visitors who are not logged
# in from a login_required view to auth.login, with the page they asked for
# in `next`. create_app() binds it to the app.
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page says it all

# The same answer whether the username is unknown or the password wrong.
LOGIN_ERROR = (
    "Please enter a correct username and password. "
    "Note that both fields may be case-sensitive."
)
# Five refused log-ins of one username from one address lock that pair out
# for 15 minutes, even with the right password: guessing takes too long.
FAILURE_LIMIT = 5
COOL_OFF = timedelta(minutes=15)


@login_manager.user_loader
def load_user(session_token):
    return db.session.scalar(db.select(User).filter_by(session_token=session_token))


def authenticate(username, password):
    """The user with this username and password, or None."""
    user = db.session.scalar(db.select(User).filter_by(username=username))
    if user is None:
        # Hash the password anyway, so the time taken does not tell whether
        # the username exists.
        User().set_password(password)
        return None
    return user if user.check_password(password) else None


def log_in(user):
    # A fresh session: nothing from before the log-in (which someone else
    # may have planted in this browser) carries over into the user's.
    session.clear()
    login_user(user)


def safe_next():
    """The page to go to after logging in: `next` if it is on this site."""
    target = request.args.get("next", "")
    # Browsers drop tabs and newlines and read "\" as "/": "/\evil.example"
    # would take the user to another site, like "//evil.example".
    target = "".join(c for c in target if c.isprintable()).replace("\\", "/")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("todos.all")


def client_address():
    """The address a log-in comes from: lockouts count failures per address.

    Behind a proxy (BEHIND_PROXY) every request comes from the proxy, which
    adds the address it saw to X-Forwarded-For: the last entry is that one,
    the others are whatever the visitor sent. Without the switch the header
    counts for nothing, and neither does anything that is not an address.
    """
    address = request.remote_addr or ""
    if current_app.config["BEHIND_PROXY"]:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        try:
            address = str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return address


def recent_failures(username, address):
    since = datetime.now(UTC) - COOL_OFF
    failures = db.select(db.func.count(FailedLogin.id)).where(
        FailedLogin.username == username,
        FailedLogin.ip_address == address,
        FailedLogin.at > since,
    )
    return db.session.scalar(failures)


def locked_out():
    return render_template("auth/locked_out.html"), 429


@bp.route("/signup/", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        user = User(username=form.username.data)
        user.set_password(form.password1.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            # Someone took the name between the form's check and now.
            db.session.rollback()
            form.username.errors.append(USERNAME_TAKEN)
        else:
            log_in(user)
            return redirect(url_for("todos.all"))
    status = 400 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login/", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data, client_address()
        if recent_failures(username, address) >= FAILURE_LIMIT:
            return locked_out()
        user = authenticate(username, form.password.data)
        if user is not None:
            # Logged in: earlier failures no longer count against the user.
            forget = db.delete(FailedLogin).filter_by(
                username=username, ip_address=address
            )
            db.session.execute(forget)
            db.session.commit()
            log_in(user)
            return redirect(safe_next())
        db.session.add(FailedLogin(username=username, ip_address=address))
        db.session.commit()
        if recent_failures(username, address) >= FAILURE_LIMIT:
            return locked_out()
        form.form_errors.append(LOGIN_ERROR)
    return render_template("auth/login.html", form=form)


@bp.post("/logout/")
def logout():
    if current_user.is_authenticated:
        # A new token: the session cookie, and any copy of it, names no one.
        current_user.session_token = new_session_token()
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/")
@login_required
def account():
    return render_template("auth/account.html", user=current_user)


@bp.cli.command("create-user")
@click.argument("username")
@click.password_option(help="The password; asked for if not given.")
def create_user(username, password):
    """Add a user who can log in, with the same rules as the sign-up page."""
    typed = {"username": username, "password1": password, "password2": password}
    # The sign-up form checks the answers, as if typed on the page.
    form = SignupForm(formdata=MultiDict(typed), meta={"csrf": False})
    if not form.validate():
        problems = [error for errors in form.errors.values() for error in errors]
        raise click.ClickException(" ".join(problems))
    user = User(username=form.username.data)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created user {user.username!r}.")
