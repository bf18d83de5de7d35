from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from rest_framework import serializers

from accounts.models import User
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


class UserSerializer(serializers.ModelSerializer):
    # Declared so the model's exact-match unique validator is not generated:
    # uniqueness is case-insensitive and checked by the accounts service.
    email = EmailTextField(max_length=254)
    name = TextField(max_length=150, allow_blank=True, required=False)

    class Meta:
        model = User
        fields = ["id", "email", "name", "date_joined"]
        read_only_fields = ["id", "date_joined"]

    def to_representation(self, user):
        # A user signed in by another issuer has the address it gives, not a login.
        return {**super().to_representation(user), "email": user.contact_email}


class RegisterSerializer(serializers.Serializer):
    email = EmailTextField(max_length=254)
    password = NewPasswordField()
    name = TextField(max_length=150, required=False, allow_blank=True, default="")


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
