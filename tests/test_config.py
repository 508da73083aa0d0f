import tomllib

import pytest

from pipeline.domain import refdata
from pipeline.office import config
from tests.families import TAPIN


def raw():
    return tomllib.loads(config.DEFAULT)


def test_default_profile_is_the_sop_office():
    cfg = config.parse(raw())
    head = cfg.head_of_office()
    assert head.nama == "Hj. RINA INDRIANI, ST"
    assert head.nip_display == "19820311 200501 2 017"
    assert cfg.office.timezone == "Asia/Makassar"
    assert cfg.minutes[3] == 10 and sum(cfg.minutes.values()) == 22
    assert all(o.demo for o in cfg.officers if o.role != "kepala_dinas")
    assert cfg.office_data()["jabatan_kepala"] == (
        "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN TAPIN")


@pytest.mark.parametrize("change, key", [
    (lambda d: d["service"].__setitem__("open", "8"), "[service] open"),
    (lambda d: d["service"].__setitem__("close", "07:00"), "[service] close"),
    (lambda d: d["service"].__setitem__("working_days", ["monday"]), "[service] working_days"),
    (lambda d: d["service"].__setitem__("holidays", ["25-12-2026"]), "[service] holidays"),
    (lambda d: d["office"].__delitem__("dinas"), "[office] dinas"),
    (lambda d: d["office"].__setitem__("timezone", "Mars/Olympus"), "[office] timezone"),
    (lambda d: d["watch"].__setitem__("stable_seconds", "two"), "[watch] stable_seconds"),
    (lambda d: d["officers"][1].__setitem__("nip", "123"), "[[officers]] ke-2 nip"),
    (lambda d: d["officers"][1].__setitem__("role", "boss"), "[[officers]] ke-2 role"),
    (lambda d: d["sop"]["minutes"].__setitem__("12", 1), "[sop.minutes] 12"),
    (lambda d: d.__setitem__("officers", [d["officers"][0]]), "[[officers]]"),
    (lambda d: d["office"].__setitem__("kode_wilayah", "Tapin"), "[office] kode_wilayah"),
    (lambda d: d["office"].__setitem__("kode_wilayah", "63.99"), "[office] kode_wilayah"),
    (lambda d: d["office"].__setitem__("kode_pos_awalan", "711"), "[office] kode_pos_awalan"),
    (lambda d: d["office"].__setitem__("kode_pos_awalan", ["71x"]), "[office] kode_pos_awalan"),
])
def test_bad_value_names_the_key_in_one_line(change, key):
    data = raw()
    change(data)
    with pytest.raises(config.ConfigError) as err:
        config.parse(data)
    message = str(err.value)
    assert f"kkwna.toml {key}:" in message and "\n" not in message


def test_every_problem_is_named_at_once_one_line_each():
    data = raw()
    data["service"]["open"] = "8"
    data["office"]["kode_pos"] = 71111
    data["office"]["warna"] = "biru"  # one unknown key, once, though three classes read [office]
    data["tte"]["kunci"] = "x"
    data["lain"] = {}
    with pytest.raises(config.ConfigError) as err:
        config.parse(data)
    assert str(err.value).splitlines() == [
        "kkwna.toml [lain]: tabel tidak dikenal",
        "kkwna.toml [office] warna: kunci tidak dikenal",
        'kkwna.toml [office] kode_pos: harus teks, bukan 71111',
        'kkwna.toml [service] open: harus jam JJ:MM seperti "08:00", bukan "8"',
        "kkwna.toml [tte] kunci: kunci tidak dikenal"]


def test_missing_file_says_run_init(tmp_path):
    with pytest.raises(config.ConfigError, match="kkwna init"):
        config.load(tmp_path)


def test_officer_lookup_by_nip_and_role():
    cfg = config.parse(raw())
    assert cfg.officer("19900101 201503 2 001", "front_office").nama == "DEMO FITRI HANDAYANI"
    assert cfg.officer("19900101 201503 2 001", "verifikator") is None


def test_office_area_defaults_to_tapin():
    assert config.parse(raw()).area == TAPIN == refdata.OfficeArea("6305", ("711",))
    data = raw()
    del data["office"]["kode_wilayah"], data["office"]["kode_pos_awalan"]
    assert config.parse(data).area == TAPIN  # an older kkwna.toml keeps working
    # ... whatever its office: the regency is the one its name and province say
    data["office"].update(kabupaten="Banjarmasin")
    assert config.parse(data).area == refdata.OfficeArea("6371", ())
    assert config.parse(data).office.wilayah == "Kota Banjarmasin"
    data["office"].update(kabupaten="BEKASI", provinsi="JAWA BARAT")  # a regency and a city
    with pytest.raises(config.ConfigError, match=r"\[office\] kode_wilayah: tidak diisi, dan 2"):
        config.parse(data)
    data["office"]["jenis_wilayah"] = "kota"  # which of the two the office says it is
    assert config.parse(data).area == refdata.OfficeArea("3275", ())


def test_another_regency_is_a_profile_change():
    data = raw()
    data["office"]["kode_wilayah"] = "63.03"
    del data["office"]["kode_pos_awalan"]
    # Tapin's postal codes are not assumed for Banjar: any 5 digits until the office says
    assert config.parse(data).area == refdata.OfficeArea("6303", ())
    data["office"]["kode_wilayah"] = "6303"
    data["office"]["kode_pos_awalan"] = ["706", "707"]
    assert config.parse(data).area == refdata.OfficeArea("6303", ("706", "707"))
