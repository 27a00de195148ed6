"""Who may see or change whose figures: every view asks here, nowhere else.

A prefecture of None stands for the province's own figures (milestones, national rank).
"""

from accounts.models import Role


def is_reviewer(user) -> bool:
    return user.is_superuser or user.role == Role.PROVINCIAL


def may_view(user, prefecture) -> bool:
    if user.is_superuser or user.role in (Role.PROVINCIAL, Role.LEADERSHIP):
        return True
    return user.role == Role.CITY and prefecture is not None and prefecture.pk == user.prefecture_id


def may_enter(user, prefecture) -> bool:
    """City officers fill their own city's form; provincial staff fill the province's."""
    if prefecture is None:
        return is_reviewer(user)
    return user.role == Role.CITY and prefecture.pk == user.prefecture_id
