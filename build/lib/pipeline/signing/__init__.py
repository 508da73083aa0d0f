"""Electronic signatures for SOP steps 7-9 and `kkwna verify`.

Modules (each one job):

- `pki`      the demonstration PKI of `kkwna init --demo` (`make_demo_pki`, `tte_values`)
             and `DemoCA` for tests
- `keys`     passphrase files (`read_passphrase`), PKCS#12 (`load_signer`,
             `load_private_key`), `Trust` (roots + CRLs), timestampers, `SigningError`
- `settings` the `[tte]` section of kkwna.toml turned into trust, timestamper, seal key
- `pades`    step 8: `sign_kk` (B-LT, B-LTA with a timestamper), `add_validation_data`,
             the case identity in the Info dictionary (`mark_identity`, `read_identity`,
             `read_holder`: keys /KKWNA_Kasus, /KKWNA_NoKK, /KKWNA_KepalaKeluarga)
- `check`    step 8 signed elsewhere: `check_signed_draft`
- `inspect`  the shared judgement of one PDF signature (`MESSAGES`)
- `verify`   `verify_pdf`, `verify_image`, `Verdict`
- `seal`     the QR seal: `make_seal`, `open_seal`, `family_digest`, `SealInvalid`
- `mail`     step 9: `send_kk`, `MailError`

Every message a user sees is one Indonesian line; no passphrase or password ever goes
into a message, a log or an exception.
"""

import logging

# pyHanko logs validation failures (with tracebacks) as warnings; without a handler
# Python's last-resort handler would print them on stderr, breaking the CLI's one-line
# errors. A NullHandler keeps them quiet unless the CLI configures logging (--verbose).
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
