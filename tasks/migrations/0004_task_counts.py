"""Per-user task counts, kept by the database.

TaskCounts holds how many tasks each user has and how many are completed.
Triggers on tasks_task keep it exact on every insert, delete and update,
whoever writes; this migration creates them and counts the existing tasks.

PostgreSQL runs them once per statement, on the statement's transition
tables: a statement that changes many tasks (a purge, a cascade, an admin
action) locks the user's count only after it has locked all its tasks, so
it cannot deadlock with a single-task write of the same user. An update that
changes neither owner nor completion changes no count and writes nothing.
SQLite has only row triggers; it has one writer at a time anyway.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRESQL_TRIGGERS = """
CREATE FUNCTION tasks_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tasks_taskcounts AS counts (user_id, total, completed)
    SELECT user_id, count(*), count(*) FILTER (WHERE completed)
    FROM inserted GROUP BY user_id
    ON CONFLICT (user_id) DO UPDATE
    SET total = counts.total + excluded.total, completed = counts.completed + excluded.completed;
    RETURN NULL;
END $$;

CREATE FUNCTION tasks_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks_taskcounts AS counts
    SET total = counts.total - gone.total, completed = counts.completed - gone.completed
    FROM (
        SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS completed
        FROM deleted GROUP BY user_id
    ) AS gone
    WHERE counts.user_id = gone.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION tasks_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A task given to another user: that user may have no row yet.
    INSERT INTO tasks_taskcounts (user_id, total, completed)
    SELECT DISTINCT after_update.user_id, 0, 0
    FROM after_update JOIN before_update USING (id)
    WHERE after_update.user_id <> before_update.user_id
    ON CONFLICT (user_id) DO NOTHING;

    UPDATE tasks_taskcounts AS counts
    SET total = counts.total + change.total, completed = counts.completed + change.completed
    FROM (
        SELECT user_id, sum(total) AS total, sum(completed) AS completed
        FROM (
            SELECT user_id, -1 AS total, -completed::integer AS completed FROM before_update
            UNION ALL
            SELECT user_id, 1, completed::integer FROM after_update
        ) AS moves
        GROUP BY user_id
        HAVING sum(total) <> 0 OR sum(completed) <> 0
    ) AS change
    WHERE counts.user_id = change.user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks_task
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_counts_inserted();
CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks_task
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_counts_deleted();
CREATE TRIGGER tasks_counts_update AFTER UPDATE ON tasks_task
    REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_counts_updated();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS tasks_counts_insert ON tasks_task;
DROP TRIGGER IF EXISTS tasks_counts_delete ON tasks_task;
DROP TRIGGER IF EXISTS tasks_counts_update ON tasks_task;
DROP FUNCTION IF EXISTS tasks_counts_inserted();
DROP FUNCTION IF EXISTS tasks_counts_deleted();
DROP FUNCTION IF EXISTS tasks_counts_updated();
"""

# Booleans are the integers 0 and 1 in SQLite. No INSERT OR IGNORE: inside a
# trigger, the conflict policy of the statement that fired it replaces it.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks_task
    BEGIN
        INSERT INTO tasks_taskcounts (user_id, total, completed)
        SELECT NEW.user_id, 0, 0
        WHERE NOT EXISTS (SELECT 1 FROM tasks_taskcounts WHERE user_id = NEW.user_id);
        UPDATE tasks_taskcounts SET total = total + 1, completed = completed + NEW.completed
        WHERE user_id = NEW.user_id;
    END
    """,
    """
    CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks_task
    BEGIN
        UPDATE tasks_taskcounts SET total = total - 1, completed = completed - OLD.completed
        WHERE user_id = OLD.user_id;
    END
    """,
    """
    CREATE TRIGGER tasks_counts_update AFTER UPDATE OF user_id, completed ON tasks_task
    WHEN OLD.user_id IS NOT NEW.user_id OR OLD.completed IS NOT NEW.completed
    BEGIN
        UPDATE tasks_taskcounts SET total = total - 1, completed = completed - OLD.completed
        WHERE user_id = OLD.user_id;
        INSERT INTO tasks_taskcounts (user_id, total, completed)
        SELECT NEW.user_id, 0, 0
        WHERE NOT EXISTS (SELECT 1 FROM tasks_taskcounts WHERE user_id = NEW.user_id);
        UPDATE tasks_taskcounts SET total = total + 1, completed = completed + NEW.completed
        WHERE user_id = NEW.user_id;
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tasks_counts_insert",
    "DROP TRIGGER IF EXISTS tasks_counts_delete",
    "DROP TRIGGER IF EXISTS tasks_counts_update",
]

COUNT_EXISTING_TASKS = """
INSERT INTO tasks_taskcounts (user_id, total, completed)
SELECT user_id, COUNT(*), SUM(CASE WHEN completed THEN 1 ELSE 0 END)
FROM tasks_task GROUP BY user_id
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGERS)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No task count triggers for {vendor}.")
    schema_editor.execute(COUNT_EXISTING_TASKS)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tasks", "0003_task_search_trigram_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskCounts",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="task_counts",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0)),
                ("completed", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name_plural": "task counts",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
