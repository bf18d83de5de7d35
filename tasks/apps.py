from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"

    def ready(self):
        from tasks.lists import give_new_user_an_inbox  # needs the models, ready now

        post_save.connect(
            give_new_user_an_inbox,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="tasks.give_new_user_an_inbox",
        )
