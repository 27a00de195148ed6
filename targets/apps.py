from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Plans, targets and submissions")

    def ready(self):
        from targets import signals  # noqa: F401  (connects the receivers)
