"""The kkwna.toml that `kkwna init` writes: every key with its default and an Indonesian
comment for the office. Its values are literal; a command that changes one writes through
tomlkit (`config_write`). tests/test_config_write.py holds it equal to the code's defaults.
"""

from __future__ import annotations

from pipeline.office.config_archive import records_section
from pipeline.office.config_signing import tte_section

DEFAULT = '''\
# Profil kantor kkwna: Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tapin.
# Sumber: Standar Pelayanan dan SOP 800/003-SOP/DUKCAPIL/2022 (revisi 1 Agustus 2022).

[office]
pemerintah = "PEMERINTAH KABUPATEN TAPIN"
dinas = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
bidang = "BIDANG PENDAFTARAN PENDUDUK"
kabupaten = "TAPIN"          # nama kabupaten atau kota (tanpa kata "Kabupaten"/"Kota")
provinsi = "KALIMANTAN SELATAN"
kota = "Rantau"              # kota tempat kantor (tempat surat dan tanda tangan)
alamat = "Jl. Datu Nuraya, Kawasan Rantau Baru, Kelurahan Rantau Kiwa, Kecamatan Tapin Utara, Rantau"
kode_pos = "71111"
timezone = "Asia/Makassar"   # WITA: tahun register dan semua tanggal memakai zona ini
# Kabupaten atau kota yang dilayani kantor ini (kode Kemendagri): alamat keluarga
# (kecamatan, desa/kelurahan) dan No. KK harus di dalamnya; NIK boleh dari mana saja di
# Indonesia. Disdukcapil daerah lain mengubah baris pemerintah, kabupaten, kota, alamat,
# kode_pos dan dua baris ini, misalnya Kota Banjarmasin: kode_wilayah = "63.71",
# kabupaten = "BANJARMASIN", kode_pos_awalan = ["701", "702"].
kode_wilayah = "63.05"
kode_pos_awalan = ["711"]    # kode pos alamat diawali salah satu dari ini
# Jenis daerah: "kabupaten" atau "kota". Bawaan: menurut daftar Kemendagri untuk
# kode_wilayah (63.05 "Kabupaten Tapin", 63.71 "Kota Banjarmasin"). Semua dokumen, e-mail
# dan tanda tangan menyebut daerah ini "<Jenis> <kabupaten>": "Kabupaten Tapin".
# jenis_wilayah = "kabupaten"
# Dicetak di kop surat bila diisi (biarkan "" bila tidak ada):
telepon = ""                 # mis. "(0517) 31234"
email = ""                   # mis. "disdukcapil@tapinkab.go.id"
website = ""                 # mis. "disdukcapil.tapinkab.go.id"
lambang = ""                 # lambang daerah, berkas PNG atau JPEG di folder ini, mis. "lambang-tapin.png"
# Lambang Garuda Pancasila di kiri atas Kartu Keluarga (format nasional 2020), berkas PNG
# atau JPEG di folder ini, mis. "garuda-pancasila.png". Bila kosong, KK dicetak dengan
# kotak bertanda "tempat lambang Garuda Pancasila" dan `kkwna status` mengingatkannya.
lambang_garuda = ""

[service]
# "Diterima dari jam 08.00 s/d 15.00"; permohonan di luar jam ini tetap dibuka, ditandai
# "di luar jam layanan", dan waktu SOP-nya mulai pada jam buka berikutnya.
open = "08:00"
close = "15:00"
working_days = ["senin", "selasa", "rabu", "kamis", "jumat"]
holidays = []                # hari libur kantor sendiri, "YYYY-MM-DD" (libur nasional
                             # dari [calendar]); mis. cuti bersama yang diikuti kantor

[calendar]
national_holidays = "ID"     # negara yang hari libur nasionalnya menutup kantor ("" = tidak ada)
cuti_bersama = false         # true: hari cuti bersama pemerintah juga menutup kantor

[watch]
stable_seconds = 2           # berkas diambil setelah ukuran dan waktunya tidak berubah selama ini (detik)
rescan_seconds = 30          # pindai ulang inbox/ dan desks/ (folder jaringan bisa melewatkan kejadian)
max_file_mb = 300            # pindaian yang lebih besar (MB) dikarantina

[archive]
cases_per_odner = 50         # berkas kasus per odner

[files]
# Berkas yang ditulis program mendapat hak akses dari umask. Pada folder bersama tempat
# petugas membuka formulir dengan akun masing-masing, isi mode dan grup bersama mereka:
# mode = "0664"
# group = "dukcapil"

[sop.minutes]                # menit standar per langkah (mutu baku); bawaan: angka SOP
1 = 1
2 = 1
3 = 10
4 = 5
5 = 1
6 = 1
7 = 0.5
8 = 0.5
9 = 0.5
10 = 1
11 = 0.5

# Petugas per peran. Kepala Dinas adalah yang disebut SOP; yang lain petugas CONTOH
# (demo = true): ganti dengan petugas kantor yang sebenarnya.
[[officers]]
role = "kepala_dinas"
nama = "Hj. RINA INDRIANI, ST"
nip = "19820311 200501 2 017"
jabatan = "Kepala Dinas Kependudukan dan Pencatatan Sipil"

[[officers]]
role = "front_office"
nama = "DEMO FITRI HANDAYANI"
nip = "19900101 201503 2 001"
jabatan = "Front Office"
demo = true

[[officers]]
role = "verifikator"
nama = "DEMO AHMAD RIDUAN"
nip = "19880202 201403 1 002"
jabatan = "Verifikator"
demo = true

[[officers]]
role = "adm_siak"
nama = "DEMO SITI NURHALIZA"
nip = "19920303 201603 2 003"
jabatan = "Administrator SIAK Identitas Penduduk"
demo = true

[[officers]]
role = "analis"
nama = "DEMO MUHAMMAD YUSUF"
nip = "19850404 201001 1 004"
jabatan = "Jf. Analis Kebijakan Bidang Pendaftaran Penduduk"
demo = true

[[officers]]
role = "kepala_bidang"
nama = "DEMO HJ. NOOR HIDAYAH, SE"
nip = "19800505 200501 2 005"
jabatan = "Kepala Bidang Pendaftaran Penduduk"
demo = true

[[officers]]
role = "penyerahan"
nama = "DEMO RAHMAT HIDAYAT"
nip = "19950606 201903 1 006"
jabatan = "Petugas Penyerahan Dokumen"
demo = true
'''


