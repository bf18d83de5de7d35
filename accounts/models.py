"""The user: an email address is the login, a UUID the public identifier."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connections, models
from django.db.models.functions import Lower
from django.utils import timezone

from api.rows import python_rows

# The user by id, read for every authenticated request: plain SQL, written
# once (building a queryset's SQL costs more than the database takes to
# answer). The columns are the model's concrete fields, in their order; a
# test holds the user it reads equal to the queryset's.
USER_BY_ID = (
    'SELECT "password", "last_login", "is_superuser", "id", "email", "name", "is_active", '
    '"is_staff", "date_joined" FROM "accounts_user" WHERE "id" = %s'
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
]


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
        connection = connections[self.db]
        [user_id] = kwargs.values()
        key = self.model._meta.pk.get_db_prep_value(user_id, connection)
        with connection.cursor() as cursor:
            cursor.execute(USER_BY_ID, [key])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist("User matching query does not exist.")
        fields = [self.model._meta.get_field(name) for name in USER_FIELD_NAMES]
        [values] = python_rows([row], fields, connection)
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
    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email
