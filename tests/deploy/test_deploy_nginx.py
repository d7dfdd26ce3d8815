"""The nginx site in deploy/nginx/: nginx accepts it as shipped (``nginx -t``), with only paths put in.

The proxy settings it includes (eventhub-locations.conf) are the ones the production-like test runs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_or_skip
from tests.deploy.support import nginx_binary

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "eventhub.conf"


def test_nginx_accepts_the_example_site(tmp_path):
    nginx = nginx_binary()
    openssl = shutil.which("openssl")
    if openssl is None:
        require_or_skip("openssl is not installed (Debian package openssl)")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=events.example.org"],
                   check=True, capture_output=True, timeout=60)
    site = SITE.read_text()
    for shipped, here in (("/etc/letsencrypt/live/events.example.org/fullchain.pem", cert),
                          ("/etc/letsencrypt/live/events.example.org/privkey.pem", key),
                          ("/var/log/nginx/eventhub.log", tmp_path / "access.log"),
                          ("/srv/eventhub/", f"{ROOT}/")):
        assert shipped in site
        site = site.replace(shipped, str(here))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=60,
                            env={"PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr, result.stderr
