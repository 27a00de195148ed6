"""Where evidence files are kept: chosen by environment variables at start-up."""

import json

from tests.test_settings import start_up

SHOW = (
    "__import__('json').dumps([type(s).__module__ + '.' + type(s).__name__, "
    "str(getattr(s, 'location', '')), getattr(s, 'bucket_name', None), "
    "getattr(s, 'endpoint_url', None), getattr(s, 'default_acl', None), "
    "getattr(s, 'file_overwrite', None)]) "
    "if (s := __import__('evidence.models').models.EvidenceFile._meta.get_field('file').storage) "
    "else None"
)


def test_by_default_files_go_to_the_evidence_folder_under_media_root(tmp_path):
    result = start_up(SHOW, MEDIA_ROOT=str(tmp_path))
    backend, location, *_rest = json.loads(result.stdout)
    assert backend == "django.core.files.storage.filesystem.FileSystemStorage"
    assert location == str(tmp_path / "evidence")


def test_a_bucket_chooses_the_s3_compatible_store_with_private_files_never_overwritten():
    result = start_up(
        SHOW,
        EVIDENCE_S3_BUCKET="ipplan-evidence",
        EVIDENCE_S3_ENDPOINT_URL="http://minio.intranet:9000",
        EVIDENCE_S3_ACCESS_KEY="ipplan",
        EVIDENCE_S3_SECRET_KEY="not-a-real-secret",
    )
    assert json.loads(result.stdout) == [
        "storages.backends.s3.S3Storage",
        "evidence",
        "ipplan-evidence",
        "http://minio.intranet:9000",
        "private",
        False,
    ]
