"""Django's authentication by email and password, within the failed-attempt limits.

Every authenticate() call goes through it: the API's login and the admin's.
"""

from django.contrib.auth.backends import ModelBackend

from accounts.lockout import PasswordAttempt


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email is None or password is None:
            return None
        attempt = PasswordAttempt(request, email)
        attempt.refuse_if_locked()  # raises TooManyFailures: the caller answers 429
        user = super().authenticate(request, username=email, password=password)
        attempt.record(succeeded=user is not None)
        return user
