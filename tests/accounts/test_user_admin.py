import pytest
from django.contrib.auth.models import Group

from accounts.admin import UserRoleForm
from accounts.models import Role
from targets.models import Prefecture
from tests.factories import UserFactory


def form_for(user, groups, prefecture):
    data = {
        "username": user.username,
        "date_joined": "2024-01-01 00:00:00",
        "groups": [Group.objects.get(name=name).pk for name in groups],
        "prefecture": prefecture.pk if prefecture else "",
        "language": "zh-hans",
    }
    return UserRoleForm(data, instance=user)


@pytest.fixture
def guangzhou(plan):
    return Prefecture.objects.get(code="440100")


def test_a_city_officer_needs_a_prefecture(plan):
    form = form_for(UserFactory(), [Role.CITY], None)
    assert not form.is_valid()
    assert "prefecture" in form.errors


def test_only_city_officers_have_a_prefecture(guangzhou):
    form = form_for(UserFactory(), [Role.PROVINCIAL], guangzhou)
    assert "prefecture" in form.errors


def test_a_user_has_one_role_at_most(guangzhou):
    form = form_for(UserFactory(), [Role.CITY, Role.LEADERSHIP], guangzhou)
    assert not form.is_valid()


def test_a_bound_city_officer_is_accepted(guangzhou):
    assert form_for(UserFactory(), [Role.CITY], guangzhou).is_valid()
