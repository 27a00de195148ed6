"""Who may attach, read and ask for evidence files: every role on every evidence URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceFile
from targets.models import Indicator, Submission
from targets.reporting import approve_submission, reopen_quarter, submit_quarter
from tests.evidence.conftest import image_bytes, pdf_bytes

PERSONAS = ["anonymous", "city_officer", "other_officer", "leadership", "provincial", "superuser"]
LOGIN = "login"
UPLOAD = reverse("evidence_upload", args=["440100", "2022Q4"])
ASK = reverse("evidence_ask", args=["440100", "2022Q4"])


def statuses(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


def as_persona(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def attach(client, name="认定文件.pdf", content=None, **fields):
    upload = SimpleUploadedFile(name, content or pdf_bytes())
    return client.post(UPLOAD, {"file": upload, **fields})


@pytest.fixture
def files(client, draft, city_officer, provincial):
    """One file that was part of an approved quarter, one attached after it was reopened."""
    client.force_login(city_officer)
    attach(client)
    agents = Indicator.objects.get(code="patent_agents")
    submit_quarter(submission=draft, user=city_officer, indicators=[agents])
    approve_submission(submission=Submission.objects.get(pk=draft.pk), user=provincial)
    reopen_quarter(
        prefecture=draft.prefecture, period=draft.period, user=provincial, reason="补充材料"
    )
    attach(client, "补充.png", image_bytes())
    client.logout()
    published, working = EvidenceFile.objects.order_by("pk")
    return published, working


PUBLISHED = statuses(LOGIN, 200, 200, 200, 200, 200)
WORKING_COPY = statuses(LOGIN, 200, 403, 403, 200, 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_file_is_for_every_role_a_working_copy_for_its_city_and_the_province(
    client, files, request, persona
):
    published, working = files
    as_persona(client, request, persona)
    check(client.get(reverse("evidence_download", args=[published.pk])), PUBLISHED[persona])
    check(client.get(reverse("evidence_download", args=[working.pk])), WORKING_COPY[persona])


def test_a_file_is_served_as_an_attachment_that_no_browser_renders(client, files, provincial):
    _published, working = files
    client.force_login(provincial)
    response = client.get(reverse("evidence_download", args=[working.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E8%A1%A5%E5%85%85.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == image_bytes()


def test_a_file_is_never_a_static_url(client, files, provincial):
    published, _working = files
    client.force_login(provincial)
    for prefix in ["/media/", "/media/evidence/", "/static/", "/"]:
        assert client.get(prefix + published.file.name).status_code == 404


@pytest.mark.parametrize("pk", ["0", "999999", "99999999999999999999999"])
def test_an_unknown_file_is_not_found(client, files, provincial, pk):
    client.force_login(provincial)
    assert client.get(f"/evidence/{pk}/").status_code == 404


UPLOADERS = statuses(LOGIN, 302, 403, 403, 403, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_citys_own_officers_attach_to_its_quarter(client, draft, request, persona):
    as_persona(client, request, persona)
    check(attach(client), UPLOADERS[persona])
    assert EvidenceFile.objects.count() == (1 if persona == "city_officer" else 0)
    check(client.get(UPLOAD), LOGIN if persona == "anonymous" else 405)


def test_nothing_is_attached_to_a_submitted_quarter(client, draft, city_officer):
    agents = Indicator.objects.get(code="patent_agents")
    submit_quarter(submission=draft, user=city_officer, indicators=[agents])
    client.force_login(city_officer)
    response = attach(client)
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == ["No file was attached: It has been submitted and is waiting for review."]
    assert not EvidenceFile.objects.exists()


def test_nothing_is_attached_before_the_quarter_is_saved(client, plan, city_officer):
    client.force_login(city_officer)
    response = attach(client)
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == ["Save the quarter's figures first, then attach files to it."]


@pytest.mark.parametrize("field, value", [("indicator", "999999"), ("replaces", "abc")])
def test_a_forged_choice_attaches_nothing(client, draft, city_officer, field, value):
    client.force_login(city_officer)
    response = attach(client, **{field: value})
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages[0].startswith("No file was attached: Select a valid choice.")
    assert not EvidenceFile.objects.exists()


def test_a_replacement_keeps_the_old_file_as_superseded(client, draft, city_officer):
    client.force_login(city_officer)
    agents = Indicator.objects.get(code="patent_agents")
    attach(client, "旧.pdf", indicator=agents.pk)
    old = EvidenceFile.objects.get()
    attach(client, "新.pdf", replaces=old.pk)
    old.refresh_from_db()
    new = EvidenceFile.objects.get(name="新.pdf")
    assert new.replaces == old and old.replaced_by == new
    assert new.indicator == agents
    assert old.superseded_at() and not new.superseded_at()
    assert client.get(reverse("evidence_download", args=[old.pk])).status_code == 200
    page = client.get(reverse("quarter_form", args=["440100", "2022Q4"])).content.decode()
    assert "superseded by “新.pdf”" in page
    response = attach(client, "再.pdf", replaces=old.pk)  # already replaced
    assert EvidenceFile.objects.count() == 2
    assert response.status_code == 302


ASKERS = statuses(LOGIN, 403, 403, 403, 302, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_reviewers_return_a_quarter_asking_for_a_file(
    client, draft, city_officer, request, persona
):
    agents = Indicator.objects.get(code="patent_agents")
    submit_quarter(submission=draft, user=city_officer, indicators=[agents])
    as_persona(client, request, persona)
    response = client.post(ASK, {"indicator": agents.pk, "need": "认定文件"})
    check(response, ASKERS[persona])
    draft.refresh_from_db()
    if ASKERS[persona] == 302:
        assert draft.status == "returned"
        assert (
            draft.review_comment
            == "Please attach evidence for “Practising patent attorneys”: 认定文件"
        )
    else:
        assert draft.status == "submitted"
    check(client.get(ASK), LOGIN if persona == "anonymous" else 405)


def test_reviewers_see_the_files_beside_the_figures(client, files, provincial, city_officer):
    agents = Indicator.objects.get(code="patent_agents")
    submission = Submission.objects.get()
    submit_quarter(submission=submission, user=city_officer, indicators=[agents])
    client.force_login(provincial)
    page = client.get(reverse("review", args=["440100", "2022Q4"])).content.decode()
    assert "认定文件.pdf" in page and "补充.png" in page
    assert 'action="/review/440100/2022Q4/ask-for-evidence/"' in page


def test_the_sources_page_lists_the_files_that_were_approved_with_the_figure(
    client, files, leadership
):
    published, working = files
    client.force_login(leadership)
    url = reverse("sources", args=["patent_agents", "province", "2022Q4"])
    page = client.get(url).content.decode()
    assert reverse("evidence_download", args=[published.pk]) in page
    assert reverse("evidence_download", args=[working.pk]) not in page
    api = client.get(
        reverse("sources_api"), {"indicator": "patent_agents", "period": "2022Q4"}
    ).json()
    [row] = [row for row in api["rows"] if row["scope"] == "440100"]
    assert row["evidence"] == [
        {"name": "认定文件.pdf", "url": reverse("evidence_download", args=[published.pk])}
    ]
