from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from targets.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from targets.plans import plan_in_force


class Command(BaseCommand):
    help = (
        "Create demo users, a demo plan for 2023–2025 beside the 2018 plan, and clearly "
        "labelled demo figures for 2018Q1–2025Q4."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-debug",
            action="store_true",
            help="run even though DEBUG is off (demo logins would then reach this database)",
        )

    def handle(self, *args, without_debug, **options):
        if not settings.DEBUG and not without_debug:
            raise CommandError(
                "DEBUG is off: this looks like production, where demo logins must not exist. "
                "Pass --without-debug if this database really is for trying things out."
            )
        created = load_demo()
        summary = ", ".join(f"{count} {what}" for what, count in created.items() if count)
        self.stdout.write(f"load_demo: created {summary or 'nothing new'}.")
        plan = plan_in_force()
        self.stdout.write(
            _(
                "Plan in force: %(title)s (?plan=%(code)s). The 2018 plan is one switch away: "
                "the plan switcher in the page header, or ?plan=2018."
            )
            % {"title": plan.title, "code": plan.code}
        )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for user in User.objects.filter(username__in=[name for name, _role, _city in DEMO_USERS]):
            where = f" · {user.prefecture.name_zh}" if user.prefecture else ""
            self.stdout.write(f"  {user.username:<10} {user.role_label}{where}")
