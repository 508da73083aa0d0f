"""`kkwna serve`: the office's web door (issue 15).

Starlette app served by uvicorn. Routes, by concern:

- `auth`: `/masuk`, `/keluar`: NIP + password (argon2, `kkwna pengguna sandi`), a signed
  session cookie with a CSRF token, 15 minutes idle;
- `approval`: `/persetujuan`: step 8 for the head of office: the queue with previews,
  approve one or several with the signing passphrase, return one with a note;
- `verification`: `/verifikasi`: anyone checks a KK (PDF or photo), as `kkwna verify`;
- `board`: `/papan`: open cases by desk, as `kkwna status`.

Every decision goes through `pipeline.flow` under the work lock, like the terminal and
the desks: no decision is recorded twice whichever door it came through.
"""
