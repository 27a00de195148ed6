from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role is the group they belong to; the names are the groups' names."""

    PROVINCIAL = "provincial", _("provincial staff")
    CITY = "city", _("city officer")
    LEADERSHIP = "leadership", _("leadership")

    @property
    def group(self) -> Group:
        # A migration creates the groups; this keeps a role usable if one was deleted since.
        return Group.objects.get_or_create(name=self.value)[0]


class User(AbstractUser):
    prefecture = models.ForeignKey(
        "targets.Prefecture",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("prefecture"),
        help_text=_("Required for city officers, who report for this prefecture only."),
    )

    language = models.CharField(
        _("language for e-mail"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    receives_reminders = models.BooleanField(
        _("send me reminders"),
        default=True,
        help_text=_("E-mail reminders about quarters to fill, late quarters and returned forms."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def role(self) -> Role | None:
        """The user's one role, or None when they have none (or, wrongly, several)."""
        names = {group.name for group in self.groups.all()} & set(Role.values)
        return Role(names.pop()) if len(names) == 1 else None

    @property
    def role_label(self) -> str:
        if self.is_superuser:
            return _("administrator")
        return self.role.label if self.role else _("no role")
