"""Task lists: every user gets an Inbox, and every task is moved into its owner's.

Then `tasks_task.list_id` becomes NOT NULL. On SQLite, Django makes that
change by building the table anew, which drops its triggers: the TaskCounts
triggers of migration 0004 are created again afterwards.
"""

import importlib

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import uuid
from django.conf import settings
from django.db import migrations, models


task_counts = importlib.import_module("tasks.migrations.0004_task_counts")


def give_inboxes(apps, schema_editor):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    TaskList = apps.get_model("tasks", "TaskList")
    Task = apps.get_model("tasks", "Task")
    has_inbox = TaskList.objects.filter(is_inbox=True).values("user_id")
    users = User.objects.exclude(pk__in=has_inbox).values_list("pk", flat=True)
    TaskList.objects.bulk_create(
        (
            TaskList(id=uuid.uuid4(), user_id=pk, name="Inbox", is_inbox=True, position=0)
            for pk in users.iterator()
        ),
        batch_size=1000,
    )
    inbox = TaskList.objects.filter(user_id=models.OuterRef("user_id"), is_inbox=True)
    Task.objects.filter(list__isnull=True).update(list=models.Subquery(inbox.values("id")[:1]))


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*task_counts.SQLITE_DROP, *task_counts.SQLITE_TRIGGERS]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0004_task_counts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskList',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=100)),
                ('color', models.CharField(blank=True, max_length=7, null=True, validators=[django.core.validators.RegexValidator('^#[0-9A-Fa-f]{6}$')])),
                ('position', models.BigIntegerField()),
                ('is_inbox', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='task_lists', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.AddField(
            model_name='task',
            name='list',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='tasks.tasklist'),
        ),
        migrations.RunPython(give_inboxes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='task',
            name='list',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='tasks.tasklist'),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(fields=['list', '-created_at'], name='task_list_created_idx'),
        ),
        migrations.AddIndex(
            model_name='tasklist',
            index=models.Index(fields=['user', 'position'], name='tasklist_user_position_idx'),
        ),
        migrations.AddConstraint(
            model_name='tasklist',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), models.F('user'), name='tasklist_name_unique_ci'),
        ),
        migrations.AddConstraint(
            model_name='tasklist',
            constraint=models.UniqueConstraint(condition=models.Q(('is_inbox', True)), fields=('user',), name='tasklist_one_inbox'),
        ),
        migrations.AddConstraint(
            model_name='tasklist',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='tasklist_name_not_empty'),
        ),
    ]
