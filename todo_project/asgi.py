import os

from django.core.asgi import get_asgi_application

from todo_project.startup import exit_on_bad_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
exit_on_bad_settings()
application = get_asgi_application()
