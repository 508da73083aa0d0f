import pytest

from pipeline.fsutil import unique_path


@pytest.mark.parametrize("name, second", [
    ("scan.pdf", "scan (2).pdf"),
    ("Dr. John", "Dr. John (2)"),  # a folder named with a dot keeps its whole name
    (".hidden", ".hidden (2)"),
])
def test_unique_path_counts_before_the_extension_only(tmp_path, name, second):
    assert unique_path(tmp_path, name).name == name
    (tmp_path / name).mkdir()
    assert unique_path(tmp_path, name).name == second
    (tmp_path / second).mkdir()
    assert unique_path(tmp_path, name).name == second.replace("(2)", "(3)")
