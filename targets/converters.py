from targets.periods import Quarter

PROVINCE = "province"


class QuarterConverter:
    regex = r"\d{4}Q[1-4]"

    def to_python(self, value: str) -> Quarter:
        return Quarter.parse(value)

    def to_url(self, value) -> str:
        return str(value)


class ReporterConverter:
    """A prefecture's six-digit code, or "province" for the province's own figures."""

    regex = rf"\d{{6}}|{PROVINCE}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value if isinstance(value, str) else value.code if value else PROVINCE
