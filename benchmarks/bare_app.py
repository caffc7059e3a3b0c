"""The baseline for benchmarks/run.py: bare Flask routes, no extensions, no database.

Served by gunicorn with the same settings as the portal (`gunicorn bare_app:app` from
this directory), so the difference between the two is the portal's own work: sessions,
CSRF, templates, encryption, the database, upload checks, password hashing.

* ``GET /`` returns a small HTML string (baseline for the portal's front page).
* ``/form/<n>`` mirrors one question page of the portal's filing flow: a GET returns a
  small page with a hidden ``csrf_token`` input (so the load driver parses it the same
  way), a POST reads the form (and any uploaded file, to the end) and redirects to the
  next page; the last POST answers 200 with a reference, like the confirmation page.
"""
from __future__ import annotations

from flask import Flask, redirect, request

app = Flask(__name__)
# Same body limit as the portal (UPLOAD_MAX_BYTES + 256 KiB), so Werkzeug parses alike.
app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024 + 256 * 1024

PAGE = "<!doctype html><html lang=\"nl\"><head><title>Bare</title></head><body><h1>Bare Flask</h1></body></html>"
FORM = ("<!doctype html><html lang=\"nl\"><head><title>Stap {n}</title></head><body>"
        "<form method=\"post\" enctype=\"multipart/form-data\">"
        "<input type=\"hidden\" name=\"csrf_token\" value=\"bare-token\"><button>Verder</button></form></body></html>")
DONE = "<!doctype html><html lang=\"nl\"><body><p id=\"reference\">VT-BARE-{n}</p></body></html>"


@app.get("/")
def index():
    return PAGE


@app.route("/form/<int:n>", methods=["GET", "POST"])
def form(n: int):
    if request.method == "GET":
        return FORM.format(n=n)
    received = sum(len(v) for v in request.form.values())
    for storage in request.files.values():
        received += len(storage.read())
    if request.args.get("last"):
        return DONE.format(n=received)
    return redirect(f"/form/{n + 1}")
