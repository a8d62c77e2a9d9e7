"""The catalog: every check id of spec/checks.md, in one place. Ids are permanent.

A check whose ``run`` is None is in the contract but not automated yet; the
runner reports nothing for it and the report lists it as not yet covered.
"""

from __future__ import annotations

from ..findings import Impact as I
from ..findings import Mode as M
from ..findings import Severity as S
from .abuse_controls import (check_rate_limit_chat, check_rate_limit_login, check_rate_limit_reset,
                             check_user_enumeration)
from .api_auth import check_authn_required, check_bfla, check_bola, check_unauth_access
from .api_inventory import check_endpoint_inventory
from .attested import check_attested
from .base import Check
from .browser_trust import check_cors, check_csrf
from .caa import check_caa
from .cloudflare import check_cloudflare
from .debug_exposure import check_debug_exposure
from .dkim import check_dkim
from .dmarc import check_dmarc
from .dns_records import check_dns_records
from .email_auth_sample import check_email_auth_sample
from .env_separation import check_env_separation
from .error_tracking import check_error_tracking
from .exposed_files import check_exposed_files
from .frontend import (check_frontend_internal_urls, check_frontend_secrets, check_source_maps,
                       check_test_keys_in_prod)
from .handover_checks import check_alert_contacts, check_dns_map, check_env_inventory, check_runbooks
from .health_endpoint import check_health_endpoint
from .hsts import check_hsts
from .https_redirect import check_https_redirect
from .input_validation import check_input_validation
from .log_hygiene import check_log_hygiene
from .mixed_content import check_mixed_content
from .monitoring import check_availability, check_error_rate, check_latency_p95
from .mx import check_mx
from .redirects import check_redirect_chain, check_www_canonical
from .redteam import (check_cost_abuse, check_cross_customer_leak, check_human_escalation,
                      check_injection_via_content, check_output_handling, check_prompt_leak_quick,
                      check_system_prompt_leak, check_unauthorized_tools)
from .repo_secrets import (check_env_file_committed, check_secrets_in_ci_logs, check_secrets_in_history,
                           check_secrets_in_repo)
from .security_headers import check_security_headers
from .spf import check_spf
from .subdomains import check_subdomain_inventory
from .tls_certificate import check_tls_certificate
from .tls_protocols import check_tls_protocols
from .webhooks import check_webhook_signature

_D, _B, _SP, _DT, _C = I.DATA_EXPOSURE, I.BROKEN_LAUNCH_PATH, I.SPAM, I.DOWNTIME, I.COST_ABUSE

# these drain the target's request buckets: they start when everything else of their stage is done
LAST_PHASE = {"S4.rate_limit_login", "S4.rate_limit_chat", "S4.rate_limit_reset"}