DEFAULT += tte_section()
DEFAULT += '''
# Langkah 9: KK yang sudah ditandatangani dikirim ke alamat e-mail pemohon (dari data
# keluarga). host kosong berarti e-mail tidak dipakai.
[email]
host = ""                    # SMTP: server, mis. "smtp.example.go.id"
port = 587
security = "starttls"        # starttls | tls (langsung, biasanya port 465) | none
sender = ""                  # From: alamat pengirim, mis. "dukcapil@tapinkab.go.id"
username = ""                # login SMTP; kosong berarti alamat pengirim
password_file = ""           # kata sandi SMTP, dalam berkas yang hanya dapat dibaca pemiliknya (chmod 600)
# E-mail dikirim setelah langkah tercatat, di luar pekerjaan kantor: server yang lambat
# tidak pernah menahan perintah. Setiap e-mail berakhir setelah deadline_seconds; `kkwna
# watch` mencoba lagi setelah retry_seconds, lalu dua kali lebih lama, paling lama sejam.
timeout_seconds = 30         # menyambung dan tiap perintah SMTP (detik)
deadline_seconds = 120       # satu e-mail, dari awal sampai akhir (detik)
retry_seconds = 60           # jeda pertama sebelum mencoba lagi (detik)
'''
DEFAULT += records_section()
