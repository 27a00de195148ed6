import csv
import json

from django.core.management.base import BaseCommand, CommandError

from ipplan.params import NotOnRecord
from reports.progress import FIELDS, progress_records
from targets.periods import Quarter
from targets.plans import plan_in_force, plan_or_404


class Command(BaseCommand):
    help = "Print the stored progress results of one quarter as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="a quarter like 2022Q4")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--plan", help="the plan's code (default: the plan in force)")

    def handle(self, *args, period, format, plan, **options):
        try:
            quarter = Quarter.parse(period)
            plan = plan_or_404(plan) if plan else plan_in_force()
        except (ValueError, NotOnRecord) as error:
            raise CommandError(str(error)) from None
        records = progress_records(quarter, plan)
        if format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "missing": " ".join(record["missing"])})