_ENTRIES: list[tuple] = [
    # id, mode, impact, severity, title, remediation, implementation
    # Stage 1 — quick audit
    ("S1.endpoint_inventory", M.PASSIVE, _B, S.LOW, "Every live endpoint is known", "Add discovered endpoints to the inventory or remove them.", check_endpoint_inventory),
    ("S1.unauth_access", M.PASSIVE, _D, S.CRITICAL, "Endpoints that need a login refuse anonymous requests", "Require a valid session on every non-public route, server side.", check_unauth_access),
    ("S1.secrets_in_repo", M.OFFLINE, _D, S.CRITICAL, "No live secrets in the repository", "Rotate the key, move it to the host's secret store, and add a pre-commit secret scan.", check_secrets_in_repo),
    ("S1.secrets_in_history", M.OFFLINE, _D, S.HIGH, "No secrets anywhere in git history", "Rotate every key ever committed; deleting the file does not remove it from history.", check_secrets_in_history),
    ("S1.secrets_in_ci_logs", M.OFFLINE, _D, S.HIGH, "CI logs do not print secrets", "Mask secrets in CI, rotate the leaked ones, and purge old logs.", check_secrets_in_ci_logs),
    ("S1.env_file_committed", M.OFFLINE, _D, S.HIGH, "No .env files in git", "Untrack the file, add it to .gitignore, and rotate what it held.", check_env_file_committed),
    ("S1.exposed_files", M.PASSIVE, _D, S.CRITICAL, "No sensitive files served publicly", "Block dotfiles, backups and server status pages at the web server or CDN.", check_exposed_files),
    ("S1.subdomain_inventory", M.PASSIVE, _B, S.HIGH, "Every live subdomain is intended, none can be taken over", "Remove DNS records for services you no longer run.", check_subdomain_inventory),
    ("S1.prompt_leak_quick", M.ACTIVE, _D, S.HIGH, "The chatbot keeps its system prompt", "Keep secrets out of the prompt and filter replies for prompt text.", check_prompt_leak_quick),
    ("S1.log_hygiene", M.OFFLINE, _D, S.HIGH, "Logs hold no tokens, passwords, card numbers or full messages", "Redact sensitive fields at the logger; shorten retention.", check_log_hygiene),
    # Stage 2 — domain and email trust
    ("S2.dns_records", M.PASSIVE, _B, S.CRITICAL, "The domain and its subdomains resolve to the right place",
     "Add the missing A/AAAA/CNAME record at the DNS provider, pointing at the host that serves the site.", check_dns_records),
    ("S2.https_redirect", M.PASSIVE, _B, S.HIGH, "http:// moves to https:// permanently",
     "Redirect every http:// request with a 301 (or 308) to the same path on https://, at the CDN or web server.", check_https_redirect),
    ("S2.www_canonical", M.PASSIVE, _B, S.MEDIUM, "www and apex land on one canonical URL", "Redirect the other host in one 301 hop to the canonical host, keeping path and query.", check_www_canonical),
    ("S2.redirect_chain", M.PASSIVE, _B, S.HIGH, "Checkout, login and reset links reach their page in at most 2 hops", "Point links straight at the final URL and fix loops.", check_redirect_chain),
    ("S2.tls_certificate", M.PASSIVE, _B, S.CRITICAL, "Every host has a trusted, valid certificate for its name",
     "Issue a certificate covering every host name (e.g. Let's Encrypt via the host/CDN) and turn on auto-renewal.", check_tls_certificate),
    ("S2.tls_protocols", M.PASSIVE, _D, S.MEDIUM, "Only TLS 1.2 and 1.3 are accepted", "Disable TLS 1.0/1.1 at the CDN or server.", check_tls_protocols),
    ("S2.hsts", M.PASSIVE, _D, S.MEDIUM, "HTTPS is pinned with HSTS", "Send Strict-Transport-Security: max-age=31536000; includeSubDomains.", check_hsts),
    ("S2.mixed_content", M.PASSIVE, _B, S.HIGH, "HTTPS pages load nothing over http://", "Load every asset over https:// (or protocol-relative) and post forms to https://.", check_mixed_content),
    ("S2.cloudflare", M.PASSIVE, I.DOWNTIME, S.LOW, "A CDN/DDoS proxy is in front", "Put the site behind Cloudflare (proxied records) or another CDN.", check_cloudflare),
    ("S2.caa", M.PASSIVE, _D, S.LOW, "CAA limits which CAs may issue certificates", "Add CAA records naming only the CAs you use.", check_caa),
    ("S2.spf", M.PASSIVE, _SP, S.HIGH, "SPF authorises exactly the senders you use", "Publish one SPF record ending in -all, within 10 lookups.", check_spf),
    ("S2.dkim", M.PASSIVE, _SP, S.HIGH, "Mail is DKIM-signed with a strong key", "Publish a 2048-bit DKIM key for every sending service.", check_dkim),
    ("S2.dmarc", M.PASSIVE, _SP, S.HIGH, "DMARC enforces and reports", "Publish DMARC with rua= reporting; move from p=none to quarantine/reject.", check_dmarc),
    ("S2.mx", M.PASSIVE, _SP, S.MEDIUM, "MX matches whether the domain receives mail", "Add MX records, or a null MX and v=spf1 -all for a domain that sends no mail.", check_mx),
    ("S2.email_auth_sample", M.OFFLINE, _SP, S.HIGH, "Real mail from the product passes SPF, DKIM and DMARC alignment", "Sign with the domain's DKIM key and send from an SPF-authorised, aligned domain.", check_email_auth_sample),
    # Stage 3 — deployment hardening
    ("S3.frontend_secrets", M.PASSIVE, _D, S.CRITICAL, "Browser bundles hold no secret keys", "Move the key server side, rotate it, and only ship publishable keys.", check_frontend_secrets),
    ("S3.frontend_internal_urls", M.PASSIVE, _D, S.MEDIUM, "Bundles reveal no internal URLs", "Build with production env vars only; keep internal hosts out of client code.", check_frontend_internal_urls),
    ("S3.source_maps", M.PASSIVE, _D, S.MEDIUM, "Source maps are not public", "Do not upload .map files to the public host (or restrict them).", check_source_maps),
    ("S3.test_keys_in_prod", M.PASSIVE, _B, S.HIGH, "Production uses live keys, not test keys", "Set the live keys in the production environment.", check_test_keys_in_prod),
    ("S3.env_separation", M.OFFLINE, _D, S.HIGH, "Dev and prod share no secrets", "Give each environment its own keys and document every prod variable.", check_env_separation),
    ("S3.debug_exposure", M.ACTIVE, _D, S.HIGH, "Errors show no stack traces or debug pages", "Turn off debug mode in production and return generic error pages.", check_debug_exposure),
    ("S3.security_headers", M.PASSIVE, _D, S.LOW, "Security headers are set", "Add CSP, X-Content-Type-Options, frame-ancestors and Referrer-Policy; hide version banners.", check_security_headers),
    ("S3.rollback_path", M.ATTESTED, I.DOWNTIME, S.HIGH, "A tested rollback exists for the last deploy", "Document and rehearse a one-step rollback (e.g. the host's instant rollback).", check_attested),
    ("S3.least_privilege", M.ATTESTED, _D, S.MEDIUM, "Cloud and hosting accounts are least-privilege, no shared logins", "Give each person their own account with only the roles they need; enforce 2FA.", check_attested),
    # Stage 4 — API controls
    ("S4.authn_required", M.ACTIVE, _D, S.CRITICAL, "User endpoints refuse missing, garbage, expired and alg:none tokens", "Verify token signature, algorithm and expiry on every request.", check_authn_required),
    ("S4.bola", M.ACTIVE, _D, S.CRITICAL, "Users cannot read or change other users' data by changing an id", "Check the resource's owner against the token's user on every request.", check_bola),
    ("S4.bfla", M.ACTIVE, _D, S.CRITICAL, "Customers cannot call admin endpoints", "Check the caller's role server side on every admin route.", check_bfla),
    ("S4.input_validation", M.ACTIVE, _D, S.MEDIUM, "Malformed and over-privileged input is rejected with 4xx", "Validate bodies against a strict schema; ignore or reject unknown fields.", check_input_validation),
    ("S4.rate_limit_login", M.ACTIVE, _D, S.HIGH, "Login attempts are throttled", "Limit failed logins per account and per IP (429 or lockout).", check_rate_limit_login),
    ("S4.rate_limit_chat", M.ACTIVE, _C, S.HIGH, "Chat requests are throttled", "Rate-limit the chat endpoint per user and per IP, and cap tokens per day.", check_rate_limit_chat),
    ("S4.rate_limit_reset", M.ACTIVE, _SP, S.MEDIUM, "Password-reset requests are throttled", "Limit reset mails per address and per IP.", check_rate_limit_reset),
    ("S4.webhook_signature", M.ACTIVE, _D, S.CRITICAL, "Webhooks need a valid, fresh signature", "Verify the provider's signature and reject timestamps older than 5 minutes.", check_webhook_signature),
    ("S4.cors", M.ACTIVE, _D, S.HIGH, "CORS allows only your own origins", "Allow-list exact origins; never reflect Origin or allow null with credentials.", check_cors),
    ("S4.csrf", M.ACTIVE, _D, S.HIGH, "Cookie-authenticated changes need a CSRF defence", "Use SameSite=Lax/Strict cookies plus CSRF tokens; set Secure and HttpOnly.", check_csrf),
    ("S4.user_enumeration", M.ACTIVE, _D, S.LOW, "Login and reset do not reveal which accounts exist", "Answer the same way for known and unknown accounts.", check_user_enumeration),
    # Stage 5 — chatbot red teaming
    ("S5.system_prompt_leak", M.ACTIVE, _D, S.HIGH, "The chatbot does not reveal its system prompt", "Keep secrets out of the prompt; filter replies for canaries and prompt text.", check_system_prompt_leak),
    ("S5.cross_customer_leak", M.ACTIVE, _D, S.CRITICAL, "The chatbot never shows one customer another's data", "Scope every tool call to the signed-in user, server side.", check_cross_customer_leak),
    ("S5.unauthorized_tools", M.ACTIVE, _D, S.CRITICAL, "The chatbot calls only allowed tools", "Enforce the tool allow-list and the user's permissions outside the model.", check_unauthorized_tools),
    ("S5.injection_via_content", M.ACTIVE, _D, S.HIGH, "Content the bot reads cannot steer it", "Treat reviews and notes as data; strip instructions and limit tool use after reading them.", check_injection_via_content),
    ("S5.output_handling", M.ACTIVE, _D, S.HIGH, "Bot replies carry no active content", "Render replies as text; block images and links to foreign hosts.", check_output_handling),
    ("S5.cost_abuse", M.ACTIVE, _C, S.HIGH, "Chat cost is bounded", "Cap input size, output tokens and requests per user.", check_cost_abuse),
    ("S5.human_escalation", M.ACTIVE, _B, S.MEDIUM, "Messages that need a human reach one", "Detect legal, fraud, safety and angry-refund messages and hand over to a person.", check_human_escalation),
    # Stage 6 — monitoring
    ("S6.health_endpoint", M.PASSIVE, I.DOWNTIME, S.MEDIUM, "A fast health endpoint exists",
     "Serve a cheap /healthz that checks the app's dependencies and answers 200 within the latency budget.", check_health_endpoint),
    ("S6.availability", M.PASSIVE, I.DOWNTIME, S.HIGH, "Main pages and flows are up 99.9 % of probes", "Find the failing dependency; add an uptime monitor.", check_availability),
    ("S6.latency_p95", M.PASSIVE, I.DOWNTIME, S.MEDIUM, "p95 chat latency is within budget", "Profile the slow path; stream replies; cache lookups.", check_latency_p95),
    ("S6.error_rate", M.PASSIVE, I.DOWNTIME, S.HIGH, "5xx rate under 1 %", "Fix the failing handlers; alert on 5xx rate.", check_error_rate),
    ("S6.error_tracking", M.ATTESTED, I.DOWNTIME, S.MEDIUM, "Errors are tracked with sensitive fields stripped", "Set up Sentry (or similar) with PII scrubbing.", check_error_tracking),
    ("S6.alerting", M.ATTESTED, I.DOWNTIME, S.HIGH, "Someone is alerted on downtime, latency, 5xx, webhook failures and token spikes", "Route alerts to email/Slack with a named owner.", check_attested),
    # Stage 7 — handover
    ("S7.dns_map", M.OFFLINE, _B, S.LOW, "The handover has the domain map", "Run stage 2 and keep the map in the handover.", check_dns_map),
    ("S7.env_inventory", M.OFFLINE, I.DOWNTIME, S.MEDIUM, "Every production env var has an owner and a purpose", "Fill in owner and purpose for each variable.", check_env_inventory),
    ("S7.runbooks", M.OFFLINE, I.DOWNTIME, S.MEDIUM, "Key-rotation, rollback and leak runbooks exist", "Write the three runbooks and link them.", check_runbooks),
    ("S7.alert_contacts", M.OFFLINE, I.DOWNTIME, S.MEDIUM, "Alert contacts and first actions are named", "Name who gets alerts and what they do first.", check_alert_contacts),
]

