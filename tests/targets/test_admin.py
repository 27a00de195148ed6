from tests.factories import FigureFactory


def test_the_admin_shows_figures_but_never_changes_them(client, superuser):
    figure = FigureFactory(value=5)
    client.force_login(superuser)
    url = f"/admin/targets/figure/{figure.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"value": "6"}).status_code == 403
    assert (
        client.post(f"/admin/targets/figure/{figure.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    figure.refresh_from_db()
    assert figure.value == 5
