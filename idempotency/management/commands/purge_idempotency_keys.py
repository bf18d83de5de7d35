from django.core.management.base import BaseCommand

from idempotency.services import KEY_LIFETIME, idempotency_purge_expired


class Command(BaseCommand):
    help = f"Delete Idempotency-Key records older than {KEY_LIFETIME} (they no longer apply)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {idempotency_purge_expired()} expired idempotency key(s).")
