import csv
import json

from django.core.management.base import BaseCommand, CommandError

from reports.progress import FIELDS, progress_records
from targets.periods import Quarter


class Command(BaseCommand):
    help = "Print the stored progress results of one quarter as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="a quarter like 2022Q4")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, period, format, **options):
        try:
            quarter = Quarter.parse(period)
        except ValueError as error:
            raise CommandError(str(error)) from None
        records = progress_records(quarter)
        if format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "missing": " ".join(record["missing"])})
