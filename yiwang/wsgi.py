import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse missing, default or derived keys here too.
from yiwang.gmcrypto.checks import refuse_unsafe_keys  # noqa: E402

refuse_unsafe_keys()

# Build the Chinese segmenter (dictionary and synonyms) now rather than in a citizen's first
# search or an agent's first intake.
from yiwang.search.text import segment  # noqa: E402

segment("一网")
