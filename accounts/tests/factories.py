"""Users for tests, made straight in the database."""

import factory

from accounts.models import User

PASSWORD = "a-Strong-passw0rd!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    # Not Faker's random names: a drawn name could match a search term a test
    # uses (an admin search for "erin" found a "Katherine") and fail one run in many.
    name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()
