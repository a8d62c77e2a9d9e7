"""Every check of spec/checks.md, as data: its permanent id, mode, business impact, default severity, what it
checks in the founder's words, and the fix. The one place that lists the ids; checks/catalog.py binds each to
the function that runs it. Nothing here imports a check, so the profile loader, the writers and the secrets
command can read the catalog without loading the checks and their network stack."""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Impact, Mode, Severity


@dataclass(frozen=True)
class Row:
    id: str
    mode: Mode
    impact: Impact
    severity: Severity          # default severity of a fail
    title: str                  # what is checked, as a founder would say it
    fix: str = ""

    @property
    def remediation(self) -> str:
        return self.fix

    @property
    def stage(self) -> int:
        return int(self.id[1])

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]


ROWS: tuple[Row, ...] = (
    # Stage 1: quick audit
    Row("S1.endpoint_inventory", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.LOW,
        title="Every live endpoint is known",
        fix="Add discovered endpoints to the inventory or remove them."),
    Row("S1.unauth_access", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="Endpoints that need a login refuse anonymous requests",
        fix="Require a valid session on every non-public route, server side."),
    Row("S1.secrets_in_repo", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="No live secrets in the repository",
        fix="Rotate the key, move it to the host's secret store, and add a pre-commit secret scan."),
    Row("S1.secrets_in_history", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="No secrets anywhere in git history",
        fix="Rotate every key ever committed; deleting the file does not remove it from history."),
    Row("S1.secrets_in_ci_logs", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="CI logs do not print secrets",
        fix="Mask secrets in CI, rotate the leaked ones, and purge old logs."),
    Row("S1.env_file_committed", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="No .env files in git",
        fix="Untrack the file, add it to .gitignore, and rotate what it held."),
    Row("S1.exposed_files", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="No sensitive files served publicly",
        fix="Block dotfiles, backups and server status pages at the web server or CDN."),
    Row("S1.subdomain_inventory", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.HIGH,
        title="Every live subdomain is intended, none can be taken over",
        fix="Remove DNS records for services you no longer run."),
    Row("S1.prompt_leak_quick", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="The chatbot keeps its system prompt",
        fix="Keep secrets out of the prompt and filter replies for prompt text."),
    Row("S1.log_hygiene", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Logs hold no tokens, passwords, card numbers or full messages",
        fix="Redact sensitive fields at the logger; shorten retention."),
    # Stage 2: domain and email trust
    Row("S2.dns_records", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.CRITICAL,
        title="The domain and its subdomains resolve to the right place",
        fix="Add the missing A/AAAA/CNAME record at the DNS provider, pointing at the host that serves the site."),
    Row("S2.https_redirect", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.HIGH,
        title="http:// moves to https:// permanently",
        fix="Redirect every http:// request with a 301 (or 308) to the same path on https://, at the CDN or web "
            "server."),
    Row("S2.www_canonical", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.MEDIUM,
        title="www and apex land on one canonical URL",
        fix="Redirect the other host in one 301 hop to the canonical host, keeping path and query."),
    Row("S2.redirect_chain", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.HIGH,
        title="Checkout, login and reset links reach their page in at most 2 hops",
        fix="Point links straight at the final URL and fix loops."),
    Row("S2.tls_certificate", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.CRITICAL,
        title="Every host has a trusted, valid certificate for its name",
        fix="Issue a certificate covering every host name (e.g. Let's Encrypt via the host/CDN) and turn on "
            "auto-renewal."),
    Row("S2.tls_protocols", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="Only TLS 1.2 and 1.3 are accepted",
        fix="Disable TLS 1.0/1.1 at the CDN or server."),
    Row("S2.hsts", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="HTTPS is pinned with HSTS",
        fix="Send Strict-Transport-Security: max-age=31536000; includeSubDomains."),
    Row("S2.mixed_content", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.HIGH,
        title="HTTPS pages load nothing over http://",
        fix="Load every asset over https:// (or protocol-relative) and post forms to https://."),
    Row("S2.cloudflare", Mode.PASSIVE, Impact.DOWNTIME, Severity.LOW,
        title="A CDN/DDoS proxy is in front",
        fix="Put the site behind Cloudflare (proxied records) or another CDN."),
    Row("S2.caa", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.LOW,
        title="CAA limits which CAs may issue certificates",
        fix="Add CAA records naming only the CAs you use."),
    Row("S2.spf", Mode.PASSIVE, Impact.SPAM, Severity.HIGH,
        title="SPF authorises exactly the senders you use",
        fix="Publish one SPF record ending in -all, within 10 lookups."),
    Row("S2.dkim", Mode.PASSIVE, Impact.SPAM, Severity.HIGH,
        title="Mail is DKIM-signed with a strong key",
        fix="Publish a 2048-bit DKIM key for every sending service."),
    Row("S2.dmarc", Mode.PASSIVE, Impact.SPAM, Severity.HIGH,
        title="DMARC enforces and reports",
        fix="Publish DMARC with rua= reporting; move from p=none to quarantine/reject."),
    Row("S2.mx", Mode.PASSIVE, Impact.SPAM, Severity.MEDIUM,
        title="MX matches whether the domain receives mail",
        fix="Add MX records, or a null MX and v=spf1 -all for a domain that sends no mail."),
    Row("S2.email_auth_sample", Mode.OFFLINE, Impact.SPAM, Severity.HIGH,
        title="Real mail from the product passes SPF, DKIM and DMARC alignment",
        fix="Sign with the domain's DKIM key and send from an SPF-authorised, aligned domain."),
    # Stage 3: deployment hardening
    Row("S3.frontend_secrets", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="Browser bundles hold no secret keys",
        fix="Move the key server side, rotate it, and only ship publishable keys."),
    Row("S3.frontend_internal_urls", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="Bundles reveal no internal URLs",
        fix="Build with production env vars only; keep internal hosts out of client code."),
    Row("S3.source_maps", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="Source maps are not public",
        fix="Do not upload .map files to the public host (or restrict them)."),
    Row("S3.test_keys_in_prod", Mode.PASSIVE, Impact.BROKEN_LAUNCH_PATH, Severity.HIGH,
        title="Production uses live keys, not test keys",
        fix="Set the live keys in the production environment."),
    Row("S3.env_separation", Mode.OFFLINE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Dev and prod share no secrets",
        fix="Give each environment its own keys and document every prod variable."),
    Row("S3.debug_exposure", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Errors show no stack traces or debug pages",
        fix="Turn off debug mode in production and return generic error pages."),
    Row("S3.security_headers", Mode.PASSIVE, Impact.DATA_EXPOSURE, Severity.LOW,
        title="Security headers are set",
        fix="Add CSP, X-Content-Type-Options, frame-ancestors and Referrer-Policy; hide version banners."),
    Row("S3.rollback_path", Mode.ATTESTED, Impact.DOWNTIME, Severity.HIGH,
        title="A tested rollback exists for the last deploy",
        fix="Document and rehearse a one-step rollback (e.g. the host's instant rollback)."),
    Row("S3.least_privilege", Mode.ATTESTED, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="Cloud and hosting accounts are least-privilege, no shared logins",
        fix="Give each person their own account with only the roles they need; enforce 2FA."),
    # Stage 4: API controls
    Row("S4.authn_required", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="User endpoints refuse missing, garbage, expired and alg:none tokens",
        fix="Verify token signature, algorithm and expiry on every request."),
    Row("S4.bola", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="Users cannot read or change other users' data by changing an id",
        fix="Check the resource's owner against the token's user on every request."),
    Row("S4.bfla", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="Customers cannot call admin endpoints",
        fix="Check the caller's role server side on every admin route."),
    Row("S4.input_validation", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.MEDIUM,
        title="Malformed and over-privileged input is rejected with 4xx",
        fix="Validate bodies against a strict schema; ignore or reject unknown fields."),
    Row("S4.rate_limit_login", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Login attempts are throttled",
        fix="Limit failed logins per account and per IP (429 or lockout)."),
    Row("S4.rate_limit_chat", Mode.ACTIVE, Impact.COST_ABUSE, Severity.HIGH,
        title="Chat requests are throttled",
        fix="Rate-limit the chat endpoint per user and per IP, and cap tokens per day."),
    Row("S4.rate_limit_reset", Mode.ACTIVE, Impact.SPAM, Severity.MEDIUM,
        title="Password-reset requests are throttled",
        fix="Limit reset mails per address and per IP."),
    Row("S4.webhook_signature", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="Webhooks need a valid, fresh signature",
        fix="Verify the provider's signature and reject timestamps older than 5 minutes."),
    Row("S4.cors", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="CORS allows only your own origins",
        fix="Allow-list exact origins; never reflect Origin or allow null with credentials."),
    Row("S4.csrf", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Cookie-authenticated changes need a CSRF defence",
        fix="Use SameSite=Lax/Strict cookies plus CSRF tokens; set Secure and HttpOnly."),
    Row("S4.user_enumeration", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.LOW,
        title="Login and reset do not reveal which accounts exist",
        fix="Answer the same way for known and unknown accounts."),
    # Stage 5: chatbot red teaming
    Row("S5.system_prompt_leak", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="The chatbot does not reveal its system prompt",
        fix="Keep secrets out of the prompt; filter replies for canaries and prompt text."),
    Row("S5.cross_customer_leak", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="The chatbot never shows one customer another's data",
        fix="Scope every tool call to the signed-in user, server side."),
    Row("S5.unauthorized_tools", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.CRITICAL,
        title="The chatbot calls only allowed tools",
        fix="Enforce the tool allow-list and the user's permissions outside the model."),
    Row("S5.injection_via_content", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Content the bot reads cannot steer it",
        fix="Treat reviews and notes as data; strip instructions and limit tool use after reading them."),
    Row("S5.output_handling", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH,
        title="Bot replies carry no active content",
        fix="Render replies as text; block images and links to foreign hosts."),
    Row("S5.cost_abuse", Mode.ACTIVE, Impact.COST_ABUSE, Severity.HIGH,
        title="Chat cost is bounded",
        fix="Cap input size, output tokens and requests per user."),
    Row("S5.human_escalation", Mode.ACTIVE, Impact.BROKEN_LAUNCH_PATH, Severity.MEDIUM,
        title="Messages that need a human reach one",
        fix="Detect legal, fraud, safety and angry-refund messages and hand over to a person."),
    # Stage 6: monitoring
    Row("S6.health_endpoint", Mode.PASSIVE, Impact.DOWNTIME, Severity.MEDIUM,
        title="A fast health endpoint exists",
        fix="Serve a cheap /healthz that checks the app's dependencies and answers 200 within the latency budget."),
    Row("S6.availability", Mode.PASSIVE, Impact.DOWNTIME, Severity.HIGH,
        title="Main pages and flows are up 99.9 % of probes",
        fix="Find the failing dependency; add an uptime monitor."),
    Row("S6.latency_p95", Mode.PASSIVE, Impact.DOWNTIME, Severity.MEDIUM,
        title="p95 chat latency is within budget",
        fix="Profile the slow path; stream replies; cache lookups."),
    Row("S6.error_rate", Mode.PASSIVE, Impact.DOWNTIME, Severity.HIGH,
        title="5xx rate under 1 %",
        fix="Fix the failing handlers; alert on 5xx rate."),
    Row("S6.error_tracking", Mode.ATTESTED, Impact.DOWNTIME, Severity.MEDIUM,
        title="Errors are tracked with sensitive fields stripped",
        fix="Set up Sentry (or similar) with PII scrubbing."),
    Row("S6.alerting", Mode.ATTESTED, Impact.DOWNTIME, Severity.HIGH,
        title="Someone is alerted on downtime, latency, 5xx, webhook failures and token spikes",
        fix="Route alerts to email/Slack with a named owner."),
    # Stage 7: handover
    Row("S7.dns_map", Mode.OFFLINE, Impact.BROKEN_LAUNCH_PATH, Severity.LOW,
        title="The handover has the domain map",
        fix="Run stage 2 and keep the map in the handover."),
    Row("S7.env_inventory", Mode.OFFLINE, Impact.DOWNTIME, Severity.MEDIUM,
        title="Every production env var has an owner and a purpose",
        fix="Fill in owner and purpose for each variable."),
    Row("S7.runbooks", Mode.OFFLINE, Impact.DOWNTIME, Severity.MEDIUM,
        title="Key-rotation, rollback and leak runbooks exist",
        fix="Write the three runbooks and link them."),
    Row("S7.alert_contacts", Mode.OFFLINE, Impact.DOWNTIME, Severity.MEDIUM,
        title="Alert contacts and first actions are named",
        fix="Name who gets alerts and what they do first."),
)

BY_ID: dict[str, Row] = {r.id: r for r in ROWS}
if len(BY_ID) != len(ROWS):
    raise ValueError("duplicate check id in the catalog rows")

STAGES = {
    1: "Quick audit", 2: "Domain and email trust", 3: "Deployment hardening", 4: "API controls",
    5: "Chatbot red teaming", 6: "Monitoring", 7: "Handover",
}
