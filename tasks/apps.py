from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate, post_save


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"

    def ready(self):
        # Both need the models, ready now.
        from tasks.lists import give_new_user_an_inbox
        from tasks.models import follow_owner_time_zone

        post_save.connect(
            give_new_user_an_inbox,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="tasks.give_new_user_an_inbox",
        )
        post_save.connect(
            follow_owner_time_zone,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="tasks.follow_owner_time_zone",
        )
        # The worker's jobs, registered with the queue (run_huey looks for
        # modules named "tasks" only).
        from tasks import jobs  # noqa: F401

        post_migrate.connect(
            create_queue_tables, sender=self, dispatch_uid="tasks.create_queue_tables"
        )


def create_queue_tables(**kwargs):
    """`migrate` makes the job queue's tables too, where it keeps them in the
    database (PostgreSQL; SQLite's queue file and Redis make their own)."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import PostgresStorage

    if isinstance(HUEY.storage, PostgresStorage):
        HUEY.storage.initialize_schema()
