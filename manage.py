#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings")
    from django.core.management import execute_from_command_line

    from todo_project.startup import exit_on_bad_settings

    exit_on_bad_settings()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
