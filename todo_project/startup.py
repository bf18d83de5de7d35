"""Refuse to start on a broken configuration with one readable line, not a traceback."""

import sys

from django.core.exceptions import ImproperlyConfigured


def exit_on_bad_settings():
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
    except ImproperlyConfigured as exc:
        sys.exit(f"todo_project: configuration error: {exc}")