# what in the profile gives a check something to observe: said when a pass had nothing behind it
NEEDS = {
    "S1.unauth_access": "declare api.endpoints (or an OpenAPI document the API serves)",
    "S1.secrets_in_repo": "set repo.path", "S1.secrets_in_history": "set repo.path",
    "S1.env_file_committed": "set repo.path", "S1.secrets_in_ci_logs": "set repo.ci_logs",
    "S1.prompt_leak_quick": "declare chat.endpoint with a chat token",
    "S1.log_hygiene": "set logs.samples",
    "S2.email_auth_sample": "set email.samples",
    "S3.env_separation": "set repo.env_files (dev and prod)",
    "S4.authn_required": "declare api.endpoints with auth: user and api.users.a",
    "S4.bola": "declare api.users.a and api.users.b with the objects each owns",
    "S4.bfla": "declare admin endpoints (auth: admin) and api.users.a",
    "S4.input_validation": "declare api.endpoints with a body and side_effects none or own_data",
    "S4.webhook_signature": "declare a webhook endpoint with its signing scheme and secret",
    "S4.csrf": "declare a login endpoint and api.users.a", "S4.cors": "declare api.endpoints",
    "S4.user_enumeration": "declare login or password-reset endpoints",
    "S4.rate_limit_login": "declare a login endpoint", "S4.rate_limit_reset": "declare a password-reset endpoint",
    "S4.rate_limit_chat": "declare chat.endpoint with a chat token",
    **{f"S5.{name}": "declare chat.endpoint with a chat token" for name in (
        "system_prompt_leak", "cross_customer_leak", "unauthorized_tools", "injection_via_content",
        "output_handling", "cost_abuse", "human_escalation")},
    "S6.latency_p95": "declare chat.endpoint",
    "S7.env_inventory": "fill handover.env_vars", "S7.runbooks": "fill handover.runbooks",
    "S7.alert_contacts": "fill handover.alert_contacts",
}


def _build() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for entry in _ENTRIES:
        check_id, mode, impact, severity, title, remediation, *impl = entry
        if check_id in checks:
            raise ValueError(f"duplicate check id {check_id}")
        checks[check_id] = Check(id=check_id, stage=int(check_id[1]), mode=mode, impact=impact,
                                 severity=severity, title=title, remediation=remediation,
                                 run=impl[0] if impl else None, phase=1 if check_id in LAST_PHASE else 0,
                                 needs=NEEDS.get(check_id, ""))
    return checks


CATALOG: dict[str, Check] = _build()

STAGES = {
    1: "Quick audit", 2: "Domain and email trust", 3: "Deployment hardening", 4: "API controls",
    5: "Chatbot red teaming", 6: "Monitoring", 7: "Handover",
}


def get(check_id: str) -> Check:
    try:
        return CATALOG[check_id]
    except KeyError:
        raise KeyError(f"unknown check id {check_id!r}") from None


def for_stage(stage: int) -> list[Check]:
    return [c for c in CATALOG.values() if c.stage == stage]


def automated() -> list[Check]:
    return [c for c in CATALOG.values() if c.run is not None]
