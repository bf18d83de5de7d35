"""The user: an email address is the login, a UUID the public identifier.

A user signed in by another issuer (settings.EXTERNAL_JWT) has no password
and no login email: it is found by its identity at that issuer,
(external_issuer, external_subject), never by email, and the address the
issuer gives for it is kept apart (external_email), so it can be one an
account with a password also has.
"""

import uuid
import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from api.rows import python_rows

# The user by id or by external identity, read for every authenticated
# request: plain SQL, written once (building a queryset's SQL costs more than
# the database takes to answer). The columns are the model's concrete
# fields, in their order; tests hold the users read equal to the queryset's.
USER_COLUMNS = (
    '"password", "last_login", "is_superuser", "id", "email", "name", "is_active", '
    '"is_staff", "date_joined", "external_issuer", "external_subject", "external_email", '
    '"time_zone"'
)
USER_BY_ID = f'SELECT {USER_COLUMNS} FROM "accounts_user" WHERE "id" = %s'  # noqa: S608
USER_BY_IDENTITY = (
    f'SELECT {USER_COLUMNS} FROM "accounts_user" '  # noqa: S608 - fixed columns
    'WHERE "external_issuer" = %s AND "external_subject" = %s'
)
USER_FIELD_NAMES = [
    "password",
    "last_login",
    "is_superuser",
    "id",
    "email",
    "name",
    "is_active",
    "is_staff",
    "date_joined",
    "external_issuer",
    "external_subject",
    "external_email",
    "time_zone",
]


DEFAULT_TIME_ZONE = "UTC"
TIME_ZONE_MAX_LENGTH = 64


@cache
def time_zone_names() -> dict[str, str]:
    """Every IANA time zone name (the tzdata package's, whatever the machine has),
    by its lower-case spelling: a name is accepted in any case and kept as IANA spells it."""
    # Not zones: the system's own setting and a placeholder of the database.
    names = zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"}
    return {name.lower(): name for name in names}


def normalize_email(email: str) -> str:
    # Addresses are compared case-insensitively everywhere, so they are
    # stored in one case and "Ann@x.org" and "ann@X.org" are the same user.
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))

    def get(self, *args, **kwargs):
        """`get(id=...)` (or `pk=`) is USER_BY_ID; any other lookup is the queryset's.

        simplejwt's authentication reads every request's user this way.
        Same answers as the queryset: the user, DoesNotExist, or the
        ValidationError of a value that cannot be a UUID. Migrations' historical
        models, whose fields may differ, always take the queryset.
        """
        if self.model is not User or args or len(kwargs) != 1 or not kwargs.keys() <= {"id", "pk"}:
            return super().get(*args, **kwargs)
        [user_id] = kwargs.values()
        key = self.model._meta.pk.get_db_prep_value(user_id, connections[self.db])
        user = self._read(USER_BY_ID, [key])
        if user is None:
            raise self.model.DoesNotExist("User matching query does not exist.")
        return user

    def get_by_identity(self, issuer: str, subject: str):
        """The user another issuer knows by this subject (USER_BY_IDENTITY), or None."""
        return self._read(USER_BY_IDENTITY, [issuer, subject])

    def _read(self, sql: str, params: list):
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        [values] = python_rows([row], USER_FIELDS, connection)
        return self.model.from_db(self.db, USER_FIELD_NAMES, values)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The login; none for a user signed in by another issuer.
    email = models.EmailField("email address", max_length=254, unique=True, null=True, blank=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Who signs this user in when it is not this service: the issuer (its
    # URL, or "shared-secret") and the user's id there (both or neither), and
    # the address the issuer gives for the user.
    external_issuer = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001
    external_subject = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001
    external_email = models.EmailField(max_length=254, blank=True, editable=False)
    # An IANA name (time_zone_names): where "today", "overdue" and all-day
    # dates are reckoned for this user. A default in the database too, so
    # that rows written without it (in bulk, say) have one.
    time_zone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH, default=DEFAULT_TIME_ZONE, db_default=DEFAULT_TIME_ZONE
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(
                fields=["external_issuer", "external_subject"], name="user_external_identity"
            ),
            models.CheckConstraint(
                condition=Q(external_issuer__isnull=True, external_subject__isnull=True)
                | Q(external_issuer__isnull=False, external_subject__isnull=False),
                name="user_external_identity_whole",
            ),
            # An account with a password logs in with its email.
            models.CheckConstraint(
                condition=Q(external_issuer__isnull=False)
                | (Q(email__isnull=False) & ~Q(email="")),
                name="user_local_has_email",
            ),
        ]

    @property
    def is_external(self) -> bool:
        return self.external_issuer is not None

    def __str__(self):
        return (
            self.email or self.external_email or f"{self.external_subject} ({self.external_issuer})"
        )

    @property
    def contact_email(self) -> str:
        """The user's address: the login, or the one the issuer gives."""
        return self.email or self.external_email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email) if self.email else None
        if not self.email and not self.is_external:
            raise ValidationError({"email": "An account with a password needs an email address."})

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email) if self.email else None
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name or str(self)

    def get_short_name(self):
        return self.name or str(self)


# The fields behind USER_FIELD_NAMES, for reading the plain SQL's rows.
USER_FIELDS = [User._meta.get_field(name) for name in USER_FIELD_NAMES]


class PasswordFailures(models.Model):
    """Failed password checks of one bucket in its current window (accounts.lockout)."""

    bucket = models.CharField(max_length=100, primary_key=True)
    failures = models.PositiveIntegerField()
    window_ends = models.BigIntegerField(help_text="Unix time at which the count starts again.")

    class Meta:
        verbose_name_plural = "password failures"

    def __str__(self):
        return f"{self.bucket}: {self.failures}"
