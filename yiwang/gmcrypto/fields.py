"""A model field that stores text encrypted with SM4 (see ``core``)."""

from django.db import models

from . import core


class EncryptedTextField(models.TextField):
    """Transparent SM4 encryption at rest. Not queryable: pair it with a blind index."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return core.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return core.encrypt(value)
