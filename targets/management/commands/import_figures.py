from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from targets.access import is_reviewer
from targets.formatting import imported_text, join_sentences
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
            raise CommandError(_("“%(user)s” is not a provincial staff account.") % {"user": user})
        try:
            with file.open("rb") as stream:
                rows, errors = read_csv(stream)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s.") % {"file": file, "error": error.strerror}
            ) from None
        if errors:
            for line, message in errors:
                # Line 0: the file as a whole (its encoding), not one of its lines.
                self.stderr.write(f"{file}:{line}: {message}" if line else f"{file}: {message}")
            raise CommandError(
                ngettext(
                    "Nothing imported: %(count)s bad row.",
                    "Nothing imported: %(count)s bad rows.",
                    len(errors),
                )
                % {"count": len(errors)}
            )
        if approve:
            rows = with_approval_warnings(rows)
        if (second_look := warned(rows)) and not accept_warnings.strip():
            for row in second_look:
                self.stderr.write(
                    f"{file}:{row.line}: "
                    + _("%(indicator)s: %(warnings)s")
                    % {"indicator": row.indicator.name, "warnings": join_sentences(row.warnings)}
                )
            raise CommandError(
                ngettext(
                    "Nothing imported: %(count)s row needs a second look. Check it, then run "
                    "again with --accept-warnings “REASON”.",
                    "Nothing imported: %(count)s rows need a second look. Check them, then run "
                    "again with --accept-warnings “REASON”.",
                    len(second_look),
                )
                % {"count": len(second_look)}
            )
        report = import_figures(
            rows=rows,
            user=importer,
            approve=approve,
            source=file.name,
            accept_warnings=accept_warnings,
        )
        self.stdout.write(imported_text(len(rows), report))
        for row in second_look:
            self.stdout.write(
                f"{file}:{row.line}: "
                + _("accepted: %(indicator)s: %(warnings)s")
                % {"indicator": row.indicator.name, "warnings": join_sentences(row.warnings)}
            )
