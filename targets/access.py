"""Who may see or change whose figures: every view asks here, nowhere else.

A prefecture of None stands for the province's own figures (milestones, national rank).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.models import Role


def is_reviewer(user) -> bool:
    return user.is_superuser or user.role == Role.PROVINCIAL


def may_read_published(user) -> bool:
    """Published (approved) figures, and everything computed from them (dashboards, exports,
    the API, PDF summaries), are for every signed-in user with a role."""
    return user.is_authenticated and (user.is_superuser or user.role is not None)


def published_figures(view):
    """For a view that shows published figures or anything computed from them: 403 for a
    user who may not read them."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_read_published(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def may_read_working_copy(user, prefecture) -> bool:
    """Drafts and submitted-but-unapproved values, their history and Excel sheet: only the
    reporter's own officers (the province's: provincial staff) and provincial staff."""
    if is_reviewer(user):
        return True
    return user.role == Role.CITY and prefecture is not None and prefecture.pk == user.prefecture_id


def may_enter(user, prefecture) -> bool:
    """City officers fill their own city's form; provincial staff fill the province's."""
    if prefecture is None:
        return is_reviewer(user)
    return user.role == Role.CITY and prefecture.pk == user.prefecture_id
