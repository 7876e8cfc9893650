"""Schema names are checked before they reach any SQL."""

import pytest

from shared.database import check_schema_name


@pytest.mark.parametrize("bad", ["Credits", "credits;drop", "", "1abc", "a" * 64])
def test_unsafe_schema_names_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid schema name"):
        check_schema_name(bad)
