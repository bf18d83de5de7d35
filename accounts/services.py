"""Account actions that take more than one step: registration, logging in, passwords,
and the users that other issuers sign in (tokens themselves: accounts.tokens)."""

import time

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from rest_framework import exceptions

from accounts.lockout import password_confirmed
from accounts.models import DEFAULT_TIME_ZONE, User, normalize_email
from accounts.tokens import tokens_for_user, user_revoke_all_tokens

EMAIL_TAKEN = "An account with this email address already exists."
WRONG_PASSWORD = "The password is incorrect."  # noqa: S105 - a message
CURRENT_PASSWORD_NEEDED = "Changing the email address needs the current password."  # noqa: S105


def user_register(
    *, email: str, password: str, name: str = "", time_zone: str = DEFAULT_TIME_ZONE
) -> User:
    """Create an account; the password is checked against Django's validators."""
    user = User(email=normalize_email(email), name=name, time_zone=time_zone)
    errors = {}
    if _email_taken(user.email):
        errors["email"] = [EMAIL_TAKEN]
    try:
        _validate_password(password, user=user, field="password")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    _save_unique_email(user, force_insert=True)
    return user


def user_update_profile(
    *,
    request,
    user: User,
    email: str | None = None,
    name: str | None = None,
    time_zone: str | None = None,
    current_password: str | None = None,
) -> User:
    """Change the name, the time zone, or the email: that needs the current password,
    checked first, so that a stolen access token can neither take the account nor
    learn which addresses have one."""
    if user.is_external:
        # The issuer's claims set them, at every change (user_for_external_token).
        given = [field for field, value in (("email", email), ("name", name)) if value is not None]
        if given:
            raise ValidationError(
                {field: [MANAGED_BY_ISSUER.format(field=field)] for field in given}
            )
        # The time zone is the user's own setting here, whoever signs them in.
        if time_zone is not None:
            user.time_zone = time_zone
            user.save(update_fields=["time_zone"])
        return user
    if email is not None and normalize_email(email) != user.email:
        if current_password is None:
            raise ValidationError({"current_password": [CURRENT_PASSWORD_NEEDED]})
        if not password_confirmed(request, user, current_password):
            raise ValidationError({"current_password": [WRONG_PASSWORD]})
        if _email_taken(normalize_email(email), exclude=user):
            raise ValidationError({"email": [EMAIL_TAKEN]})
        user.email = email
    if name is not None:
        user.name = name
    if time_zone is not None:
        user.time_zone = time_zone
    _save_unique_email(user, update_fields=["email", "name", "time_zone"])
    return user


def _email_taken(email: str, exclude: User | None = None) -> bool:
    others = User.objects.filter(email=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def _save_unique_email(user: User, **save_kwargs) -> None:
    try:
        with transaction.atomic():
            user.save(**save_kwargs)
    except IntegrityError as exc:
        # Two requests racing for one address: the database's unique index
        # decides, and the loser gets the same answer as a taken address.
        raise ValidationError({"email": [EMAIL_TAKEN]}) from exc


def _validate_password(password: str, *, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class InvalidCredentials(exceptions.AuthenticationFailed):
    # One message whether or not the address exists, so the endpoint does
    # not tell which addresses have accounts.
    default_detail = "Incorrect email or password."
    default_code = "invalid_credentials"


def user_log_in(*, request, email: str, password: str) -> tuple[User, dict[str, str]]:
    """Check the credentials (inactive users are refused) and issue a token pair.

    Within the failed-attempt limits (accounts.backends): past them, a 429."""
    user = authenticate(request, email=email, password=password)
    if user is None:
        raise InvalidCredentials()
    update_last_login(None, user)
    return user, tokens_for_user(user)


def user_change_password(
    *, request, user: User, old_password: str, new_password: str
) -> dict[str, str]:
    """Change the password, revoke every earlier token and issue a fresh pair."""
    if not password_confirmed(request, user, old_password):
        raise ValidationError({"old_password": ["The current password is incorrect."]})
    _validate_password(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        user_revoke_all_tokens(user=user)
    return tokens_for_user(user)


def user_delete_account(*, request, user: User, password: str) -> None:
    """Delete the user and, by cascade, their tasks; their tokens stop working."""
    if not password_confirmed(request, user, password):
        raise ValidationError({"password": [WRONG_PASSWORD]})
    with transaction.atomic():
        # Blacklisted first: the blacklist outlives the user (its rows keep
        # the token ids), so a refresh token stolen earlier stays refused.
        user_revoke_all_tokens(user=user)
        user.delete()


# --- Users signed in by another issuer ----------------------------------------

NAME_MAX_LENGTH = User._meta.get_field("name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("external_email").max_length
MANAGED_BY_ISSUER = "This account signs in through another service, which manages its {field}."
# Such a user has no password to confirm the deletion of the account with:
# the token must be this recent instead (a fresh sign-in at the issuer).
RECENT_SIGN_IN_SECONDS = 300


class RecentSignInRequired(exceptions.PermissionDenied):
    default_detail = (
        "Deleting this account needs a token issued in the last "
        f"{RECENT_SIGN_IN_SECONDS // 60} minutes: sign in again, then retry with the new token."
    )
    default_code = "recent_sign_in_required"


def external_user_delete_account(*, user: User, token) -> None:
    """Delete a user of another issuer, its link and its tasks; its next token starts afresh.

    Confirmed by the token itself being recent (RECENT_SIGN_IN_SECONDS), as
    there is no password to ask for.
    """
    issued_at = token.claims.get("iat")
    if not isinstance(issued_at, int | float) or time.time() - issued_at > RECENT_SIGN_IN_SECONDS:
        raise RecentSignInRequired()
    user.delete()


def user_for_external_token(*, token) -> User:
    """The user linked to the token's issuer and subject, made on its first token.

    Linked by that identity alone, never by email: whoever runs an issuer
    could otherwise sign in as any account of the same address. The email
    and name come from the token's claims when it has them, and follow them
    when they change. One query when nothing changed.
    """
    email, name = _claimed_email(token.claims), _claimed_name(token.claims)
    user = User.objects.get_by_identity(token.issuer, token.subject)
    if user is None:
        user = User(
            external_email=email or "",
            name=name or "",
            external_issuer=token.issuer,
            external_subject=token.subject,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:
            # The same subject's first two requests at once: the other made it.
            user = User.objects.get_by_identity(token.issuer, token.subject)
        return user
    claimed = {"external_email": email, "name": name}
    changed = [
        field
        for field, value in claimed.items()
        if value is not None and getattr(user, field) != value
    ]
    if changed:
        for field in changed:
            setattr(user, field, claimed[field])
        user.save(update_fields=changed)
    return user


def _claimed_email(claims: dict) -> str | None:
    value = claims.get("email")
    if not isinstance(value, str) or len(value) > EMAIL_MAX_LENGTH:
        return None
    value = normalize_email(value)
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def _claimed_name(claims: dict) -> str | None:
    value = claims.get("name")
    if not isinstance(value, str):
        return None
    return "".join(ch for ch in value if ch.isprintable()).strip()[:NAME_MAX_LENGTH]
