from pathlib import Path

from django.core.management.base import BaseCommand

from targets.seeding import PLAN_2018, seed_plan, seed_prefectures


class Command(BaseCommand):
    help = (
        "Load the cities with their census population, and a plan with its indicators and periods."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", type=Path, default=PLAN_2018, help="plan file (default: the 2018 plan)"
        )

    def handle(self, *args, plan, **options):
        created = seed_prefectures() + seed_plan(plan)
        summary = ", ".join(f"{count} {what}" for what, count in created.items()) or "nothing"
        self.stdout.write(f"seed_plan: created {summary}; existing rows left as they were.")
