from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from targets.access import is_reviewer
from targets.imports import import_figures, read_csv, warned, with_approval_warnings


class Command(BaseCommand):
    help = "Import figures from a CSV file, all rows or none (format: see targets/imports.py)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the provincial staff member importing")
        parser.add_argument("--approve", action="store_true", help="approve what is imported")
        parser.add_argument(
            "--accept-warnings",
            default="",
            metavar="REASON",
            help="import rows with warnings too, recording REASON in their history",
        )

    def handle(self, *args, file, user, approve, accept_warnings, **options):
        importer = User.objects.filter(username=user).first()
        if importer is None or not is_reviewer(importer):
            raise CommandError(f"{user!r} is not a provincial staff account.")
        try:
            with file.open("rb") as stream:
                rows, errors = read_csv(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        if errors:
            for line, message in errors:
                self.stderr.write(f"{file}:{line}: {message}")
            raise CommandError(f"Nothing imported: {len(errors)} bad rows.")
        if approve:
            rows = with_approval_warnings(rows)
        if (second_look := warned(rows)) and not accept_warnings.strip():
            for row in second_look:
                self.stderr.write(
                    f"{file}:{row.line}: {row.indicator.name}: {' '.join(row.warnings)}"
                )
            raise CommandError(
                f"Nothing imported: {len(second_look)} rows need a second look. Check them, "
                'then run again with --accept-warnings "REASON".'
            )
        report = import_figures(
            rows=rows,
            user=importer,
            approve=approve,
            source=file.name,
            accept_warnings=accept_warnings,
        )
        self.stdout.write(
            f"Imported {len(rows)} rows: {report.figures_changed} figures changed in "
            f"{report.submissions_changed} submissions, {report.submissions_approved} approved."
        )
        for row in second_look:
            self.stdout.write(
                f"{file}:{row.line}: accepted: {row.indicator.name}: {' '.join(row.warnings)}"
            )
