"""The task list filtered on completion alone: the shape of most list requests, made cheap.

A list whose only parameters are `status`, `sort`, `page` and `page_size`
matches a number of tasks that TaskCounts holds, and its page is one of a
few dozen statements (a status and a sort), compiled once (CompiledPages).
The rows and the validation are the queryset path's: each shape's queryset
is built with TaskFilter itself, and so is each verdict on the parameters.
"""

from django_filters.utils import translate_validation

from tasks.filters import TaskFilter
from tasks.models import Task
from tasks.serializers import REPRESENTED_COLUMNS
from todo_project.compiled_pages import CompiledPages

COUNTED_LIST_PARAMETERS = {"status", "sort", "page", "page_size"}

# (status values given, sort values given) -> (status, sort), for valid pairs only.
_valid_shapes = {((), ()): ("", "")}


def list_shape(params) -> tuple[str, str]:
    """The list's (status, sort), "" where not given, validated as the filters validate them.

    The verdict depends on the two parameters' values alone, and a filter set
    costs more to build than the rest of the request: a valid pair, one of a
    few dozen, is remembered. An invalid one is a 400 naming the parameter.
    """
    given = (tuple(params.getlist("status")), tuple(params.getlist("sort")))
    shape = _valid_shapes.get(given)
    if shape is None:
        filterset = TaskFilter(params, queryset=Task.objects.none())
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        values = filterset.form.cleaned_data
        shape = _valid_shapes[given] = (values["status"], values["sort"])
    return shape


def shaped_task_list(shape: tuple[str, str], owner_id):
    """The owner's tasks with this (status, sort), through the list's own filters."""
    status, sort = shape
    params = {name: value for name, value in (("status", status), ("sort", sort)) if value}
    tasks = Task.objects.owned_by_id(owner_id)
    if params:
        tasks = TaskFilter(params, queryset=tasks).qs
    return tasks.values(*REPRESENTED_COLUMNS)


TASK_PAGES = CompiledPages(Task._meta.get_field("user"), shaped_task_list)
