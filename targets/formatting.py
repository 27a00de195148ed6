from decimal import Decimal


def plain_number(value: Decimal | None) -> str:
    """A Decimal as people write it: 30000, 25, 0.5 (no trailing zeros, no exponent)."""
    return "" if value is None else f"{value.normalize():f}"
