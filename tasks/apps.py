from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


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
