"""The todos blueprint: the list pages and the forms that change the list."""

from flask import Blueprint, redirect, render_template, request, url_for

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


def render_list(todo_filter, form, status=200):
    """The list page; two queries, however many todos there are."""
    query = db.select(Todo).where(FILTERS[todo_filter]).order_by(Todo.id)
    todos = db.session.scalars(query).all()
    # One query counts every todo and the active ones.
    count = db.func.count(Todo.id)
    counts = db.select(count, count.filter(FILTERS["active"]))
    total, active = db.session.execute(counts).one()
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


def back_to_list():
    return redirect(url_for(f"todos.{posted_filter()}"))


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
        return render_list(posted_filter(), form, 400)
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
