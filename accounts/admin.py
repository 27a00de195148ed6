from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User


class UserRoleForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        roles = {group.name for group in cleaned.get("groups") or []} & set(Role.values)
        if len(roles) > 1:
            raise forms.ValidationError(_("A user has at most one role."))
        if Role.CITY in roles and not cleaned.get("prefecture"):
            self.add_error("prefecture", _("A city officer must be bound to a prefecture."))
        if cleaned.get("prefecture") and Role.CITY not in roles:
            self.add_error("prefecture", _("Only city officers are bound to a prefecture."))
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserRoleForm
    list_display = ["username", "last_name", "first_name", "prefecture", "is_active", "is_staff"]
    list_filter = ["groups", "prefecture", "is_active", "is_staff"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Reporting"), {"fields": ["prefecture", "language", "receives_reminders"]}),
    ]
