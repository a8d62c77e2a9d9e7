"""Files for the offline checks, made at start: a git repo with history, CI logs, env files, logs, mail.

Every secret in them comes from :class:`DemoSecrets`, fresh each time.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .fakes import DemoSecrets, database_url, stripe_publishable
from .layout import DOMAIN, Layout
from .mail import DkimKey, as_received, reset_email


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada Founder", "GIT_AUTHOR_EMAIL": f"ada@{DOMAIN}",
           "GIT_COMMITTER_NAME": "Ada Founder", "GIT_COMMITTER_EMAIL": f"ada@{DOMAIN}",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_repo(repo: Path, s: DemoSecrets, *, hardened: bool) -> None:
    """The founder's shop repository. Unhardened: secrets in the tree and in history."""
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    _write(repo / "README.md", "# BrightBrew shop\n")
    _write(repo / ".env.example", "STRIPE_SECRET_KEY=\nOPENAI_API_KEY=\nDATABASE_URL=\n")
    _write(repo / ".gitignore", "node_modules/\n" + (".env\n" if hardened else ""))
    _write(repo / "app" / "payments.py",
           "import os\n\nSTRIPE_KEY = os.environ['STRIPE_SECRET_KEY']\n")
    if hardened:        # the runbooks the handover names
        _write(repo / "docs" / "rotate-keys.md", "# Rotate keys\n\n1. Create the new key at the provider.\n"
               "2. Put it in the host's secret store.\n3. Deploy.\n4. Revoke the old key.\n")
        _write(repo / "docs" / "rollback.md", "# Roll back\n\nPromote the previous deployment in the host's dashboard.\n")
        _write(repo / "docs" / "leak-response.md", "# Suspected leak\n\nRotate, check the provider's logs, tell customers.\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Initial shop", date="2026-10-01T10:00:00Z")
    if hardened:
        return
    # history: a .env committed, then deleted (still in history)
    _write(repo / ".env", f"OPENAI_API_KEY={s.openai}\nDATABASE_URL={database_url(s.db_password)}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "wip: chat bot", date="2026-10-12T21:30:00Z")
    _git(repo, "rm", "-q", "--cached", ".env")
    (repo / ".env").unlink()
    _git(repo, "commit", "-q", "-m", "remove env", date="2026-10-12T21:35:00Z")
    # working tree: a live key hard-coded "for a quick test", a test key left in config
    _write(repo / "app" / "payments.py",
           f"import os\n\nSTRIPE_KEY = os.environ.get('STRIPE_SECRET_KEY', '{s.stripe_live}')\n")
    _write(repo / "web" / "config.js",
           f"export const stripeKey = '{s.stripe_test}';\nexport const github = '{s.github}';\n")
    _write(repo / "deploy" / "aws.sh", f"export AWS_ACCESS_KEY_ID={s.aws[0]}\nexport AWS_SECRET_ACCESS_KEY={s.aws[1]}\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "checkout works", date="2026-11-20T18:00:00Z")


def make_files(state_dir: Path, s: DemoSecrets, dkim_key: DkimKey, provider_key: DkimKey, layout: Layout, *,
               hardened: bool) -> None:
    ci = state_dir / "ci-logs"
    aws_line = "AWS_SECRET_ACCESS_KEY=***" if hardened else f"AWS_SECRET_ACCESS_KEY={s.aws[1]}"
    _write(ci / "build-1187.log",
           "Run npm ci\nadded 812 packages in 14s\nRun ./deploy/aws.sh\n+ export AWS_ACCESS_KEY_ID=***\n"
           f"+ export {aws_line}\nDeploy complete: https://www.{DOMAIN}\n")
    shared_jwt = s.jwt_secret
    dev_jwt = ("dev-" + s.db_password) if hardened else shared_jwt
    _write(state_dir / "env" / "dev.env",
           f"JWT_SECRET={dev_jwt}\nSTRIPE_SECRET_KEY={s.stripe_test}\nDATABASE_URL=postgres://localhost/shop_dev\n")
    prod_stripe = s.stripe_live if hardened else s.stripe_test     # unhardened: test key in production
    _write(state_dir / "env" / "prod.env",
           f"JWT_SECRET={shared_jwt}\nSTRIPE_SECRET_KEY={prod_stripe}\nSTRIPE_PUBLISHABLE_KEY={stripe_publishable()}\n"
           f"OPENAI_API_KEY={s.openai}\nDATABASE_URL={database_url(s.db_password)}\n"
           + ("" if hardened else f"SENDGRID_API_KEY={s.sendgrid}\n"))
    for f in (state_dir / "env").iterdir():
        f.chmod(0o600)
    log_lines = [
        {"level": "info", "msg": "GET /api/orders/1001", "user": "u_a", "status": 200},
        {"level": "info", "msg": "POST /api/chat", "user": "u_a", "chars": 42},
    ]
    if not hardened:
        log_lines += [
            {"level": "debug", "msg": "login attempt", "body": {"email": f"alice@customers.{DOMAIN}",
                                                                "password": s.user_a_password}},
            {"level": "debug", "msg": "checkout", "card": "4242 4242 4242 4242", "exp": "12/29"},
            {"level": "info", "msg": "chat message",
             "text": "Hi, my address is 1 Alder Lane, Leeds and I need my order changed before Friday please"},
        ]
    _write(state_dir / "logs" / "app-log-sample.jsonl", "\n".join(json.dumps(x) for x in log_lines) + "\n")
    (state_dir / "evidence").mkdir(parents=True, exist_ok=True)
    (state_dir / "evidence" / "reset-email.eml").write_bytes(
        sample_email(layout, dkim_key if hardened else provider_key, hardened=hardened))


def sample_email(layout: Layout, key: DkimKey, *, hardened: bool) -> bytes:
    """The reset mail as a customer's mailbox received it. Hardened: signed by the shop's own domain and
    sent from its SPF-listed server. Unhardened: the provider signs and bounces as mailer.test, so SPF
    and DKIM pass for mailer.test but neither aligns with From: DMARC fails."""
    to, link = f"alice@customers.{DOMAIN}", f"https://www.{DOMAIN}/reset?token=sample"
    if hardened:
        raw = reset_email(to, link, key)
        return as_received(raw, mail_from=f"bounce@{DOMAIN}", client_ip=layout.smtp_address, helo=f"mail.{DOMAIN}",
                           results=f"spf=pass smtp.mailfrom={DOMAIN};\r\n\tdkim=pass header.d={DOMAIN} "
                                   f"header.s={key.selector};\r\n\tdmarc=pass header.from={DOMAIN}")
    raw = reset_email(to, link, key, signing_domain="mailer.test")
    return as_received(raw, mail_from="bounces+4711@mailer.test", client_ip=layout.mailer_address,
                       helo="out.mailer.test",
                       results=f"spf=pass smtp.mailfrom=mailer.test;\r\n\tdkim=pass header.d=mailer.test "
                               f"header.s={key.selector};\r\n\tdmarc=fail (p=none) header.from={DOMAIN}")
