"""The todos blueprint: the list pages and the forms that change the list."""

import math

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..extensions import db
from .forms import TodoForm
from .models import Todo

# template_folder: this blueprint's templates live in todos/templates/.
bp = Blueprint("todos", __name__, template_folder="templates")

# A todo's id in a URL: a whole number SQLite can hold (64 bits). A larger one
# names no todo, so the route does not match it: a 404, not an overflow.
TODO_ID = f"<int(max={2**63 - 1}):todo_id>"

# The three lists, by the name the URLs and forms use.
FILTERS = {
    "all": db.true(),
    "active": Todo.completed.is_(False),
    "completed": Todo.completed.is_(True),
}

# How many todos a list page shows; ?page=N shows the others.
PER_PAGE = 50


def render_list(todo_filter, form, status=200, page=None):
    """The list page; two queries, however many todos there are."""
    # One query counts every todo and the active ones.
    count = db.func.count(Todo.id)
    counts = db.select(count, count.filter(FILTERS["active"]))
    total, active = db.session.execute(counts).one()
    # One page of the list (?page=N, or `page`): one query. A page number that
    # is not a page of the list answers 404, and so does one too long for the
    # database to skip that many rows. count=False: the counts above already
    # say how many todos the list holds, which gives the number of pages.
    if len(request.args.get("page", "")) > 15:
        abort(404)
    query = db.select(Todo).where(FILTERS[todo_filter]).order_by(Todo.id)
    todos = db.paginate(query, page=page, per_page=PER_PAGE, count=False)
    todos.total = {"all": total, "active": active, "completed": total - active}[
        todo_filter
    ]
    page = render_template(
        "todos/index.html",
        form=form,
        todos=todos,
        total=total,
        active=active,
        current=todo_filter,
    )
    return page, status


def posted_filter():
    """The list the form was posted from (its `filter` field); All if unknown."""
    todo_filter = request.form.get("filter")
    return todo_filter if todo_filter in FILTERS else "all"


def posted_page(todo_filter):
    """The page the form was posted from (its `page` field), or the list's
    last page if that one is gone now."""
    try:
        page = int(request.form.get("page", 1))
    except ValueError:
        page = 1
    count = db.session.scalar(
        db.select(db.func.count(Todo.id)).where(FILTERS[todo_filter])
    )
    last_page = max(1, math.ceil(count / PER_PAGE))
    return page if 1 <= page <= last_page else last_page


def back_to_list():
    """Redirect to the list and page the form was posted from."""
    todo_filter = posted_filter()
    page = posted_page(todo_filter)
    # Page 1 is the list's own URL; url_for leaves out a None argument.
    return redirect(url_for(f"todos.{todo_filter}", page=page if page > 1 else None))


# One view, three URLs, each named after its list (url_for("todos.active")
# gives "/active/"); `defaults` passes that name to the view.
@bp.get("/", endpoint="all", defaults={"todo_filter": "all"})
@bp.get("/active/", endpoint="active", defaults={"todo_filter": "active"})
@bp.get("/completed/", endpoint="completed", defaults={"todo_filter": "completed"})
def index(todo_filter):
    return render_list(todo_filter, TodoForm())


@bp.post("/todos/")
def add():
    form = TodoForm()
    if not form.validate_on_submit():
        # Show the same list again, with the error and what was typed.
        todo_filter = posted_filter()
        return render_list(todo_filter, form, 400, posted_page(todo_filter))
    db.session.add(Todo(title=form.title.data))
    db.session.commit()
    return back_to_list()


@bp.route(f"/todos/{TODO_ID}/edit/", methods=["GET", "POST"])
def edit(todo_id):
    todo = db.get_or_404(Todo, todo_id)  # 404 for an unknown id
    form = TodoForm(obj=todo)  # filled from the todo, or from the POST
    if form.validate_on_submit():
        todo.title = form.title.data
        db.session.commit()
        return redirect(url_for("todos.all"))
    status = 400 if form.errors else 200
    return render_template("todos/edit.html", form=form, todo=todo), status


@bp.post(f"/todos/{TODO_ID}/toggle/")
def toggle(todo_id):
    todo = db.get_or_404(Todo, todo_id)
    todo.completed = not todo.completed
    db.session.commit()
    return back_to_list()


@bp.post(f"/todos/{TODO_ID}/delete/")
def delete(todo_id):
    db.session.delete(db.get_or_404(Todo, todo_id))
    db.session.commit()
    return back_to_list()


@bp.post("/todos/toggle-all/")
def toggle_all():
    # Complete them all, unless all are completed already: then reopen them.
    active = db.session.scalar(
        db.select(db.func.count(Todo.id)).where(FILTERS["active"])
    )
    db.session.execute(db.update(Todo).values(completed=active > 0))
    db.session.commit()
    return back_to_list()


@bp.post("/todos/clear-completed/")
def clear_completed():
    db.session.execute(db.delete(Todo).where(FILTERS["completed"]))
    db.session.commit()
    return back_to_list()
