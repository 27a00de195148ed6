from targets.models import Figure, PopulationFigure


def demo_data_exists() -> bool:
    return (
        Figure.objects.filter(is_demo=True).exists()
        or PopulationFigure.objects.filter(is_demo=True).exists()
    )


def demo_data(request):
    """Whether demo figures exist, so every page can say so."""
    return {"demo_data": demo_data_exists()}
