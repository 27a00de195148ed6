from django.core.management.base import BaseCommand

from targets.recompute import recompute_progress


class Command(BaseCommand):
    help = (
        "Recompute stored progress from the approved figures. Indicators whose inputs have not "
        "changed since the last run are left as they are, unless --full is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="rewrite every indicator's results regardless"
        )

    def handle(self, *args, full, **options):
        done = recompute_progress(force=full)
        self.stdout.write(
            f"compute_progress: {done.indicators} indicators, {done.rewritten} rewritten, "
            f"{done.rows} rows stored."
        )
