from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.audit.actors import SystemActor
from yiwang.hotline.open311 import actions
from yiwang.hotline.open311.models import Open311Client

CLI = SystemActor("cli")


class Command(BaseCommand):
    help = (
        "Create an Open311 client and print its api_key once (or deactivate one with --deactivate)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "name", help="The client's name, e.g. the app or system sending requests."
        )
        parser.add_argument(
            "--deactivate", action="store_true", help="Deactivate the client instead."
        )

    def handle(self, *args, name: str, deactivate: bool, **options):
        if deactivate:
            client = Open311Client.objects.filter(name=name).first()
            if client is None:
                raise CommandError(_("No Open311 client named “%(name)s”.") % {"name": name})
            actions.deactivate_client(actor=CLI, client=client)
            self.stdout.write(_("Client “%(name)s” deactivated.") % {"name": name})
            return
        try:
            client, key = actions.create_client(actor=CLI, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("Open311 client “%(name)s” created. Its api_key (shown only once):")
            % {"name": client.name}
        )
        self.stdout.write(key)
