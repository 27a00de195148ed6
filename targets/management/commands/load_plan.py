from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets.plan_files import PlanFileInvalid, load, loaded_text


class Command(BaseCommand):
    help = (
        "Load a plan file (YAML: see README, Plan files): the plan, new series and targets, "
        "all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what it would do"
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s.") % {"file": file, "error": error.strerror}
            ) from None
        try:
            _plan_file, loaded = load(data, dry_run=dry_run)
        except PlanFileInvalid as invalid:
            for problem in invalid.problems:
                where = (
                    f"{file}:{problem.line}: {problem.field}"
                    if problem.field
                    else f"{file}:{problem.line}"
                )
                self.stderr.write(f"{where}: {problem.message}")
            raise CommandError(
                ngettext(
                    "Nothing loaded: %(count)s problem.",
                    "Nothing loaded: %(count)s problems.",
                    len(invalid.problems),
                )
                % {"count": len(invalid.problems)}
            ) from None
        text = loaded_text(loaded)
        if dry_run:
            text = _("Dry run, nothing written. %(what)s") % {"what": text}
        self.stdout.write(text)
