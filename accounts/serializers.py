from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import TIME_ZONE_MAX_LENGTH, User, time_zone_names
from api.fields import EmailTextField, TextField

PASSWORD_MAX_LENGTH = 128


class PasswordField(TextField):
    """A password, as typed: never trimmed."""

    def __init__(self, **kwargs):
        super().__init__(
            write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH, **kwargs
        )


class NewPasswordField(PasswordField):
    """A password being chosen: checked by Django's validators in the accounts service.

    The schema shows the minimum length they ask for.
    """

    @property
    def schema_min_length(self) -> int | None:
        lengths = [
            validator.min_length
            for validator in get_default_password_validators()
            if isinstance(validator, MinimumLengthValidator)
        ]
        return max(lengths, default=None)


class TimeZoneField(TextField):
    """An IANA time zone name, in any letter case; kept as IANA spells it."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            'An IANA time zone name ("Europe/Paris", "America/New_York", "UTC"): where '
            '"today", "overdue", all-day dates and recurrences are reckoned.',
        )
        super().__init__(max_length=TIME_ZONE_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        name = time_zone_names().get(super().to_internal_value(data).lower())
        if name is None:
            raise serializers.ValidationError("Not an IANA time zone name.")
        return name


class UserSerializer(serializers.ModelSerializer):
    # Declared so the model's exact-match unique validator is not generated:
    # uniqueness is case-insensitive and checked by the accounts service.
    email = EmailTextField(max_length=254)
    name = TextField(max_length=150, allow_blank=True, required=False)
    time_zone = TimeZoneField(required=False)
    # Needed to change the email (accounts.services.user_update_profile).
    current_password = PasswordField(required=False)

    class Meta:
        model = User
        fields = ["id", "email", "name", "time_zone", "date_joined", "current_password"]
        read_only_fields = ["id", "date_joined"]

    def to_representation(self, user):
        # A user signed in by another issuer has the address it gives, not a login.
        return {**super().to_representation(user), "email": user.contact_email}


class RegisterSerializer(serializers.Serializer):
    """Reports every field's errors at once: the password is judged by Django's validators
    even when another field is invalid (the accounts service judges it again, with the
    email taken or not, when every field is valid)."""

    email = EmailTextField(max_length=254)
    password = NewPasswordField()
    name = TextField(max_length=150, required=False, allow_blank=True, default="")
    # Left out: UTC (accounts.services.user_register). No `default=` here: a
    # schema default makes generated TypeScript types require the field.
    time_zone = TimeZoneField(required=False)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
            password = data.get("password") if isinstance(data, dict) else None
            if "password" not in errors and isinstance(password, str):
                candidate = User(
                    email=data.get("email") if isinstance(data.get("email"), str) else "",
                    name=data.get("name") if isinstance(data.get("name"), str) else "",
                )
                try:
                    validate_password(password, user=candidate)
                except DjangoValidationError as invalid:
                    errors["password"] = invalid.messages
            raise serializers.ValidationError(errors) from exc


class LoginSerializer(serializers.Serializer):
    email = TextField(max_length=254)
    password = PasswordField()


class RefreshSerializer(serializers.Serializer):
    refresh = TextField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = PasswordField()
    new_password = NewPasswordField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResponseSerializer(TokenPairSerializer):
    user = UserSerializer()


class AccountDeletionSerializer(serializers.Serializer):
    password = PasswordField()
