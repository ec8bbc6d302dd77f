"""The todos app's views: the list pages and the forms that change the list."""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import TodoForm
from .models import Todo

# The three lists, by the name the URLs and forms use.
FILTERS = {
    "all": Q(),
    "active": Q(completed=False),
    "completed": Q(completed=True),
}

# How many todos a list page shows; ?page=N shows the others.
PER_PAGE = 50


def render_list(request, todo_filter, form, status=200, page=None):
    """The list page; two queries, however many todos there are."""
    # One query counts every todo and the active ones.
    counts = Todo.objects.aggregate(
        total=Count("id"), active=Count("id", filter=FILTERS["active"])
    )
    # One page of the list (?page=N, or `page`): one query. A page number that
    # is not a page of the list answers 404. The counts above already say how
    # many todos the list holds: the paginator need not count them again.
    paginator = Paginator(Todo.objects.filter(FILTERS[todo_filter]), PER_PAGE)
    total, active = counts["total"], counts["active"]
    paginator.count = {"all": total, "active": active, "completed": total - active}[
        todo_filter
    ]
    try:
        todos = paginator.page(page or request.GET.get("page", 1))
    except InvalidPage:
        raise Http404("No such page") from None
    context = {"todos": todos, "form": form, "current": todo_filter, **counts}
    return render(request, "todos/index.html", context, status=status)


def posted_filter(request):
    """The list the form was posted from (its `filter` field); All if unknown."""
    todo_filter = request.POST.get("filter")
    return todo_filter if todo_filter in FILTERS else "all"


def posted_page(request, todo_filter):
    """The page the form was posted from (its `page` field), or the list's
    last page if that one is gone now."""
    paginator = Paginator(Todo.objects.filter(FILTERS[todo_filter]), PER_PAGE)
    return paginator.get_page(request.POST.get("page")).number


def back_to_list(request):
    """Redirect to the list and page the form was posted from."""
    todo_filter = posted_filter(request)
    page = posted_page(request, todo_filter)
    url = reverse(f"todos:{todo_filter}")  # page 1 is the list's own URL
    return redirect(f"{url}?page={page}" if page > 1 else url)


# One view, three URLs: urls.py passes the filter's name to the view.
@require_GET  # (and HEAD) any other method gets 405, as in Flask
def index(request, todo_filter):
    return render_list(request, todo_filter, TodoForm())


@require_POST  # any other method gets 405
def add(request):
    form = TodoForm(request.POST)
    if not form.is_valid():
        # Show the same list again, with the error and what was typed.
        todo_filter = posted_filter(request)
        page = posted_page(request, todo_filter)
        return render_list(request, todo_filter, form, 400, page)
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
