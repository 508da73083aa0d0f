"""[files] in kkwna.toml: the mode and group of the files the program writes."""

from __future__ import annotations

import grp
import os
import tomllib

import pytest

from pipeline.office import config


def with_files(**files: object) -> config.Config:
    data = tomllib.loads(config.DEFAULT)
    data["files"] = files
    return config.parse(data)


def test_by_default_the_umask_decides():
    cfg = config.parse(tomllib.loads(config.DEFAULT))
    assert cfg.files == config.FilePolicy(mode=None, group="")


@pytest.mark.parametrize("raw, mode", [("0664", 0o664), ("660", 0o660), (0o640, 0o640)])
def test_a_mode_as_octal_text_or_number(raw, mode):
    assert with_files(mode=raw).files.mode == mode


def test_a_group_that_exists():
    name = grp.getgrgid(os.getegid()).gr_name
    assert with_files(mode="0664", group=name).files == config.FilePolicy(0o664, name)


@pytest.mark.parametrize("files, words", [
    ({"mode": "rw-rw-r--"}, r"\[files\] mode: harus angka oktal"),
    ({"mode": "0444"}, r"\[files\] mode: pemilik harus dapat membaca dan menulis"),
    ({"mode": 0o4755}, r"\[files\] mode: pemilik harus dapat membaca dan menulis"),
    ({"group": "no-such-group-kkwna"}, r"\[files\] group: tidak ada grup"),
    ({"group": 12}, r"\[files\] group: harus teks"),
])
def test_a_bad_value_names_the_key(files, words):
    with pytest.raises(config.ConfigError, match=words):
        with_files(**files)
