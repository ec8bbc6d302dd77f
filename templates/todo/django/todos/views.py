"""The todos app's views: the list pages and the forms that change the list."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import TodoForm
from .models import Todo

# The three lists, by the name the URLs and forms use.
FILTERS = {
    "all": Q(),
    "active": Q(completed=False),
    "completed": Q(completed=True),
}


def render_list(request, todo_filter, form, status=200):
    """The list page; two queries, however many todos there are."""
    todos = Todo.objects.filter(FILTERS[todo_filter])  # run as the page renders
    # One query counts every todo and the active ones.
    counts = Todo.objects.aggregate(
        total=Count("id"), active=Count("id", filter=FILTERS["active"])
    )
    context = {"todos": todos, "form": form, "current": todo_filter, **counts}
    return render(request, "todos/index.html", context, status=status)


def posted_filter(request):
    """The list the form was posted from (its `filter` field); All if unknown."""
    todo_filter = request.POST.get("filter")
    return todo_filter if todo_filter in FILTERS else "all"


def back_to_list(request):
    return redirect(f"todos:{posted_filter(request)}")


# One view, three URLs: urls.py passes the filter's name to the view.
@require_GET  # (and HEAD) any other method gets 405, as in Flask
def index(request, todo_filter):
    return render_list(request, todo_filter, TodoForm())


@require_POST  # any other method gets 405
def add(request):
    form = TodoForm(request.POST)
    if not form.is_valid():
        # Show the same list again, with the error and what was typed.
        return render_list(request, posted_filter(request), form, 400)
    form.save()
    return back_to_list(request)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    todo = get_object_or_404(Todo, pk=pk)  # 404 for an unknown id
    if request.method == "POST":
        form = TodoForm(request.POST, instance=todo)
        if form.is_valid():
            form.save()
            return redirect("todos:all")
        status = 400
    else:
        form = TodoForm(instance=todo)  # filled from the todo
        status = 200
    return render(
        request, "todos/edit.html", {"form": form, "todo": todo}, status=status
    )


@require_POST
def toggle(request, pk):
    todo = get_object_or_404(Todo, pk=pk)
    todo.completed = not todo.completed
    todo.save(update_fields=["completed"])
    return back_to_list(request)


@require_POST
def delete(request, pk):
    get_object_or_404(Todo, pk=pk).delete()
    return back_to_list(request)


@require_POST
def toggle_all(request):
    # Complete them all, unless all are completed already: then reopen them.
    active = Todo.objects.filter(FILTERS["active"]).count()
    Todo.objects.update(completed=active > 0)
    return back_to_list(request)


@require_POST
def clear_completed(request):
    Todo.objects.filter(FILTERS["completed"]).delete()
    return back_to_list(request)
