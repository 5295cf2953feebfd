from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    label = "hotline"
    verbose_name = pgettext_lazy("hotline", "12345 hotline")

    def ready(self) -> None:
        # Actions import models, so only once the registry is ready (Django's rule for ready()).
        from yiwang.grid import actions as grid_actions

        from .actions.channels import route_sensor_alert

        # The grid offers each sensor alert to its routers: the hotline takes the types of
        # YIWANG_SENSOR_TICKETS as 12345 tickets (the grid app never imports the hotline).
        grid_actions.register_alert_router(route_sensor_alert)
